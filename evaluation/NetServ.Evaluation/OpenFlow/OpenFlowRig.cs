using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Contracts.Configuration;
using NetServ.Evaluation.NodeRuntime;
using NetServ.RSpec;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;
using NetServ.Signaling.Transport;
using NetServ.Testbed.Http;
using NetServ.Testbed.Local;
using NetServ.Testbed.Nodes;
using NetServ.Testbed.OpenFlow;
using NetServ.Traffic;

namespace NetServ.Evaluation.OpenFlow;

/// <summary>
/// One configuration of the openflow benchmark: rspecs/openflow.rspec.xml realised by the local testbed (sender .1,
/// receiver .2, NetServ nodes ns1 .11 and ns2 .12 on 198.18.10.0/24 behind a real Open vSwitch with the userspace
/// datapath), netservd on ns1 running the OpenFlowController module (reached over the control link, 198.19.10.2:6653),
/// and <c>nodes</c> NetServ nodes on the flow path: netservd on ns1 (and ns2 for two), the controller told of them, and
/// a signed SETUP of the NetMonitor module from the sender toward the receiver with the filter UDP/5060 to the
/// receiver, which reaches the controller through netservd's filter events; the controller then steers each flow
/// through a node (by hash with two). With 0 nodes ns1 hosts the controller only and no module asks for a filter: the
/// traffic is the controller's L2 learning. Disposing removes everything, netservd and the testbed.
/// </summary>
internal sealed class OpenFlowRig : IAsyncDisposable
{
    /// <summary>The UDP port the traffic goes to and the filter matches.</summary>
    public const ushort Port = 5060;

    /// <summary>The first source port; flow i comes from this plus i.</summary>
    public const ushort FirstSourcePort = 7000;

    /// <summary>The user who owns the controller and the NetMonitor modules on the nodes.</summary>
    private const string User = "evaluation";

    /// <summary>The switch's controller port, which the user may listen on.</summary>
    private const int ControllerPort = 6653;

    private const ushort LearningPort = 6000;
    private const string CounterComment = "netserv-eval openflow receiver count";
    private static readonly string[] NetServNodeNames = ["ns1", "ns2"];
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SignalingTimeout = TimeSpan.FromSeconds(20);

    private readonly List<NetServNodeProcess> _netservd = [];
    private readonly UserPrivateKey _key = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);

    private OpenFlowRig(LocalTestbed testbed, int nodes)
    {
        Testbed = testbed;
        Nodes = nodes;
    }

    public LocalTestbed Testbed { get; }

    public OvsSwitch Switch => Testbed.Switches["switch"];

    /// <summary>NetServ nodes on the flow path.</summary>
    public int Nodes { get; }

    public LocalTestbedNode Sender => Testbed["sender"];

    public LocalTestbedNode Receiver => Testbed["receiver"];

    /// <summary>ns1 and ns2 with their switch-facing interfaces, whether they run netservd or not.</summary>
    public IReadOnlyList<(LocalTestbedNode Node, string Device)> NodeHosts =>
        [.. NetServNodeNames.Select(n => (Testbed[n], Testbed[n].Interface($"{n}:if0").Device))];

    /// <summary>netservd on ns1 (which hosts the controller in every configuration), and on ns2 with two nodes.</summary>
    public IReadOnlyList<NetServNodeProcess> NetServd => _netservd;

    /// <summary>The NetMonitor module's name on the nodes, or null with 0 nodes.</summary>
    public string? MonitorModule { get; private set; }

    public PacedPacketGenerator Generator { get; private set; } = null!;

    public IptablesCounter ReceiverCounter { get; private set; } = null!;

    /// <summary>
    /// Realises the topology, starts netservd, installs the controller from <paramref name="controllerPackage"/> and,
    /// with nodes on the path, the NetMonitor module from <paramref name="monitorPackage"/> by signaling, and lets the
    /// switch learn where sender and receiver are. Everything created is removed when it fails or is cancelled.
    /// </summary>
    public static async Task<OpenFlowRig> StartAsync(int nodes, string controllerPackage, string monitorPackage, CancellationToken cancellationToken)
    {
        var request = RSpecFile.Read(Path.Combine(BuildOutputs.RepositoryRoot, "rspecs", "openflow.rspec.xml"));
        var testbed = await LocalTestbed.RealiseAsync(request, new LocalTestbedOptions { RunExecuteServices = false }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var rig = new OpenFlowRig(testbed, nodes);
        try
        {
            await rig.SetUpAsync(controllerPackage, monitorPackage, cancellationToken).ConfigureAwait(false);
            return rig;
        }
        catch
        {
            await rig.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The frames of the trials: <paramref name="flows"/> flows from the sender's source ports 7000.. to the receiver's 5060, full checksums (OVS's userspace datapath drops partial ones).</summary>
    public UdpFrameSet Frames(int wireBytes, int flows)
    {
        var senderMac = Sender.Namespace.GetMacAddress(SenderDevice);
        var receiverMac = Receiver.Namespace.GetMacAddress(ReceiverDevice);
        return UdpFrameSet.Of([.. Enumerable.Range(0, flows).Select(i => UdpFrame.Create(
            wireBytes, senderMac, receiverMac, Sender.Address, Receiver.Address, (ushort)(FirstSourcePort + i), Port))]);
    }

    /// <summary>Packets ns1's and ns2's switch-facing interfaces received, summed (what the switch sent to them).</summary>
    public long NodePackets() => NodeHosts.Sum(n => ForwardingBench.InterfacePackets(n.Node.Namespace, n.Device).Received);

    /// <summary>Packets the receiver's interface received.</summary>
    public long ReceiverPackets() => ForwardingBench.InterfacePackets(Receiver.Namespace, ReceiverDevice).Received;

    /// <summary>The controller module's counters, from ns1's status.</summary>
    /// <exception cref="InvalidOperationException">The controller module is not running on ns1.</exception>
    public async Task<ControllerCounters> ControllerAsync(CancellationToken cancellationToken)
    {
        var status = await _netservd[0].StatusAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return ControllerCounters.Read(status)
            ?? throw new InvalidOperationException($"ns1 reports no OpenFlowController module with a status; netservd's log ends:\n{_netservd[0].LogTail(10)}");
    }

    /// <summary>The packets the NetMonitor module counted on each NetServ node on the flow path, ns1 first (empty with 0 nodes).</summary>
    public async Task<long[]> ModulePacketsAsync(CancellationToken cancellationToken)
    {
        if (MonitorModule is not { } module)
        {
            return [];
        }

        var counts = new long[Nodes];
        for (var i = 0; i < Nodes; i++)
        {
            var status = await _netservd[i].StatusAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            counts[i] = status.Containers.SelectMany(c => c.Modules).FirstOrDefault(m => m.Name == module)?.Live?.Counters?.Packets ?? 0;
        }

        return counts;
    }

    /// <summary>Waits until the receiver's and the nodes' counters stop moving (the switch has drained), at most 10 s.</summary>
    public void WaitUntilQuiet(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var last = (ReceiverPackets(), NodePackets());
        var stable = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(10) && stable < 3)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Thread.Sleep(20);
            var now = (ReceiverPackets(), NodePackets());
            stable = now == last ? stable + 1 : 0;
            last = now;
        }
    }

    /// <summary>Waits for <paramref name="condition"/>, failing with <paramref name="what"/> after the setup timeout.</summary>
    public async Task WaitForAsync(Func<CancellationToken, Task<bool>> condition, string what, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition(cancellationToken).ConfigureAwait(false))
        {
            if (watch.Elapsed > SetupTimeout)
            {
                throw new TimeoutException(
                    $"{what} did not happen within {SetupTimeout.TotalSeconds} s; the switch's flows:\n{string.Join('\n', Switch.DumpFlows())}\novs-vswitchd's log ends:\n{Switch.SwitchLogTail(5)}\nnetservd on ns1 logged last:\n{_netservd.FirstOrDefault()?.LogTail(10)}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Generator?.Dispose();
        ReceiverCounter?.Dispose();
        foreach (var netservd in Enumerable.Reverse(_netservd))
        {
            await netservd.DisposeAsync().ConfigureAwait(false);
        }

        await Testbed.DisposeAsync().ConfigureAwait(false);
        _key.Dispose();
    }

    private string SenderDevice => Sender.Interface("sender:if0").Device;

    private string ReceiverDevice => Receiver.Interface("receiver:if0").Device;

    private async Task SetUpAsync(string controllerPackage, string monitorPackage, CancellationToken cancellationToken)
    {
        // ns1 runs netservd in every configuration: it hosts the controller. ns2 only when it is a second node on the path.
        string[] netserv = [.. NetServNodeNames.Take(Math.Max(1, Nodes))];
        foreach (var name in netserv)
        {
            // A node signaling is passed on from must not end the path at the on-link receiver.
            var configuration = new NodeConfiguration
            {
                NodeName = $"{name}-{Testbed.Id}",
                Signaling = { QueryTimeoutMs = 200, OnLinkEndsPath = name == netserv[^1] },
                Users = [new UserConfiguration { Name = User, AllowedPrefixes = ["198.18.0.0/15"], PublicKey = _key.PublicKey.ToPem(), AllowedPorts = [ControllerPort] }],
            };
            _netservd.Add(await NetServNodeProcess.StartAsync(Testbed[name].Namespace, new NetServNodeOptions { Node = configuration }, cancellationToken).ConfigureAwait(false));
        }

        var switchNodes = SwitchNetServNodes.Find(Testbed, netserv).Single();
        await SwitchControllerDeployment.InstallAsync(Testbed, switchNodes, _netservd[0], controllerPackage, User, cancellationToken).ConfigureAwait(false);
        if (Nodes > 0)
        {
            await SetUpMonitorAsync(monitorPackage, cancellationToken).ConfigureAwait(false);
        }

        await LearnAsync(cancellationToken).ConfigureAwait(false);
        ReceiverCounter = IptablesCounter.InstallUdp(Receiver.Namespace, Port, Port, "INPUT", "DROP", CounterComment);
        Generator = PacedPacketGenerator.Open(Sender.Namespace, SenderDevice);
    }

    /// <summary>A signed SETUP of NetMonitor from the sender toward the receiver: every NetServ node on the path installs it, and its filter reaches the controller.</summary>
    private async Task SetUpMonitorAsync(string monitorPackage, CancellationToken cancellationToken)
    {
        var user = LocalNodeUser.Start(Sender, User, _key, monitorPackage, "netserv-eval-sender");
        await using (user.ConfigureAwait(false))
        {
            var setup = user.Module with { FilterProtocol = "udp", FilterPort = Port, FilterDestination = $"{Receiver.Address}/32" };
            var answer = await user.SendForPathAsync(Receiver.Address, setup.ToRequest(), SignalingTimeout, cancellationToken).ConfigureAwait(false);
            if (answer.Nodes.Count != Nodes || answer.Nodes.Any(n => n.Status != NslpStatus.Ok))
            {
                throw new InvalidOperationException(
                    $"the SETUP of {setup.Module} toward the receiver was answered by {string.Join(", ", answer.Nodes.Select(n => $"{n.Address} ({n.Status})"))}, not by the {Nodes} NetServ node(s) on the path");
            }

            MonitorModule = setup.Module;
        }

        await WaitForAsync(async t => (await ControllerAsync(t).ConfigureAwait(false)).Filters == 1 && Switch.DumpFlows().Any(f => f.Contains("priority=500", StringComparison.Ordinal)), "the filter's flow", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>L2 learning both ways (the receiver first: its reply is flooded), so that the trials are not flooded to the nodes.</summary>
    private async Task LearnAsync(CancellationToken cancellationToken)
    {
        using var receiver = UdpSocket(Receiver);
        using var sender = UdpSocket(Sender);
        var hello = Encoding.ASCII.GetBytes("learn");
        var receiverMac = Receiver.Namespace.GetMacAddress(ReceiverDevice).ToString();
        await WaitForAsync(
            async t =>
            {
                // One way, then the other once the controller had time to see the first (the datapath may reorder two at once).
                receiver.SendTo(hello, new IPEndPoint(IPAddress.Parse(Sender.Address.ToString()), LearningPort));
                await Task.Delay(200, t).ConfigureAwait(false);
                sender.SendTo(hello, new IPEndPoint(IPAddress.Parse(Receiver.Address.ToString()), LearningPort));
                await Task.Delay(300, t).ConfigureAwait(false);
                return Switch.DumpFlows().Any(f => f.Contains("priority=100", StringComparison.Ordinal) && f.Replace(":", string.Empty, StringComparison.Ordinal).Contains(receiverMac, StringComparison.OrdinalIgnoreCase));
            },
            "L2 learning of the receiver",
            cancellationToken).ConfigureAwait(false);
    }

    private static System.Net.Sockets.Socket UdpSocket(LocalTestbedNode node)
    {
        var socket = node.Namespace.CreateSocket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(node.Address.ToString()), LearningPort));
        return socket;
    }
}
