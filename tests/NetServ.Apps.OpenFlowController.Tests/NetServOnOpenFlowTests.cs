using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Networking;
using NetServ.OpenFlow;
using NetServ.OpenFlow.Transport;
using NetServ.Sdk;
using NetServ.Sdk.Testing;
using NetServ.Testbed.OpenFlow;
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
    private SwitchRig? _rig;

    private InstalledFilter Filter => new(
        "alice", "NetServ.Apps.NetMonitor_1.0.0", new PacketFilter(FilterProtocol.Udp, FilteredPort, [new Ipv4Prefix(_rig!.Receiver.Address, 32)]));

    [TearDown]
    public async Task TearDown()
    {
        if (_rig is not null)
        {
            await _rig!.DisposeAsync();
        }
    }

    [Test]
    public async Task Figure16_FilteredFlowVisitsTheNodeOnceThroughTheController_OtherTrafficBypassesIt_RemoveDeletesTheFlows(CancellationToken cancellationToken)
    {
        _rig = await StartAsync(nodes: 1);
        await _rig!.WaitForProactiveFlowsAsync(cancellationToken);
        using var sender = _rig!.Sender.CreateUdpSocket(OtherPort);
        using var receiver = _rig!.Receiver.CreateUdpSocket(FilteredPort);
        using var receiverOther = _rig!.Receiver.CreateUdpSocket(OtherPort);
        var toReceiver = new IPEndPoint(_rig!.Receiver.Address.ToIPAddress(), FilteredPort);
        var buffer = new byte[2048];

        // L2 learning both ways first, so that what follows is the filter's doing and not flooding.
        sender.SendTo(Encoding.ASCII.GetBytes("hello"), new IPEndPoint(_rig!.Receiver.Address.ToIPAddress(), OtherPort));
        await SwitchRig.ReceiveAsync(receiverOther, buffer, cancellationToken);
        receiverOther.SendTo(Encoding.ASCII.GetBytes("hello back"), new IPEndPoint(_rig!.Sender.Address.ToIPAddress(), OtherPort));
        await SwitchRig.ReceiveAsync(sender, buffer, cancellationToken);
        sender.SendTo(Encoding.ASCII.GetBytes("learned"), new IPEndPoint(_rig!.Receiver.Address.ToIPAddress(), OtherPort));
        await SwitchRig.ReceiveAsync(receiverOther, buffer, cancellationToken);

        // (1) A module asked for a filter: the controller sends its packets to itself, and steers nothing yet.
        _filters.Add(Filter);
        await SwitchRig.WaitForAsync(() => _rig!.Switch.DumpFlows().Any(f => f.Contains($"priority=500,udp,nw_dst={_rig!.Receiver.Address},tp_dst={FilteredPort} actions=CONTROLLER:65535", StringComparison.Ordinal)), cancellationToken);
        Assert.That(_rig!.Switch.DumpFlows(), Has.None.Contains("priority=600"));

        // (2)-(7) The first matching packet: to the controller, to the node, back, and on to the receiver intact.
        var packetIns = _rig!.Controller.PacketIns;
        var nodeTx = await _rig!.TxPacketsAsync(_rig!.Node.Port, cancellationToken);
        var nodeRx = await _rig!.RxPacketsAsync(_rig!.Node.Port, cancellationToken);
        sender.SendTo(Encoding.ASCII.GetBytes("first"), toReceiver);
        Assert.That(Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(receiver, buffer, cancellationToken)), Is.EqualTo("first"));
        Assert.That(_rig!.Controller.PacketIns, Is.EqualTo(packetIns + 1), "only the first packet came to the controller: back from the node, L2 learning knew the receiver");
        Assert.That(await _rig!.TxPacketsAsync(_rig!.Node.Port, cancellationToken), Is.EqualTo(nodeTx + 1), "the packet went to the node");
        Assert.That(await _rig!.RxPacketsAsync(_rig!.Node.Port, cancellationToken), Is.EqualTo(nodeRx + 1), "and came back from it");
        Assert.That(_rig!.Switch.DumpFlows(), Has.Some.Contains(
            $"priority=600,udp,nw_src={_rig!.Sender.Address},nw_dst={_rig!.Receiver.Address},tp_src={OtherPort},tp_dst={FilteredPort} actions=set_field:{_rig!.Node.Mac}->eth_dst,output:{_rig!.Node.Port}"));

        // (8)-(9) Later packets take the installed flows: through the node, with no PACKET_IN.
        const int Later = 20;
        for (var i = 0; i < Later; i++)
        {
            sender.SendTo(Encoding.ASCII.GetBytes($"later-{i}"), toReceiver);
            Assert.That(Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(receiver, buffer, cancellationToken)), Is.EqualTo($"later-{i}"));
        }

        Assert.That(_rig!.Controller.PacketIns, Is.EqualTo(packetIns + 1));
        Assert.That(await _rig!.TxPacketsAsync(_rig!.Node.Port, cancellationToken), Is.EqualTo(nodeTx + 1 + Later));
        Assert.That(_rig!.Controller.SteeredFlows, Is.EqualTo(1));

        // Traffic that matches no filter is forwarded without visiting the node.
        sender.SendTo(Encoding.ASCII.GetBytes("not filtered"), new IPEndPoint(_rig!.Receiver.Address.ToIPAddress(), OtherPort));
        Assert.That(Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(receiverOther, buffer, cancellationToken)), Is.EqualTo("not filtered"));
        Assert.That(await _rig!.TxPacketsAsync(_rig!.Node.Port, cancellationToken), Is.EqualTo(nodeTx + 1 + Later));

        // REMOVE (or ttl expiry): the filter's flows go, and its traffic no longer visits the node.
        _filters.Remove(Filter);
        await SwitchRig.WaitForAsync(() => !_rig!.Switch.DumpFlows().Any(f => f.Contains("priority=500", StringComparison.Ordinal) || f.Contains("priority=600", StringComparison.Ordinal)), cancellationToken);
        sender.SendTo(Encoding.ASCII.GetBytes("after remove"), toReceiver);
        Assert.That(Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(receiver, buffer, cancellationToken)), Is.EqualTo("after remove"));
        Assert.That(await _rig!.TxPacketsAsync(_rig!.Node.Port, cancellationToken), Is.EqualTo(nodeTx + 1 + Later));
        Assert.That(_rig!.Controller.Filters, Is.Zero);
    }

    [Test]
    public async Task TwoNodes_FlowsAreSpreadOverBothByHash_EachFlowStaysOnItsNode(CancellationToken cancellationToken)
    {
        const int Flows = 8;
        var (rig, receiverSocket) = await StartTwoNodesWithFilterAsync(cancellationToken);
        using var receiver = receiverSocket;
        var toReceiver = new IPEndPoint(rig.Receiver.Address.ToIPAddress(), FilteredPort);
        var buffer = new byte[2048];
        var before = await Task.WhenAll(rig.Nodes.Select(n => rig.TxPacketsAsync(n.Port, cancellationToken)));

        // Each flow (its own source port) twice: the second packet takes the flow the first one installed.
        var senders = Enumerable.Range(0, Flows).Select(i => rig.Sender.CreateUdpSocket(7000 + i)).ToArray();
        try
        {
            for (var round = 0; round < 2; round++)
            {
                foreach (var (socket, i) in senders.Select((s, i) => (s, i)))
                {
                    socket.SendTo(Encoding.ASCII.GetBytes($"flow-{i}-{round}"), toReceiver);
                    Assert.That(Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(receiver, buffer, cancellationToken)), Is.EqualTo($"flow-{i}-{round}"));
                }
            }
        }
        finally
        {
            foreach (var socket in senders)
            {
                socket.Dispose();
            }
        }

        var perNode = rig.Controller.SteeredFlowsPerNode;
        var after = await Task.WhenAll(rig.Nodes.Select(n => rig.TxPacketsAsync(n.Port, cancellationToken)));
        Assert.That(perNode, Has.Length.EqualTo(2).And.All.GreaterThan(0), "both nodes get flows");
        Assert.That(perNode.Sum(), Is.EqualTo(Flows));
        Assert.That(after.Zip(before, (a, b) => (long)(a - b)), Is.EqualTo(perNode.Select(n => n * 2)), "every packet of a flow visits its flow's node");
        Assert.That(rig.Switch.DumpFlows().Count(f => f.Contains("priority=600", StringComparison.Ordinal)), Is.EqualTo(Flows));
    }

    [Test]
    public async Task TwoNodes_SignalingFromTheSender_VisitsBothNodesInTurn_ThenReachesTheReceiver(CancellationToken cancellationToken)
    {
        const ushort SignalingPort = 270;
        var rig = _rig = await StartAsync(nodes: 2);
        var (first, second) = (rig.Nodes[0], rig.Nodes[1]);
        await SwitchRig.WaitForAsync(() => rig.Switch.DumpFlows().Count >= 6, cancellationToken);
        var flows = rig.Switch.DumpFlows();

        // The proactive flow addresses signaling to the first node, the chain flow to the second: each node's IP stack
        // takes it in and routes it on, the second's to the receiver.
        using var receiver = rig.Receiver.CreateUdpSocket(SignalingPort);
        using var sender = rig.Sender.CreateUdpSocket(SignalingPort);

        // The learning switch learns the receiver first, so that nothing is flooded to the nodes.
        receiver.SendTo(Encoding.ASCII.GetBytes("here"), new IPEndPoint(rig.Sender.Address.ToIPAddress(), OtherPort));
        await SwitchRig.WaitForAsync(() => rig.Controller.PacketIns >= 1, cancellationToken);
        rig.WaitForDatapath();
        var before = (First: rig.SwitchTxPackets(first.Port), Second: rig.SwitchTxPackets(second.Port));
        var buffer = new byte[2048];

        sender.SendTo(Encoding.ASCII.GetBytes("GIST query"), new IPEndPoint(rig.Receiver.Address.ToIPAddress(), SignalingPort));
        var received = Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(receiver, buffer, cancellationToken));

        Assert.That(flows, Has.Some.Contains($"priority=3000,udp,in_port={first.Port},tp_dst=270 actions=set_field:{second.Mac}->eth_dst,output:{second.Port}"));
        Assert.That(flows, Has.None.Contains($"priority=3000,udp,in_port={second.Port}"), "the last node's signaling goes to L2 learning");
        Assert.That(flows, Has.Some.Contains($"priority=1000,udp,tp_dst=270 actions=set_field:{first.Mac}->eth_dst,output:{first.Port}"));
        Assert.That(received, Is.EqualTo("GIST query"));
        Assert.That(rig.SwitchTxPackets(first.Port) - before.First, Is.EqualTo(1UL), "the first node saw the packet");
        Assert.That(rig.SwitchTxPackets(second.Port) - before.Second, Is.EqualTo(1UL), "then the second node");
    }

    [Test]
    public async Task TwoNodes_OneNodeLinkDown_ItsFlowsMoveToTheOther_BothDown_TrafficFailsOpen_NodeBack_FlowsVisitItAgain(CancellationToken cancellationToken)
    {
        const int Flows = 8;
        var (rig, receiverSocket) = await StartTwoNodesWithFilterAsync(cancellationToken);
        using var receiver = receiverSocket;
        var toReceiver = new IPEndPoint(rig.Receiver.Address.ToIPAddress(), FilteredPort);
        var buffer = new byte[2048];
        var senders = Enumerable.Range(0, Flows).Select(i => rig.Sender.CreateUdpSocket(7000 + i)).ToArray();
        try
        {
            async Task SendEveryFlowAsync(string round)
            {
                foreach (var (socket, i) in senders.Select((s, i) => (s, i)))
                {
                    socket.SendTo(Encoding.ASCII.GetBytes($"flow-{i}-{round}"), toReceiver);
                    Assert.That(Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(receiver, buffer, cancellationToken)), Is.EqualTo($"flow-{i}-{round}"));
                }
            }

            await SendEveryFlowAsync("spread");
            var spread = rig.Controller.SteeredFlowsPerNode;
            Assert.That(spread, Has.All.GreaterThan(0), "both nodes get flows");

            // The first node's link goes down: its flows are deleted, and their next packets are steered to the other.
            var (first, second) = (rig.Nodes[0], rig.Nodes[1]);
            first.Namespace.ExecChecked("ip", "link", "set", "eth0", "down");
            await SwitchRig.WaitForAsync(() => !rig.Controller.NodesLive[0], cancellationToken);
            await SwitchRig.WaitForAsync(() => !rig.Switch.DumpFlows().Any(f => f.Contains("priority=600", StringComparison.Ordinal) && f.Contains($"output:{first.Port}", StringComparison.Ordinal)), cancellationToken);
            rig.WaitForDatapath();
            var secondTx = rig.SwitchTxPackets(second.Port);
            await SendEveryFlowAsync("moved");
            Assert.That(rig.SwitchTxPackets(second.Port) - secondTx, Is.EqualTo((ulong)Flows), "every flow now visits the second node, once");
            Assert.That(rig.Controller.SteeredFlowsPerNode, Is.EqualTo(new[] { spread[0], spread[1] + spread[0] }), "the first node's flows moved to the second");
            Assert.That(rig.Switch.DumpFlows().Count(f => f.Contains($"priority=600", StringComparison.Ordinal) && f.Contains($"output:{second.Port}", StringComparison.Ordinal)), Is.EqualTo(Flows));

            // Both down: fail-open, the filter's traffic is forwarded by L2 learning without a node.
            second.Namespace.ExecChecked("ip", "link", "set", "eth0", "down");
            await SwitchRig.WaitForAsync(() => rig.Controller.NodesLive.All(live => !live), cancellationToken);
            await SwitchRig.WaitForAsync(() => !rig.Switch.DumpFlows().Any(f => f.Contains("priority=600", StringComparison.Ordinal)), cancellationToken);
            rig.WaitForDatapath();
            await SendEveryFlowAsync("fail-open");
            Assert.That(rig.Controller.BypassedFlows, Is.EqualTo(Flows));
            Assert.That(rig.Switch.DumpFlows().Count(f => f.Contains("priority=600", StringComparison.Ordinal) && f.Contains("actions=goto_table:1", StringComparison.Ordinal)), Is.EqualTo(Flows));
            await SendEveryFlowAsync("fail-open-again");
            Assert.That(rig.Controller.BypassedFlows, Is.EqualTo(Flows), "later packets take the bypass flows");

            // The first node is back: the bypass flows go, and every flow visits it.
            first.Namespace.ExecChecked("ip", "link", "set", "eth0", "up");
            rig.Switch.AddStaticNeighbours();
            await SwitchRig.WaitForAsync(() => rig.Controller.NodesLive[0], cancellationToken);
            await SwitchRig.WaitForAsync(() => !rig.Switch.DumpFlows().Any(f => f.Contains("goto_table:1", StringComparison.Ordinal) && f.Contains("priority=600", StringComparison.Ordinal)), cancellationToken);
            rig.WaitForDatapath();
            var firstTx = rig.SwitchTxPackets(first.Port);
            await SendEveryFlowAsync("back");
            Assert.That(rig.SwitchTxPackets(first.Port) - firstTx, Is.EqualTo((ulong)Flows));

            // The second node is back too: the flows that prefer it go back to it, the others stay, as at the start.
            second.Namespace.ExecChecked("ip", "link", "set", "eth0", "up");
            rig.Switch.AddStaticNeighbours();
            await SwitchRig.WaitForAsync(() => rig.Controller.NodesLive[1], cancellationToken);
            await SwitchRig.WaitForAsync(() => rig.Switch.DumpFlows().Count(f => f.Contains("priority=600", StringComparison.Ordinal)) == spread[0], cancellationToken);
            rig.WaitForDatapath();
            (firstTx, secondTx) = (rig.SwitchTxPackets(first.Port), rig.SwitchTxPackets(second.Port));
            await SendEveryFlowAsync("rebalanced");
            Assert.That(rig.SwitchTxPackets(first.Port) - firstTx, Is.EqualTo((ulong)spread[0]), "the first node keeps the flows it had at the start");
            Assert.That(rig.SwitchTxPackets(second.Port) - secondTx, Is.EqualTo((ulong)spread[1]), "the flows that prefer the second node went back to it");
        }
        finally
        {
            foreach (var socket in senders)
            {
                socket.Dispose();
            }
        }
    }

    [Test]
    public async Task TwoNodes_SignalingSkipsADownNode_FailsOpenWithNoneLive_AndVisitsANodeThatIsBack(CancellationToken cancellationToken)
    {
        const ushort SignalingPort = 270;
        var rig = _rig = await StartAsync(nodes: 2);
        var (first, second) = (rig.Nodes[0], rig.Nodes[1]);
        await SwitchRig.WaitForAsync(() => rig.Switch.DumpFlows().Count >= 6, cancellationToken);
        using var receiver = rig.Receiver.CreateUdpSocket(SignalingPort);
        using var sender = rig.Sender.CreateUdpSocket(SignalingPort);
        receiver.SendTo(Encoding.ASCII.GetBytes("here"), new IPEndPoint(rig.Sender.Address.ToIPAddress(), OtherPort));
        await SwitchRig.WaitForAsync(() => rig.Controller.PacketIns >= 1, cancellationToken);
        var buffer = new byte[2048];
        string Flow(int priority) => rig.Switch.DumpFlows().Single(f => f.Contains(FormattableString.Invariant($"priority={priority},"), StringComparison.Ordinal) && f.Contains("tp_dst=270", StringComparison.Ordinal));
        async Task<(ulong First, ulong Second)> QueryAsync(string text)
        {
            rig.WaitForDatapath();
            var before = (rig.SwitchTxPackets(first.Port), rig.SwitchTxPackets(second.Port));
            sender.SendTo(Encoding.ASCII.GetBytes(text), new IPEndPoint(rig.Receiver.Address.ToIPAddress(), SignalingPort));
            Assert.That(Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(receiver, buffer, cancellationToken)), Is.EqualTo(text), "the query reached the receiver");
            return (rig.SwitchTxPackets(first.Port) - before.Item1, rig.SwitchTxPackets(second.Port) - before.Item2);
        }

        // The first node down: signaling from outside goes straight to the second.
        first.Namespace.ExecChecked("ip", "link", "set", "eth0", "down");
        await SwitchRig.WaitForAsync(() => Flow(1000).Contains($"actions=set_field:{second.Mac}->eth_dst,output:{second.Port}", StringComparison.Ordinal), cancellationToken);
        Assert.That(await QueryAsync("first down"), Is.EqualTo((0UL, 1UL)));

        // Both down: signaling fails open to L2 learning, like every other packet.
        second.Namespace.ExecChecked("ip", "link", "set", "eth0", "down");
        await SwitchRig.WaitForAsync(() => Flow(1000).Contains("actions=goto_table:1", StringComparison.Ordinal), cancellationToken);
        Assert.That(await QueryAsync("none live"), Is.EqualTo((0UL, 0UL)));

        // The first back, the second still down: signaling visits the first, which sends it on to L2 learning.
        first.Namespace.ExecChecked("ip", "link", "set", "eth0", "up");
        rig.Switch.AddStaticNeighbours();
        await SwitchRig.WaitForAsync(() => Flow(1000).Contains($"output:{first.Port}", StringComparison.Ordinal), cancellationToken);
        Assert.That(Flow(3000), Does.Contain($"in_port={first.Port},tp_dst=270 actions=goto_table:1"));
        Assert.That(await QueryAsync("first back"), Is.EqualTo((1UL, 0UL)));

        // Both back: the chain is whole again, and the entry flow kept its counters through the changes (MODIFY_STRICT).
        second.Namespace.ExecChecked("ip", "link", "set", "eth0", "up");
        rig.Switch.AddStaticNeighbours();
        await SwitchRig.WaitForAsync(() => Flow(3000).Contains($"output:{second.Port}", StringComparison.Ordinal), cancellationToken);
        Assert.That(await QueryAsync("both back"), Is.EqualTo((1UL, 1UL)));
        await SwitchRig.WaitForAsync(() => Flow(1000).Contains("n_packets=4,", StringComparison.Ordinal), cancellationToken);
    }

    [Test]
    public async Task ControllerCrashes_SwitchKeepsForwarding_NewControllerResynchronises(CancellationToken cancellationToken)
    {
        var rig = _rig = await StartAsync(nodes: 1);
        await rig.WaitForProactiveFlowsAsync(cancellationToken);
        using var sender = rig.Sender.CreateUdpSocket(OtherPort);
        using var receiver = rig.Receiver.CreateUdpSocket(FilteredPort);
        using var receiverOther = rig.Receiver.CreateUdpSocket(OtherPort);
        var toReceiver = new IPEndPoint(rig.Receiver.Address.ToIPAddress(), FilteredPort);
        var toReceiverOther = new IPEndPoint(rig.Receiver.Address.ToIPAddress(), OtherPort);
        var buffer = new byte[2048];
        async Task SendAsync(Socket from, Socket to, IPEndPoint destination, string text)
        {
            from.SendTo(Encoding.ASCII.GetBytes(text), destination);
            Assert.That(Encoding.ASCII.GetString(buffer, 0, await SwitchRig.ReceiveAsync(to, buffer, cancellationToken)), Is.EqualTo(text));
        }

        await SendAsync(sender, receiverOther, toReceiverOther, "hello");
        await SendAsync(receiverOther, sender, new IPEndPoint(rig.Sender.Address.ToIPAddress(), OtherPort), "hello back");
        _filters.Add(Filter);
        await SwitchRig.WaitForAsync(() => rig.Switch.DumpFlows().Any(f => f.Contains("priority=500", StringComparison.Ordinal)), cancellationToken);
        await SendAsync(sender, receiver, toReceiver, "steered");
        Assert.That(rig.Controller.SteeredFlows, Is.EqualTo(1));
        var flowsBefore = rig.Switch.DumpFlows().Count;

        // The controller dies: the switch (fail_mode=secure) keeps its flows and forwards what they cover.
        await rig.CrashControllerAsync();
        var nodeTx = rig.SwitchTxPackets(rig.Node.Port);
        await SendAsync(sender, receiver, toReceiver, "steered, no controller");
        await SendAsync(sender, receiverOther, toReceiverOther, "learned, no controller");
        Assert.That(rig.SwitchTxPackets(rig.Node.Port), Is.EqualTo(nodeTx + 1), "the steered flow still visits the node");
        Assert.That(rig.Switch.DumpFlows(), Has.Count.EqualTo(flowsBefore));

        // A new controller: what the old one left is deleted, its proactive flows and the filter's flow are back, once.
        await rig.ConnectNewControllerAsync(cancellationToken);
        await SwitchRig.WaitForAsync(() => rig.Switch.DumpFlows().Any(f => f.Contains("priority=500", StringComparison.Ordinal)), cancellationToken);
        var flows = rig.Switch.DumpFlows();
        var proactive = flows.Where(f => f.Contains($"cookie=0x{LearningController.ProactiveCookie:x}", StringComparison.Ordinal)).Select(WithoutCounters).ToArray();
        Assert.That(proactive, Has.Length.EqualTo(rig.Controller.ProactiveFlows(() => 0).Count).And.Unique);
        Assert.That(flows, Has.None.Contains("priority=600"), "the steered flow of the old controller is gone");
        Assert.That(flows, Has.None.Contains($"cookie=0x{LearningController.LearnedCookie:x}"), "and its learned flows");
        Assert.That(flows.Count(f => f.Contains("priority=500", StringComparison.Ordinal)), Is.EqualTo(1));

        // The filter's traffic goes through the node again, steered by the new controller.
        rig.WaitForDatapath();
        nodeTx = await rig.TxPacketsAsync(rig.Node.Port, cancellationToken);
        await SendAsync(sender, receiver, toReceiver, "steered again");
        Assert.That(rig.Controller.SteeredFlows, Is.EqualTo(1));
        Assert.That(await rig.TxPacketsAsync(rig.Node.Port, cancellationToken), Is.EqualTo(nodeTx + 1));
        Assert.That(rig.Switch.DumpFlows(), Has.Some.Contains($"priority=600,udp,nw_src={rig.Sender.Address},nw_dst={rig.Receiver.Address},tp_src={OtherPort},tp_dst={FilteredPort}"));
    }

    /// <summary>A dump-flows line without the fields that change as packets pass.</summary>
    private static string WithoutCounters(string flow) =>
        string.Join(", ", flow.Split(", ").Where(field => !field.StartsWith("duration=", StringComparison.Ordinal) && !field.StartsWith("n_packets=", StringComparison.Ordinal) && !field.StartsWith("n_bytes=", StringComparison.Ordinal) && !field.StartsWith("idle_age=", StringComparison.Ordinal)));

    /// <summary>
    /// Two nodes, the filter installed, and the receiver's socket for the filter's port; the switch has learned where the
    /// receiver is (its reply is flooded, to the nodes as well) so that the nodes' counters then count only steered packets.
    /// </summary>
    private async Task<(SwitchRig Rig, Socket Receiver)> StartTwoNodesWithFilterAsync(CancellationToken cancellationToken)
    {
        var rig = _rig = await StartAsync(nodes: 2);
        await rig.WaitForProactiveFlowsAsync(cancellationToken);
        _filters.Add(Filter);
        await SwitchRig.WaitForAsync(() => rig.Switch.DumpFlows().Any(f => f.Contains("priority=500", StringComparison.Ordinal)), cancellationToken);
        var receiver = rig.Receiver.CreateUdpSocket(FilteredPort);
        receiver.SendTo(Encoding.ASCII.GetBytes("here"), new IPEndPoint(rig.Sender.Address.ToIPAddress(), OtherPort));
        await SwitchRig.WaitForAsync(() => rig.Controller.PacketIns >= 1, cancellationToken);
        return (rig, receiver);
    }

    /// <summary>The rig with <paramref name="nodes"/> NetServ nodes, each routing what it is given back onto the switch.</summary>
    private async Task<SwitchRig> StartAsync(int nodes)
    {
        var rig = await SwitchRig.StartAsync(
            hosts =>
            {
                var options = new LearningControllerOptions { NetServPort = hosts[0].Port, NetServMac = hosts[0].Mac };
                foreach (var host in hosts.Skip(1))
                {
                    options.MoreNodes.Add(new NetServNodeAttachment(host.Port, host.Mac));
                }

                return options;
            },
            _filters,
            nodes);
        foreach (var node in rig.Nodes)
        {
            node.Namespace.ExecChecked("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            node.Namespace.ExecChecked("sysctl", "-q", "-w", "net.ipv4.conf.all.send_redirects=0");
            node.Namespace.ExecChecked("sysctl", "-q", "-w", "net.ipv4.conf.eth0.send_redirects=0");
        }

        return rig;
    }
}
