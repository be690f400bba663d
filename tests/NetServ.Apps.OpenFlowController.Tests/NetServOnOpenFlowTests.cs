using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Networking;
using NetServ.OpenFlow;
using NetServ.OpenFlow.Transport;
using NetServ.Sdk;
using NetServ.Sdk.Testing;
using NetServ.TestSupport.OpenFlow;

namespace NetServ.Apps.OpenFlowController.Tests;

/// <summary>
/// The paper's Figure 16 on a real Open vSwitch: sender (port 1), receiver (port 2) and a NetServ node (port 3) that
/// routes what it is given back onto the switch, with the node's packet filters told through the filter-events
/// block. Checked step by step from <c>ovs-ofctl dump-flows</c>, the switch's port counters and the controller's
/// PACKET_IN count. Skipped without root or Open vSwitch.
/// </summary>
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class NetServOnOpenFlowTests
{
    private const ushort FilteredPort = 5000;
    private const ushort OtherPort = 6000;

    private readonly TestPacketFilterEvents _filters = new();
    private SwitchRig _rig = null!;

    private InstalledFilter Filter => new(
        "alice", "NetServ.Apps.NetMonitor_1.0.0", new PacketFilter(FilterProtocol.Udp, FilteredPort, [new Ipv4Prefix(_rig.Receiver.Address, 32)]));

    [SetUp]
    public async Task SetUp()
    {
        _rig = await SwitchRig.StartAsync(node => new LearningControllerOptions { NetServPort = node.Port, NetServMac = node.Mac }, _filters);

        // The NetServ node's forwarding plane: what it is given it routes back out of the interface it came in on.
        var node = _rig.Node.Namespace;
        node.ExecChecked("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        node.ExecChecked("sysctl", "-q", "-w", "net.ipv4.conf.all.send_redirects=0");
        node.ExecChecked("sysctl", "-q", "-w", "net.ipv4.conf.eth0.send_redirects=0");
    }

    [TearDown]
    public async Task TearDown() => await _rig.DisposeAsync();

    [Test]
    public async Task Figure16_FilteredFlowVisitsTheNodeOnceThroughTheController_OtherTrafficBypassesIt_RemoveDeletesTheFlows(CancellationToken cancellationToken)
    {
        await _rig.WaitForProactiveFlowsAsync(cancellationToken);
        using var sender = _rig.Sender.CreateUdpSocket(OtherPort);
        using var receiver = _rig.Receiver.CreateUdpSocket(FilteredPort);
        using var receiverOther = _rig.Receiver.CreateUdpSocket(OtherPort);
        var toReceiver = new IPEndPoint(_rig.Receiver.Address.ToIPAddress(), FilteredPort);
        var buffer = new byte[2048];

        // L2 learning both ways first, so that what follows is the filter's doing and not flooding.
        sender.SendTo(Encoding.ASCII.GetBytes("hello"), new IPEndPoint(_rig.Receiver.Address.ToIPAddress(), OtherPort));
        await SwitchRig.ReceiveAsync(receiverOther, buffer, cancellationToken);
        receiverOther.SendTo(Encoding.ASCII.GetBytes("hello back"), new IPEndPoint(_rig.Sender.Address.ToIPAddress(), OtherPort));
        await SwitchRig.ReceiveAsync(sender, buffer, cancellationToken);
        sender.SendTo(Encoding.ASCII.GetBytes("learned"), new IPEndPoint(_rig.Receiver.Address.ToIPAddress(), OtherPort));
        await SwitchRig.ReceiveAsync(receiverOther, buffer, cancellationToken);

        // (1) A module asked for a filter: the controller sends its packets to itself, and steers nothing yet.
        _filters.Add(Filter);
        await SwitchRig.WaitForAsync(() => _rig.Switch.DumpFlows().Any(f => f.Contains($"priority=500,udp,nw_dst={_rig.Receiver.Address},tp_dst={FilteredPort} actions=CONTROLLER:65535", StringComparison.Ordinal)), cancellationToken);
        Assert.That(_rig.Switch.DumpFlows(), Has.None.Contains("priority=600"));

        // (2)-(7) The first matching packet: to the controller, to the node, back, and on to the receiver intact.
        var packetIns = _rig.Controller.PacketIns;
        var nodeTx = await _rig.TxPacketsAsync(_rig.Node.Port, cancellationToken);
        var nodeRx = await _rig.RxPacketsAsync(_rig.Node.Port, cancellationToken);
        sender.SendTo(Encoding.ASCII.GetBytes("first"), toReceiver);
        Assert.That(Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(receiver, buffer, cancellationToken)), Is.EqualTo("first"));
        Assert.That(_rig.Controller.PacketIns, Is.EqualTo(packetIns + 1), "only the first packet came to the controller: back from the node, L2 learning knew the receiver");
        Assert.That(await _rig.TxPacketsAsync(_rig.Node.Port, cancellationToken), Is.EqualTo(nodeTx + 1), "the packet went to the node");
        Assert.That(await _rig.RxPacketsAsync(_rig.Node.Port, cancellationToken), Is.EqualTo(nodeRx + 1), "and came back from it");
        Assert.That(_rig.Switch.DumpFlows(), Has.Some.Contains(
            $"priority=600,udp,nw_src={_rig.Sender.Address},nw_dst={_rig.Receiver.Address},tp_dst={FilteredPort} actions=set_field:{_rig.Node.Mac}->eth_dst,output:{_rig.Node.Port}"));

        // (8)-(9) Later packets take the installed flows: through the node, with no PACKET_IN.
        const int Later = 20;
        for (var i = 0; i < Later; i++)
        {
            sender.SendTo(Encoding.ASCII.GetBytes($"later-{i}"), toReceiver);
            Assert.That(Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(receiver, buffer, cancellationToken)), Is.EqualTo($"later-{i}"));
        }

        Assert.That(_rig.Controller.PacketIns, Is.EqualTo(packetIns + 1));
        Assert.That(await _rig.TxPacketsAsync(_rig.Node.Port, cancellationToken), Is.EqualTo(nodeTx + 1 + Later));
        Assert.That(_rig.Controller.SteeredFlows, Is.EqualTo(1));

        // Traffic that matches no filter is forwarded without visiting the node.
        sender.SendTo(Encoding.ASCII.GetBytes("not filtered"), new IPEndPoint(_rig.Receiver.Address.ToIPAddress(), OtherPort));
        Assert.That(Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(receiverOther, buffer, cancellationToken)), Is.EqualTo("not filtered"));
        Assert.That(await _rig.TxPacketsAsync(_rig.Node.Port, cancellationToken), Is.EqualTo(nodeTx + 1 + Later));

        // REMOVE (or ttl expiry): the filter's flows go, and its traffic no longer visits the node.
        _filters.Remove(Filter);
        await SwitchRig.WaitForAsync(() => !_rig.Switch.DumpFlows().Any(f => f.Contains("priority=500", StringComparison.Ordinal) || f.Contains("priority=600", StringComparison.Ordinal)), cancellationToken);
        sender.SendTo(Encoding.ASCII.GetBytes("after remove"), toReceiver);
        Assert.That(Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(receiver, buffer, cancellationToken)), Is.EqualTo("after remove"));
        Assert.That(await _rig.TxPacketsAsync(_rig.Node.Port, cancellationToken), Is.EqualTo(nodeTx + 1 + Later));
        Assert.That(_rig.Controller.Filters, Is.Zero);
    }
}
