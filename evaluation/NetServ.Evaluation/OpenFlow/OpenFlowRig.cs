using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Apps.OpenFlowController;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Networking;
using NetServ.OpenFlow.Transport;
using NetServ.Sdk;
using NetServ.Testbed.OpenFlow;
using NetServ.Traffic;

namespace NetServ.Evaluation.OpenFlow;

/// <summary>
/// One configuration of the openflow benchmark: a real Open vSwitch (userspace datapath) with a sender (port 1,
/// 198.18.0.1), a receiver (port 2, 198.18.0.2) and two forwarding nodes (ports 3 and 4, 198.18.0.3 and .4) that
/// stand in for NetServ nodes (they route what the switch gives them back onto it, like the NetServ node's
/// kernel does for packets no module keeps), the project's <see cref="LearningController"/> on it, and
/// <c>nodes</c> of the two on the flow path: the controller is told of a filter for UDP to the receiver's port
/// 5060 (as netservd tells it when a module asks for one) and steers every flow of it through a node, by hash.
/// With 0 nodes there is no filter: the traffic is plain L2 learning. All four hosts exist in every
/// configuration, so the switch has the same ports each time. Disposing removes everything.
/// </summary>
internal sealed class OpenFlowRig : IDisposable
{
    /// <summary>The UDP port the traffic goes to and the filter matches.</summary>
    public const ushort Port = 5060;

    /// <summary>The first source port; flow i comes from this plus i.</summary>
    public const ushort FirstSourcePort = 7000;

    private const ushort LearningPort = 6000;
    private const string CounterComment = "netserv-eval openflow receiver count";
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(15);

    private readonly CancellationTokenSource _stop = new();
    private OpenFlowListener? _listener;
    private OpenFlowConnection? _connection;
    private Task? _run;

    private OpenFlowRig(OvsSwitch ovs, int nodes)
    {
        Switch = ovs;
        Nodes = nodes;
    }

    public OvsSwitch Switch { get; }

    /// <summary>NetServ nodes on the flow path.</summary>
    public int Nodes { get; }

    public OvsHost Sender => Switch.Hosts[0];

    public OvsHost Receiver => Switch.Hosts[1];

    /// <summary>The two forwarding nodes, port 3 first.</summary>
    public IReadOnlyList<OvsHost> NodeHosts => [.. Switch.Hosts.Skip(2)];

    public LearningController Controller { get; private set; } = null!;

    public PacedPacketGenerator Generator { get; private set; } = null!;

    public IptablesCounter ReceiverCounter { get; private set; } = null!;

    /// <summary>Starts the switch, hosts and controller, installs the filter when <paramref name="nodes"/> is over 0, and lets the switch learn where sender and receiver are.</summary>
    public static async Task<OpenFlowRig> StartAsync(int nodes, CancellationToken cancellationToken)
    {
        var ovs = OvsSwitch.Start();
        var rig = new OpenFlowRig(ovs, nodes);
        try
        {
            await rig.SetUpAsync(cancellationToken).ConfigureAwait(false);
            return rig;
        }
        catch
        {
            rig.Dispose();
            throw;
        }
    }

    /// <summary>The frames of the trials: <paramref name="flows"/> flows from the sender's source ports 7000.. to the receiver's 5060, full checksums (OVS's userspace datapath drops partial ones).</summary>
    public UdpFrameSet Frames(int wireBytes, int flows)
    {
        var senderMac = Sender.Namespace.GetMacAddress("eth0");
        var receiverMac = Receiver.Namespace.GetMacAddress("eth0");
        return UdpFrameSet.Of([.. Enumerable.Range(0, flows).Select(i => UdpFrame.Create(
            wireBytes, senderMac, receiverMac, Sender.Address, Receiver.Address, (ushort)(FirstSourcePort + i), Port))]);
    }

    /// <summary>Packets the nodes' eth0 received, summed (what the switch sent to them).</summary>
    public long NodePackets() => NodeHosts.Sum(n => ForwardingBench.InterfacePackets(n.Namespace, "eth0").Received);

    /// <summary>Packets the receiver's eth0 received.</summary>
    public long ReceiverPackets() => ForwardingBench.InterfacePackets(Receiver.Namespace, "eth0").Received;

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
    public async Task WaitForAsync(Func<bool> condition, string what, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > SetupTimeout)
            {
                throw new TimeoutException($"{what} did not happen within {SetupTimeout.TotalSeconds} s; {Controller?.PacketIns} PACKET_INs; the switch's flows:\n{string.Join('\n', Switch.DumpFlows())}\novs-vswitchd's log ends:\n{Switch.SwitchLogTail(5)}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _run?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The controller ends with the cancellation or the closed connection: nothing to keep.
        }

        _connection?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
        _listener?.Dispose();
        Generator?.Dispose();
        ReceiverCounter?.Dispose();
        _stop.Dispose();
        Switch.Dispose();
    }

    private async Task SetUpAsync(CancellationToken cancellationToken)
    {
        Switch.AddHost("sender", "198.18.0.1/24");
        Switch.AddHost("receiver", "198.18.0.2/24");
        var first = Switch.AddHost("node", "198.18.0.3/24");
        var second = Switch.AddHost("node2", "198.18.0.4/24");
        Switch.AddStaticNeighbours();
        foreach (var node in NodeHosts)
        {
            foreach (var setting in (string[])["net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.eth0.send_redirects=0"])
            {
                node.Namespace.ExecChecked("sysctl", "-q", "-w", setting);
            }
        }

        var options = new LearningControllerOptions { NetServPort = first.Port, NetServMac = first.Mac, LearnedFlowIdleTimeout = TimeSpan.FromHours(1) };
        if (Nodes == 2)
        {
            options.MoreNodes.Add(new NetServNodeAttachment(second.Port, second.Mac));
        }

        _listener = Switch.ListenForController();
        _connection = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
        await _connection.StartAsync(cancellationToken).ConfigureAwait(false);
        Controller = new LearningController(options, NullLogger.Instance);
        _run = Controller.RunAsync(_connection, _stop.Token);
        var proactive = options.Nodes.Length + 3;
        await WaitForAsync(() => Switch.DumpFlows().Count >= proactive, "the controller's proactive flows", cancellationToken).ConfigureAwait(false);
        if (Nodes > 0)
        {
            Controller.OnFilterAdded(new InstalledFilter(
                "evaluation", "openflow-benchmark", new PacketFilter(FilterProtocol.Udp, Port, [new Ipv4Prefix(Receiver.Address, 32)])));
            await WaitForAsync(() => Controller.Filters == 1 && Switch.DumpFlows().Any(f => f.Contains("priority=500", StringComparison.Ordinal)), "the filter's flow", cancellationToken).ConfigureAwait(false);
        }

        // L2 learning both ways (the receiver first: its reply is flooded), so that the trials are not flooded to the nodes.
        using (var receiver = Receiver.CreateUdpSocket(LearningPort))
        using (var sender = Sender.CreateUdpSocket(LearningPort))
        {
            var hello = Encoding.ASCII.GetBytes("learn");
            var receiverMac = Receiver.Mac.ToString();
            await WaitForAsync(
                () =>
                {
                    // One way, then the other, once the controller saw the first (the datapath may reorder two at once).
                    var seen = Controller.PacketIns;
                    receiver.SendTo(hello, new IPEndPoint(Sender.Address.ToIPAddress(), LearningPort));
                    SpinWait.SpinUntil(() => Controller.PacketIns > seen, TimeSpan.FromSeconds(1));
                    sender.SendTo(hello, new IPEndPoint(Receiver.Address.ToIPAddress(), LearningPort));
                    return SpinWait.SpinUntil(
                        () => Switch.DumpFlows().Any(f => f.Contains("priority=100", StringComparison.Ordinal) && f.Contains(receiverMac, StringComparison.OrdinalIgnoreCase)),
                        TimeSpan.FromSeconds(1));
                },
                "L2 learning of the receiver",
                cancellationToken).ConfigureAwait(false);
        }

        ReceiverCounter = IptablesCounter.InstallUdp(Receiver.Namespace, Port, Port, "INPUT", "DROP", CounterComment);
        Generator = PacedPacketGenerator.Open(Sender.Namespace, "eth0");
    }
}
