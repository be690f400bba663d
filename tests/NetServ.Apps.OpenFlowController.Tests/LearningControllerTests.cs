using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.OpenFlow;
using NetServ.OpenFlow.Transport;
using NetServ.TestSupport.OpenFlow;

namespace NetServ.Apps.OpenFlowController.Tests;

/// <summary>
/// The learning controller on a real Open vSwitch with a sender (port 1), a receiver (port 2) and a NetServ node
/// (port 3), as in the paper's Figure 15. Skipped without root or Open vSwitch.
/// </summary>
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class LearningControllerTests
{
    private const ushort DataPort = 5000;
    private const ushort SignalingPort = 270;

    private OvsSwitch _switch = null!;
    private OvsHost _sender = null!;
    private OvsHost _receiver = null!;
    private OvsHost _node = null!;
    private OpenFlowListener _listener = null!;
    private OpenFlowConnection _connection = null!;
    private LearningController _controller = null!;
    private CancellationTokenSource _stop = null!;
    private Task _run = null!;

    [SetUp]
    public async Task SetUp()
    {
        _switch = OvsSwitch.Start();
        _sender = _switch.AddHost("sender", "198.18.0.1/24");
        _receiver = _switch.AddHost("receiver", "198.18.0.2/24");
        _node = _switch.AddHost("node", "198.18.0.3/24");
        _switch.AddStaticNeighbours();
        _listener = _switch.ListenForController();
        _connection = await _listener.AcceptAsync(CancellationToken.None);
        await _connection.StartAsync(CancellationToken.None);
        _controller = new LearningController(new LearningControllerOptions { NetServPort = _node.Port }, NullLogger.Instance);
        _stop = new CancellationTokenSource();
        _run = _controller.RunAsync(_connection, _stop.Token);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        await _connection.DisposeAsync();
        _listener.Dispose();
        _stop.Dispose();
        _switch.Dispose();
    }

    [Test]
    public async Task RunAsync_AtStart_InstallsTheProactiveFlowsSeenByOvsOfctl(CancellationToken cancellationToken)
    {
        await WaitForAsync(() => _switch.DumpFlows().Count >= 4, cancellationToken);
        var flows = _switch.DumpFlows();
        Assert.That(flows, Has.Some.Contains("priority=1000,udp,tp_dst=270 actions=output:3"));
        Assert.That(flows, Has.Some.Contains("priority=2000,in_port=3 actions=goto_table:1"));
        Assert.That(flows, Has.Some.Contains("table=1").And.Contains("priority=0 actions=CONTROLLER:65535"));
    }

    [Test]
    public async Task Signaling_UdpTo270FromSender_GoesToTheNetServNodeNotTheReceiver(CancellationToken cancellationToken)
    {
        await WaitForAsync(() => _switch.DumpFlows().Count >= 4, cancellationToken);
        using var receiver = _receiver.CreateUdpSocket(SignalingPort);
        using var sender = _sender.CreateUdpSocket(SignalingPort);
        var before = await TxPacketsAsync(_node.Port, cancellationToken);

        sender.SendTo(Encoding.ASCII.GetBytes("GIST query"), new IPEndPoint(_receiver.Address.ToIPAddress(), SignalingPort));

        await WaitForAsync(async () => await TxPacketsAsync(_node.Port, cancellationToken) > before, cancellationToken);
        receiver.ReceiveTimeout = 300;
        Assert.That(() => receiver.Receive(new byte[2048]), Throws.InstanceOf<SocketException>());
        Assert.That(_controller.PacketIns, Is.Zero);
    }

    [Test]
    public async Task L2Learning_UdpBothWays_IsDeliveredAndInstallsFlowsForBothHosts(CancellationToken cancellationToken)
    {
        await WaitForAsync(() => _switch.DumpFlows().Count >= 4, cancellationToken);
        using var a = _sender.CreateUdpSocket(DataPort);
        using var b = _receiver.CreateUdpSocket(DataPort);
        var buffer = new byte[2048];

        a.SendTo(Encoding.ASCII.GetBytes("ping"), new IPEndPoint(_receiver.Address.ToIPAddress(), DataPort));
        Assert.That(Encoding.ASCII.GetString(buffer, 0, await ReceiveAsync(b, buffer, cancellationToken)), Is.EqualTo("ping"));
        b.SendTo(Encoding.ASCII.GetBytes("pong"), new IPEndPoint(_sender.Address.ToIPAddress(), DataPort));
        Assert.That(Encoding.ASCII.GetString(buffer, 0, await ReceiveAsync(a, buffer, cancellationToken)), Is.EqualTo("pong"));
        a.SendTo(Encoding.ASCII.GetBytes("again"), new IPEndPoint(_receiver.Address.ToIPAddress(), DataPort));
        Assert.That(Encoding.ASCII.GetString(buffer, 0, await ReceiveAsync(b, buffer, cancellationToken)), Is.EqualTo("again"));

        var flows = _switch.DumpFlows();
        Assert.That(flows, Has.Some.Contains($"dl_dst={_sender.Mac} actions=output:1"));
        Assert.That(flows, Has.Some.Contains($"dl_dst={_receiver.Mac} actions=output:2"));
        // The first packet flooded (receiver unknown), the reply installed the flow to the sender, the third
        // installed the flow to the receiver; nothing more visits the controller.
        var packetIns = _controller.PacketIns;
        a.SendTo(Encoding.ASCII.GetBytes("fast path"), new IPEndPoint(_receiver.Address.ToIPAddress(), DataPort));
        Assert.That(Encoding.ASCII.GetString(buffer, 0, await ReceiveAsync(b, buffer, cancellationToken)), Is.EqualTo("fast path"));
        Assert.That(_controller.PacketIns, Is.EqualTo(packetIns));
    }

    private async Task<ulong> TxPacketsAsync(uint port, CancellationToken cancellationToken)
    {
        var reply = await _connection.RequestAsync(xid => new PortStatsRequestMessage(xid, port), cancellationToken);
        return ((PortStatsReplyMessage)reply).Ports.Single().TxPackets;
    }

    private static async Task<int> ReceiveAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken) =>
        await socket.ReceiveAsync(buffer, cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);

    private static Task WaitForAsync(Func<bool> condition, CancellationToken cancellationToken) =>
        WaitForAsync(() => Task.FromResult(condition()), cancellationToken);

    private static async Task WaitForAsync(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("the condition did not hold within 10 s");
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
