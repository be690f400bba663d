using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.OpenFlow;
using NetServ.OpenFlow.Transport;
using NetServ.Testbed.OpenFlow;
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

    private SwitchRig _rig = null!;

    [SetUp]
    public async Task SetUp() => _rig = await SwitchRig.StartAsync(nodes => new LearningControllerOptions { NetServPort = nodes[0].Port });

    [TearDown]
    public async Task TearDown() => await _rig.DisposeAsync();

    [Test]
    public async Task RunAsync_AtStart_InstallsTheProactiveFlowsSeenByOvsOfctl(CancellationToken cancellationToken)
    {
        await _rig.WaitForProactiveFlowsAsync(cancellationToken);
        var flows = _rig.Switch.DumpFlows();
        Assert.That(flows, Has.Some.Contains("priority=1000,udp,tp_dst=270 actions=output:3"));
        Assert.That(flows, Has.Some.Contains("priority=2000,in_port=3 actions=goto_table:1"));
        Assert.That(flows, Has.Some.Contains("table=1").And.Contains("priority=0 actions=CONTROLLER:65535"));
    }

    [Test]
    public async Task Signaling_UdpTo270FromSender_GoesToTheNetServNodeNotTheReceiver(CancellationToken cancellationToken)
    {
        await _rig.WaitForProactiveFlowsAsync(cancellationToken);
        using var receiver = _rig.Receiver.CreateUdpSocket(SignalingPort);
        using var sender = _rig.Sender.CreateUdpSocket(SignalingPort);
        var before = await _rig.TxPacketsAsync(_rig.Node.Port, cancellationToken);

        sender.SendTo(Encoding.ASCII.GetBytes("GIST query"), new IPEndPoint(_rig.Receiver.Address.ToIPAddress(), SignalingPort));

        await SwitchRig.WaitForAsync(async () => await _rig.TxPacketsAsync(_rig.Node.Port, cancellationToken) > before, cancellationToken);
        receiver.ReceiveTimeout = 300;
        Assert.That(() => receiver.Receive(new byte[2048]), Throws.InstanceOf<SocketException>());
        Assert.That(_rig.Controller.PacketIns, Is.Zero);
    }

    [Test]
    public async Task L2Learning_UdpBothWays_IsDeliveredAndInstallsFlowsForBothHosts(CancellationToken cancellationToken)
    {
        await _rig.WaitForProactiveFlowsAsync(cancellationToken);
        using var a = _rig.Sender.CreateUdpSocket(DataPort);
        using var b = _rig.Receiver.CreateUdpSocket(DataPort);
        var buffer = new byte[2048];

        a.SendTo(Encoding.ASCII.GetBytes("ping"), new IPEndPoint(_rig.Receiver.Address.ToIPAddress(), DataPort));
        Assert.That(Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(b, buffer, cancellationToken)), Is.EqualTo("ping"));
        b.SendTo(Encoding.ASCII.GetBytes("pong"), new IPEndPoint(_rig.Sender.Address.ToIPAddress(), DataPort));
        Assert.That(Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(a, buffer, cancellationToken)), Is.EqualTo("pong"));
        a.SendTo(Encoding.ASCII.GetBytes("again"), new IPEndPoint(_rig.Receiver.Address.ToIPAddress(), DataPort));
        Assert.That(Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(b, buffer, cancellationToken)), Is.EqualTo("again"));

        var flows = _rig.Switch.DumpFlows();
        Assert.That(flows, Has.Some.Contains($"dl_dst={_rig.Sender.Mac} actions=output:1"));
        Assert.That(flows, Has.Some.Contains($"dl_dst={_rig.Receiver.Mac} actions=output:2"));
        // The first packet flooded (receiver unknown), the reply installed the flow to the sender, the third
        // installed the flow to the receiver; nothing more visits the controller.
        var packetIns = _rig.Controller.PacketIns;
        a.SendTo(Encoding.ASCII.GetBytes("fast path"), new IPEndPoint(_rig.Receiver.Address.ToIPAddress(), DataPort));
        Assert.That(Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(b, buffer, cancellationToken)), Is.EqualTo("fast path"));
        Assert.That(_rig.Controller.PacketIns, Is.EqualTo(packetIns));
    }
}
