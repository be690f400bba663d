using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Contracts.Configuration;
using NetServ.Contracts.Status;
using NetServ.Networking;
using NetServ.RSpec;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;
using NetServ.Signaling.Transport;
using NetServ.Testbed.Http;
using NetServ.Testbed.Local;
using NetServ.Testbed.Nodes;
using NetServ.Testbed.OpenFlow;

namespace NetServ.Testbed.Tests.OpenFlow;

/// <summary>
/// rspecs/openflow.rspec.xml realised with a real Open vSwitch and real netservd, the paper's Figure 16 step by step:
/// the controller module on ns1, signaling through the proactive flow, a module's filter at the controller, its first
/// packet through the node and on to the receiver, later ones on the installed flows, REMOVE deleting them.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class OpenFlowRSpecTests
{
    private const string User = "demo";
    private const int FilterPort = 5060;
    private static readonly string RSpecPath = Path.Combine(BuildOutputs.RepositoryRoot, "rspecs", "openflow.rspec.xml");

    [Test]
    [CancelAfter(120_000)]
    public async Task OpenFlowRSpec_SignalingThroughTheSwitch_InstallsAModuleWhoseFlowsGoThroughTheNode_AndRemoveDeletesThem(CancellationToken cancellationToken)
    {
        // The controller, by the node's own means: the switch forwards nothing before it.
        await using var bed = await OneNodeBed.StartAsync(cancellationToken);
        var (testbed, ovs, ns1, key, monitorPackage) = (bed.Testbed, bed.Switch, bed.Ns1, bed.Key, bed.MonitorPackage);
        var signalingBefore = Packets(ovs, "priority=1000,udp,tp_dst=270");

        // A user's SETUP from the sender toward the receiver, taken by ns1 off the proactive flow.
        await using var user = await UserSession.SetUpAsync(testbed, key, monitorPackage, cancellationToken);
        var (sender, receiver, setup, answer) = (testbed["sender"], user.Receiver, user.Setup, user.Answer);
        var installed = await ns1.WaitForStatusAsync(s => ControllerStatus(s)?["filters"]?.GetValue<int>() == 1, TimeSpan.FromSeconds(10), cancellationToken);

        // The first packet of the filter's flow goes to the controller, then to ns1 and back, then to the receiver; later ones take the flows.
        using var socket = ReceiverSocket(testbed);
        using var outgoing = sender.Namespace.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        outgoing.Bind(new IPEndPoint(IPAddress.Parse(sender.Address.ToString()), 40000));
        var received = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            outgoing.SendTo(Encoding.ASCII.GetBytes($"packet {i}"), new IPEndPoint(IPAddress.Parse(receiver.ToString()), FilterPort));
            var buffer = new byte[100];
            received.Add(Encoding.ASCII.GetString(buffer, 0, socket.Receive(buffer)));
        }

        var flowing = await ns1.StatusAsync(cancellationToken: cancellationToken);
        // The userspace datapath pushes its counters into the flow table about once a second.
        var steered = await EventuallyAsync(() => ovs.DumpFlows().Where(f => f.Contains("priority=600", StringComparison.Ordinal)).ToArray(), f => f.Length == 1 && Packets(f[0]) >= 9, cancellationToken);
        var remove = NslpRequests.Remove(setup.Module);
        var removed = await user.SendAsync(remove, cancellationToken);
        await ns1.WaitForStatusAsync(s => ControllerStatus(s)?["filters"]?.GetValue<int>() == 0, TimeSpan.FromSeconds(10), cancellationToken);
        var afterRemove = ovs.DumpFlows();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Nodes.Select(n => (n.Address, n.Status)), Is.EqualTo(new[] { (testbed.AddressOf("ns1:if0").ToString(), NslpStatus.Ok) }), "ns1 answered the SETUP");
            Assert.That(Packets(ovs, "priority=1000,udp,tp_dst=270"), Is.GreaterThan(signalingBefore), "the SETUP went through the proactive UDP/270 flow");
            Assert.That(installed.ContainerOf(User).Modules.Select(m => m.Name), Does.Contain(setup.Module));
            Assert.That(received, Is.EqualTo(Enumerable.Range(0, 10).Select(i => $"packet {i}")), "every packet reached the receiver intact, in order");
            Assert.That(ModuleOf(flowing, setup.Module)?.Live?.Counters?.Packets, Is.EqualTo(10), "the module on ns1 saw each packet");
            Assert.That(ControllerStatus(flowing)?["packetIns"]?.GetValue<long>(), Is.GreaterThanOrEqualTo(1));
            Assert.That(ControllerStatus(flowing)?["steeredFlows"]?.GetValue<long>(), Is.EqualTo(1), "one flow steered through the node");
            Assert.That(steered, Has.Length.EqualTo(1), string.Join('\n', ovs.DumpFlows()));
            Assert.That(steered.Select(f => Packets(f)), Has.All.GreaterThanOrEqualTo(9), "the packets after the first took the installed flow");
            Assert.That(removed.Nodes.Select(n => n.Status), Is.EqualTo(new[] { NslpStatus.Ok }));
            Assert.That(afterRemove, Has.None.Contains("priority=600").And.None.Contains("priority=500"), "REMOVE deleted the filter's flows");
        }
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task OpenFlowRSpec_TwoNodes_SignalingInstallsTheModuleOnBoth_FlowsAreSpreadOverThem_MoveWhenOneStops_AndGoBackWhenItReturns(CancellationToken cancellationToken)
    {
        const int Flows = 8;
        const int PacketsPerFlow = 3;
        var (controllerPackage, monitorPackage) = Packages();
        using var key = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);
        using var testbed = await LocalTestbed.RealiseAsync(RSpecFile.Read(RSpecPath), new LocalTestbedOptions { RunExecuteServices = false }, cancellationToken: cancellationToken);
        var ovs = testbed.Switches["switch"];
        var nodes = SwitchNetServNodes.Find(testbed, ["ns1", "ns2"]).Single();

        // ns1 passes signaling on to ns2 through the switch, although the receiver is on its link: it must not end the path there.
        await using var ns1 = await NetServNodeProcess.StartAsync(testbed["ns1"].Namespace, new NetServNodeOptions { Node = Configuration(testbed, "ns1", key, onLinkEndsPath: false) }, cancellationToken);
        await using var ns2 = await NetServNodeProcess.StartAsync(testbed["ns2"].Namespace, new NetServNodeOptions { Node = Configuration(testbed, "ns2", key, onLinkEndsPath: true) }, cancellationToken);
        await SwitchControllerDeployment.InstallAsync(testbed, nodes, ns1, controllerPackage, User, cancellationToken);

        // SETUP from the sender: the switch passes the signaling to ns1, then to ns2, then on to the receiver.
        await using var user = await UserSession.SetUpAsync(testbed, key, monitorPackage, cancellationToken);
        var (sender, receiver, setup, answer) = (testbed["sender"], user.Receiver, user.Setup, user.Answer);
        await ns1.WaitForStatusAsync(s => ControllerStatus(s)?["filters"]?.GetValue<int>() == 1, TimeSpan.FromSeconds(10), cancellationToken);

        using var socket = ReceiverSocket(testbed);
        var senders = Enumerable.Range(0, Flows).Select(i =>
        {
            var outgoing = sender.Namespace.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            outgoing.Bind(new IPEndPoint(IPAddress.Parse(sender.Address.ToString()), 41000 + i));
            return outgoing;
        }).ToArray();
        var received = new List<string>();
        void SendEveryFlow(string round)
        {
            for (var p = 0; p < PacketsPerFlow; p++)
            {
                foreach (var (outgoing, i) in senders.Select((o, i) => (o, i)))
                {
                    outgoing.SendTo(Encoding.ASCII.GetBytes($"{round} {i} {p}"), new IPEndPoint(IPAddress.Parse(receiver.ToString()), FilterPort));
                    var buffer = new byte[100];
                    received.Add(Encoding.ASCII.GetString(buffer, 0, socket.Receive(buffer)));
                }
            }
        }

        IEnumerable<string> Expected(string round) =>
            Enumerable.Range(0, PacketsPerFlow).SelectMany(p => Enumerable.Range(0, Flows).Select(i => $"{round} {i} {p}"));

        try
        {
            SendEveryFlow("spread");
            var spread = await ns1.StatusAsync(cancellationToken: cancellationToken);
            var spreadNs2 = await ns2.StatusAsync(cancellationToken: cancellationToken);
            var perNode = ControllerStatus(spread)?["steeredFlowsPerNode"]?.AsArray().Select(n => n!.GetValue<long>()).ToArray();

            // ns2 stops: its switch-facing link goes down, the controller moves its flows to ns1.
            var ns2Port = nodes.Nodes[1];
            testbed["ns2"].Namespace.ExecChecked("ip", "link", "set", ns2Port.Device, "down");
            await EventuallyAsync(
                () => ovs.DumpFlows().Any(f => f.Contains("priority=600", StringComparison.Ordinal) && f.Contains(FormattableString.Invariant($"output:{ns2Port.Port}"), StringComparison.Ordinal)),
                still => !still, cancellationToken);
            NetServ.Testbed.Linux.CommandRunner.Run("ovs-appctl", ["-t", Path.Combine(ovs.Directory, "ovs-vswitchd.ctl"), "revalidator/wait"], cancellationToken: cancellationToken).EnsureSuccess();
            SendEveryFlow("moved");
            var moved = await ns1.StatusAsync(cancellationToken: cancellationToken);
            var movedNs2 = await ns2.StatusAsync(cancellationToken: cancellationToken);

            // ns2 back: the flows that prefer it go back to it; then REMOVE through both nodes deletes the filter's flows.
            testbed["ns2"].Namespace.ExecChecked("ip", "link", "set", ns2Port.Device, "up");
            await ns1.WaitForStatusAsync(s => ControllerStatus(s)?["nodes"]?.ToJsonString().Contains("false", StringComparison.Ordinal) == false, TimeSpan.FromSeconds(10), cancellationToken);
            var stayed = await EventuallyAsync(() => ovs.DumpFlows().Count(f => f.Contains("priority=600", StringComparison.Ordinal)), n => n == perNode![0], cancellationToken);
            NetServ.Testbed.Linux.CommandRunner.Run("ovs-appctl", ["-t", Path.Combine(ovs.Directory, "ovs-vswitchd.ctl"), "revalidator/wait"], cancellationToken: cancellationToken).EnsureSuccess();
            SendEveryFlow("back");
            var back = await ns1.StatusAsync(cancellationToken: cancellationToken);
            var backNs2 = await ns2.StatusAsync(cancellationToken: cancellationToken);
            var removed = await user.SendAsync(NslpRequests.Remove(setup.Module), cancellationToken);
            await ns1.WaitForStatusAsync(s => ControllerStatus(s)?["filters"]?.GetValue<int>() == 0, TimeSpan.FromSeconds(10), cancellationToken);
            var afterRemove = ovs.DumpFlows();

            long Packets(NodeStatus status) => ModuleOf(status, setup.Module)?.Live?.Counters?.Packets ?? 0;
            var all = Flows * PacketsPerFlow;
            using (Assert.EnterMultipleScope())
            {
                Assert.That(answer.Nodes.Select(n => (n.Address, n.Status)), Is.EquivalentTo(new[]
                {
                    (testbed.AddressOf("ns1:if0").ToString(), NslpStatus.Ok),
                    (testbed.AddressOf("ns2:if0").ToString(), NslpStatus.Ok),
                }), "both nodes answered the SETUP");
                Assert.That(received, Is.EqualTo(Expected("spread").Concat(Expected("moved")).Concat(Expected("back"))), "every packet reached the receiver intact, in order");
                Assert.That(perNode, Has.Length.EqualTo(2).And.All.GreaterThan(0), "the flows were spread over ns1 and ns2");
                Assert.That(Packets(spread) + Packets(spreadNs2), Is.EqualTo(all), "each node's module counted the packets of its flows");
                Assert.That(Packets(spread), Is.EqualTo(perNode![0] * PacketsPerFlow));
                Assert.That(Packets(moved) - Packets(spread), Is.EqualTo(all), "with ns2 stopped every flow went through ns1");
                Assert.That(Packets(movedNs2), Is.EqualTo(Packets(spreadNs2)));
                Assert.That(stayed, Is.EqualTo(perNode![0]), "with ns2 back, only the flows that prefer ns1 stay on it");
                Assert.That(Packets(backNs2) - Packets(movedNs2), Is.EqualTo(perNode[1] * PacketsPerFlow), "the flows that prefer ns2 went back to it");
                Assert.That(Packets(back) - Packets(moved), Is.EqualTo(perNode[0] * PacketsPerFlow));
                Assert.That(removed.Nodes.Select(n => n.Status), Is.EqualTo(new[] { NslpStatus.Ok, NslpStatus.Ok }));
                Assert.That(afterRemove, Has.None.Contains("priority=600").And.None.Contains("priority=500"), "REMOVE deleted the filter's flows");
            }
        }
        finally
        {
            foreach (var outgoing in senders)
            {
                outgoing.Dispose();
            }
        }
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task OpenFlowRSpec_ControllerModuleRemoved_SwitchKeepsForwardingThroughTheNode_ReinstallResynchronises(CancellationToken cancellationToken)
    {
        await using var bed = await OneNodeBed.StartAsync(cancellationToken);
        var (testbed, ovs, ns1, key, monitorPackage) = (bed.Testbed, bed.Switch, bed.Ns1, bed.Key, bed.MonitorPackage);
        await using var user = await UserSession.SetUpAsync(testbed, key, monitorPackage, cancellationToken);
        await ns1.WaitForStatusAsync(s => ControllerStatus(s)?["filters"]?.GetValue<int>() == 1, TimeSpan.FromSeconds(10), cancellationToken);

        using var socket = ReceiverSocket(testbed);
        using var outgoing = testbed["sender"].Namespace.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        outgoing.Bind(new IPEndPoint(IPAddress.Parse(testbed["sender"].Address.ToString()), 40000));
        var received = new List<string>();
        void Send(string round)
        {
            for (var i = 0; i < 5; i++)
            {
                outgoing.SendTo(Encoding.ASCII.GetBytes($"{round} {i}"), new IPEndPoint(IPAddress.Parse(user.Receiver.ToString()), FilterPort));
                var buffer = new byte[100];
                received.Add(Encoding.ASCII.GetString(buffer, 0, socket.Receive(buffer)));
            }
        }

        Send("controller");

        // The controller module is removed through the admin API: the switch (secure mode) keeps the flows it has.
        var controllerModule = (await ns1.StatusAsync(cancellationToken: cancellationToken)).Containers.SelectMany(c => c.Modules)
            .Single(m => m.Name.StartsWith("NetServ.Apps.OpenFlowController", StringComparison.Ordinal)).Name;
        var removed = await ns1.RemoveAsync(controllerModule, User, cancellationToken);
        await ns1.WaitForStatusAsync(s => ControllerStatus(s) is null, TimeSpan.FromSeconds(10), cancellationToken);
        var flowsWithout = ovs.DumpFlows();
        Send("no controller");
        var withoutController = await ns1.StatusAsync(cancellationToken: cancellationToken);

        // Reinstalled: the new instance deletes what the old one left, installs its flows and steers the filter again.
        await bed.InstallControllerAsync(cancellationToken);
        var resynchronised = await ns1.WaitForStatusAsync(
            s => ControllerStatus(s)?["filters"]?.GetValue<int>() == 1 && ControllerStatus(s)?["switches"]?.GetValue<long>() == 1, TimeSpan.FromSeconds(15), cancellationToken);
        var steeredAfterResync = await EventuallyAsync(() => ovs.DumpFlows().Count(f => f.Contains("priority=600", StringComparison.Ordinal)), n => n == 0, cancellationToken);
        Send("reinstalled");
        var after = await ns1.StatusAsync(cancellationToken: cancellationToken);
        var flowsAfter = ovs.DumpFlows();

        long Counted(NodeStatus status) => ModuleOf(status, user.Setup.Module)?.Live?.Counters?.Packets ?? 0;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(removed.StatusCode, Is.EqualTo(NslpStatus.Ok));
            Assert.That(flowsWithout, Has.Some.Contains("priority=600").And.Some.Contains("priority=1000,udp,tp_dst=270"), "the switch kept the controller's flows");
            Assert.That(received, Is.EqualTo(new[] { "controller", "no controller", "reinstalled" }.SelectMany(r => Enumerable.Range(0, 5).Select(i => $"{r} {i}"))), "every packet arrived, also without a controller");
            Assert.That(Counted(withoutController), Is.EqualTo(10), "without a controller the steered flow still went through the node's module");
            Assert.That(steeredAfterResync, Is.Zero, "the new controller deleted the old one's steered flow");
            Assert.That(ControllerStatus(after)?["steeredFlows"]?.GetValue<long>(), Is.EqualTo(1), "and steered the flow again");
            Assert.That(Counted(after), Is.EqualTo(15));
            Assert.That(flowsAfter.Count(f => f.Contains("priority=1000,udp,tp_dst=270", StringComparison.Ordinal)), Is.EqualTo(1), "one signaling flow");
            Assert.That(flowsAfter.Count(f => f.Contains("priority=500", StringComparison.Ordinal)), Is.EqualTo(1), "one filter flow");
            Assert.That(ControllerStatus(resynchronised)?["filters"]?.GetValue<int>(), Is.EqualTo(1));
        }
    }

    /// <summary>The controller's and NetMonitor's packages; skips the test without root, Open vSwitch or the testbed's tools.</summary>
    private static (string Controller, string Monitor) Packages()
    {
        RequiresRoot.Check([.. OvsSwitch.Tools, .. OvsSwitch.TestbedTools]);
        if (OvsSwitch.Missing() is { } missing)
        {
            Assert.Ignore(missing);
        }

        return (BuildOutputs.EnsurePackage("NetServ.Apps.OpenFlowController", "applications/OpenFlowController", "0.1.0"),
            BuildOutputs.EnsurePackage("NetServ.Apps.NetMonitor", "applications/NetMonitor"));
    }

    /// <summary>A node's configuration: the user may run the controller on 6653; <paramref name="onLinkEndsPath"/> is false on every switch node but the last.</summary>
    private static NodeConfiguration Configuration(LocalTestbed testbed, string node, UserPrivateKey key, bool onLinkEndsPath) => new()
    {
        NodeName = $"{node}-{testbed.Id}",
        Signaling = { QueryTimeoutMs = 200, OnLinkEndsPath = onLinkEndsPath },
        Users = [new UserConfiguration { Name = User, AllowedPrefixes = ["198.18.0.0/15"], PublicKey = key.PublicKey.ToPem(), AllowedPorts = [6653] }],
    };

    private static async Task<T> EventuallyAsync<T>(Func<T> read, Func<T, bool> done, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        var value = read();
        while (!done(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, cancellationToken);
            value = read();
        }

        return value;
    }

    private static Socket ReceiverSocket(LocalTestbed testbed)
    {
        var node = testbed["receiver"];
        var socket = node.Namespace.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveTimeout = 5000;
        socket.Bind(new IPEndPoint(IPAddress.Parse(node.Address.ToString()), FilterPort));
        return socket;
    }

    private static ModuleStatus? ModuleOf(NodeStatus status, string module) =>
        status.Containers.SelectMany(c => c.Modules).FirstOrDefault(m => m.Name == module);

    private static System.Text.Json.Nodes.JsonNode? ControllerStatus(NodeStatus status) =>
        status.Containers.SelectMany(c => c.Modules).FirstOrDefault(m => m.Name.StartsWith("NetServ.Apps.OpenFlowController", StringComparison.Ordinal))?.Live?.Status;

    private static long Packets(OvsSwitch ovs, string match) =>
        ovs.DumpFlows().Where(f => f.Contains(match, StringComparison.Ordinal)).Sum(Packets);

    private static long Packets(string flow) => long.Parse(PacketCount().Match(flow).Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"n_packets=(\d+)")]
    private static partial Regex PacketCount();

    /// <summary>
    /// The user on the sender (<see cref="LocalNodeUser"/>): a signed SETUP of NetMonitor toward the receiver with the
    /// filter udp/5060 to the receiver, sent through the switch; later requests go the same way.
    /// </summary>
    private sealed class UserSession(LocalNodeUser user, Ipv4Address receiver, ModuleSetup setup) : IAsyncDisposable
    {
        public Ipv4Address Receiver => receiver;

        public ModuleSetup Setup => setup;

        public PathResponse Answer { get; private set; } = null!;

        public static async Task<UserSession> SetUpAsync(LocalTestbed testbed, UserPrivateKey key, string monitorPackage, CancellationToken cancellationToken)
        {
            var user = LocalNodeUser.Start(testbed["sender"], User, key, monitorPackage, "sender");
            var session = new UserSession(user, testbed.AddressOf("receiver:if0"), user.Module with { FilterProtocol = "udp", FilterPort = FilterPort, FilterDestination = "198.18.10.2/32" });
            try
            {
                session.Answer = await session.SendAsync(session.Setup.ToRequest(), cancellationToken);
                return session;
            }
            catch
            {
                await session.DisposeAsync();
                throw;
            }
        }

        public Task<PathResponse> SendAsync(NslpRequest request, CancellationToken cancellationToken) =>
            user.SendForPathAsync(receiver, request, TimeSpan.FromSeconds(20), cancellationToken);

        public ValueTask DisposeAsync() => user.DisposeAsync();
    }

    /// <summary>rspecs/openflow.rspec.xml realised, netservd on ns1 only, and the controller module installed on it through its admin socket.</summary>
    private sealed class OneNodeBed : IAsyncDisposable
    {
        private readonly string _controllerPackage;

        private OneNodeBed(LocalTestbed testbed, UserPrivateKey key, (string Controller, string Monitor) packages)
        {
            (Testbed, Key, _controllerPackage, MonitorPackage) = (testbed, key, packages.Controller, packages.Monitor);
        }

        public LocalTestbed Testbed { get; }

        public OvsSwitch Switch => Testbed.Switches["switch"];

        public NetServNodeProcess Ns1 { get; private set; } = null!;

        public UserPrivateKey Key { get; }

        public string MonitorPackage { get; }

        public static async Task<OneNodeBed> StartAsync(CancellationToken cancellationToken)
        {
            var packages = Packages();
            var key = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);
            var bed = new OneNodeBed(
                await LocalTestbed.RealiseAsync(RSpecFile.Read(RSpecPath), new LocalTestbedOptions { RunExecuteServices = false }, cancellationToken: cancellationToken), key, packages);
            try
            {
                bed.Ns1 = await NetServNodeProcess.StartAsync(bed.Testbed["ns1"].Namespace, new NetServNodeOptions { Node = Configuration(bed.Testbed, "ns1", key, onLinkEndsPath: true) }, cancellationToken);
                await bed.InstallControllerAsync(cancellationToken);
                return bed;
            }
            catch
            {
                await bed.DisposeAsync();
                throw;
            }
        }

        public Task<IReadOnlyList<string>> InstallControllerAsync(CancellationToken cancellationToken) =>
            SwitchControllerDeployment.InstallAsync(Testbed, SwitchNetServNodes.Find(Testbed, ["ns1"]).Single(), Ns1, _controllerPackage, User, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (Ns1 is not null)
            {
                await Ns1.DisposeAsync();
            }

            Testbed.Dispose();
            Key.Dispose();
        }
    }
}
