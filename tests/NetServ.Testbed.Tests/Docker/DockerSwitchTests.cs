using System.Net;
using System.Net.Sockets;
using NetServ.Testbed.Docker;
using NetServ.Testbed.Linux;
using NetServ.Testbed.OpenFlow;
using NetServ.Testbed.Tests.Local;
using NetServ.TestSupport.Docker;
using NetServ.TestSupport.OpenFlow;

namespace NetServ.Testbed.Tests.Docker;

/// <summary>
/// rspecs/openflow.rspec.xml on the Docker testbed against a real dockerd and Open vSwitch: the switch node is a container
/// that only gives the namespace, the Open vSwitch runs from this machine inside it, its ports the veth ends of the node's
/// links, and it connects to its controller's address over the containers' control link.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DockerSwitchTests
{
    private static readonly string[] Ports = ["p1", "p2", "p3", "p4"];
    private DockerEngine? _engine;

    [OneTimeSetUp]
    public async Task ConnectEngine()
    {
        TestSwitch.RequireForTestbed();
        _engine = await RequiresNodeImage.ConnectAsync("Docker switch tests");
    }

    [OneTimeTearDown]
    public void StopEngine() => _engine?.Dispose();

    [Test]
    [CancelAfter(180_000)]
    public async Task Realise_OpenFlowRSpec_SwitchRunsInItsContainersNamespaceWithFourPorts_ConnectsToItsController_AndReleaseStopsIt(CancellationToken cancellationToken)
    {
        var testbed = await RealiseAsync(beforeStep: null, cancellationToken);
        var id = testbed.Id;
        var pids = (0, 0);
        var directory = string.Empty;
        try
        {
            var ovs = testbed.Switches["switch"];
            pids = ovs.ProcessIds;
            directory = ovs.Directory;
            var container = testbed["switch"];
            var ns1 = testbed.NamespaceOf("ns1");

            // The controller's address is ns1's end of the control link: a listener there is what the switch reaches.
            using var listener = ns1.Run(() =>
            {
                var socket = new TcpListener(IPAddress.Parse("198.19.10.2"), 6653);
                socket.Start();
                return socket;
            });
            using var accepted = await listener.AcceptTcpClientAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            var ports = ovs.VsCtl("list-ports", OvsSwitch.Bridge).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

            Assert.Multiple(() =>
            {
                Assert.That(testbed.Switches.Keys, Is.EqualTo(new[] { "switch" }));
                Assert.That(ovs.Namespace.Name, Is.EqualTo(testbed.NamespaceOf("switch").Name));
                Assert.That(NetNamespaceOf(pids.Item2), Is.EqualTo(NetNamespaceOf(container.Pid)), "ovs-vswitchd runs in the switch container's network namespace");
                Assert.That(NetNamespaceOf(pids.Item1), Is.EqualTo(NetNamespaceOf(container.Pid)), "so does its ovsdb-server");
                Assert.That(ports, Is.EquivalentTo(Ports), "a port per link of the switch node");
                Assert.That(Ports.Select(p => ovs.VsCtl("get", "interface", p, "ofport").Trim()), Is.EqualTo(new[] { "1", "2", "3", "4" }), "in the request's interface order");
                Assert.That(Ports.Select(p => ovs.Namespace.Exec("ip", "link", "show", p).Succeeded), Is.All.True, "the ports are the container's interfaces");
                Assert.That(ovs.VsCtl("get-controller", OvsSwitch.Bridge).Trim(), Is.EqualTo("tcp:198.19.10.2:6653"));
                Assert.That(((IPEndPoint)accepted.Client.RemoteEndPoint!).Address, Is.EqualTo(IPAddress.Parse("198.19.10.1")), "the switch connected from its end of the control link");
            });
        }
        finally
        {
            await testbed.DisposeAsync();
        }

        AssertStopped(pids, directory);
        Assert.That(LabRunRecord.Current.Resources.Where(r => r.Value.Contains(id, StringComparison.Ordinal) || r.Value == directory), Is.Empty, "nothing left in the run's record");
    }

    [Test]
    [CancelAfter(180_000)]
    public async Task Realise_FailsAfterTheSwitchStarted_StopsItsProcessesAndRemovesItsFolderBeforeThrowing(CancellationToken cancellationToken)
    {
        var before = LabRunRecord.Current.Resources.ToHashSet();
        IReadOnlyList<RunResource> during = [];
        var failure = Assert.ThrowsAsync<InvalidOperationException>(async () => await RealiseAsync(
            step =>
            {
                if (step == "wait for SSH")
                {
                    during = [.. LabRunRecord.Current.Resources.Where(r => !before.Contains(r))];
                    throw new InvalidOperationException("failing on purpose");
                }
            },
            cancellationToken));

        var processes = during.Where(r => r.Kind == RunResourceKind.Process).Select(r => ProcessIdentity.TryParse(r.Value, out var p) ? p.Pid : 0).ToArray();
        var folders = during.Where(r => r.Kind == RunResourceKind.Directory && r.Value.Contains("netserv-ovs-", StringComparison.Ordinal)).Select(r => r.Value).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(failure!.Message, Is.EqualTo("failing on purpose"));
            Assert.That(folders, Has.Length.EqualTo(1), "the switch's folder was in the run's record");
            Assert.That(processes, Has.Length.GreaterThanOrEqualTo(2), "ovsdb-server and ovs-vswitchd were in the run's record");
            Assert.That(processes.Where(p => Directory.Exists($"/proc/{p}")), Is.Empty, "no Open vSwitch process is left");
            Assert.That(folders.Where(Directory.Exists), Is.Empty, "the switch's folder is removed");
            Assert.That(LabRunRecord.Current.Resources.Where(r => !before.Contains(r)), Is.Empty, "nothing new left in the run's record");
        });
    }

    private static Task<DockerTestbed> RealiseAsync(Action<string>? beforeStep, CancellationToken cancellationToken) =>
        DockerTestbed.RealiseAsync(TestRequests.Load("openflow.rspec.xml"), new DockerTestbedOptions
        {
            Image = DockerTestbedOptions.NodeImage,
            // No netservd anywhere: the switch is what is checked here.
            NetServNodes = [],
            RunExecuteServices = false,
            BeforeStep = beforeStep,
            Log = TestContext.Progress,
        }, cancellationToken: cancellationToken);

    private static void AssertStopped((int Database, int Switch) pids, string directory) =>
        Assert.Multiple(() =>
        {
            Assert.That(Directory.Exists($"/proc/{pids.Database}"), Is.False, "ovsdb-server stopped");
            Assert.That(Directory.Exists($"/proc/{pids.Switch}"), Is.False, "ovs-vswitchd stopped");
            Assert.That(Directory.Exists(directory), Is.False, "the switch's folder is removed");
        });

    /// <summary>The network namespace <paramref name="pid"/> is in, as the kernel names it (<c>net:[inode]</c>).</summary>
    private static string NetNamespaceOf(int pid) => new FileInfo($"/proc/{pid}/ns/net").LinkTarget ?? string.Empty;
}
