using System.Diagnostics;
using System.Net;
using System.Text;
using NetServ.Networking;
using NetServ.OpenFlow.Transport;
using NetServ.Sdk.Testing;
using NetServ.Testbed.OpenFlow;
using NetServ.TestSupport.OpenFlow;

namespace NetServ.OpenFlow.Tests.Interop;

/// <summary>
/// The codec and the connection against a real Open vSwitch (userspace datapath, in a namespace of its own) with two
/// hosts: a (198.18.0.1, port 1) and b (198.18.0.2, port 2). Each test gets a fresh switch; the controller's side is
/// this library. Skipped without root or Open vSwitch.
/// </summary>
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class OvsInteropTests
{
    private const ushort UdpPort = 5000;

    private OvsSwitch _switch = null!;
    private OvsHost _a = null!;
    private OvsHost _b = null!;
    private OpenFlowListener? _listener;
    private OpenFlowConnection? _connection;

    [SetUp]
    public void SetUp()
    {
        _switch = TestSwitch.Start();
        _a = _switch.AddHost("a", "198.18.0.1/24");
        _b = _switch.AddHost("b", "198.18.0.2/24");
        _switch.AddStaticNeighbours();
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _listener?.Dispose();
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine(_switch.SwitchLogTail());
        }

        _switch.Dispose();
    }

    [Test]
    public async Task StartAsync_OpenVSwitch_Negotiates13(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        Assert.That(connection.Version, Is.EqualTo(OpenFlowConstants.Version13));
    }

    [Test]
    public async Task StartAsync_OpenVSwitchSpeaking10Only_FailsWithIncompatibleVersion(CancellationToken cancellationToken)
    {
        _switch.VsCtl("set", "bridge", OvsSwitch.Bridge, "protocols=OpenFlow10");
        _listener = _switch.ListenForController();
        await using var connection = await _listener.AcceptAsync(cancellationToken);
        var thrown = Assert.ThrowsAsync<OpenFlowConnectionException>(() => connection.StartAsync(cancellationToken));
        Assert.That(thrown!.Closed.Reason, Is.EqualTo(OpenFlowCloseReason.IncompatibleVersion));
    }

    [Test]
    public async Task FeaturesRequest_OpenVSwitch_RepliesWithItsDatapathId(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        var reply = await connection.RequestAsync(xid => new FeaturesRequestMessage(xid), cancellationToken);
        Assert.That(reply, Is.TypeOf<FeaturesReplyMessage>());
        var features = (FeaturesReplyMessage)reply;
        Assert.That(features.DatapathId, Is.EqualTo(OvsSwitch.DatapathId));
        Assert.That(features.TableCount, Is.GreaterThan(0));
        Assert.That(features.AuxiliaryId, Is.Zero);
    }

    [Test]
    public async Task FlowMod_Add_AppearsInOvsOfctlDumpFlows(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        await connection.SendAsync(
            new FlowModMessage(connection.NextXid(), FlowModCommand.Add, new OpenFlowMatch(
                [Oxm.InPort(_a.Port), Oxm.EthType(0x0800), Oxm.IpProto(17), Oxm.Ipv4Dst(_b.Address), Oxm.UdpDst(270)]))
            {
                Cookie = 0x4e53,
                Priority = 100,
                Instructions = [new ApplyActionsInstruction([new OutputAction(_b.Port)])],
            },
            cancellationToken);
        await connection.BarrierAsync(cancellationToken);

        var flows = _switch.DumpFlows();
        Assert.That(flows, Has.Exactly(1).Items);
        Assert.That(flows[0], Does.Contain("cookie=0x4e53").And.Contain("priority=100,udp,in_port=1,nw_dst=198.18.0.2,tp_dst=270")
            .And.EndsWith("actions=output:2"));
    }

    [Test]
    public async Task FlowMod_Delete_RemovesTheFlowFromDumpFlows(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        await AddForwardingAsync(connection, _a, _b, cookie: 7, cancellationToken);
        await AddForwardingAsync(connection, _b, _a, cookie: 8, cancellationToken);
        await connection.SendAsync(
            new FlowModMessage(connection.NextXid(), FlowModCommand.Delete, OpenFlowMatch.Any) { Cookie = 7, CookieMask = ulong.MaxValue, TableId = OpenFlowConstants.AllTables },
            cancellationToken);
        await connection.BarrierAsync(cancellationToken);

        var flows = _switch.DumpFlows();
        Assert.That(flows, Has.Exactly(1).Items);
        Assert.That(flows[0], Does.Contain("cookie=0x8"));
    }

    [Test]
    public async Task FlowMod_GotoItsOwnTable_IsAnsweredWithBadInstruction(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        var answer = await connection.RequestAsync(
            xid => new FlowModMessage(xid, FlowModCommand.Add, OpenFlowMatch.Any)
            {
                Instructions = [new GotoTableInstruction(0)],
            },
            cancellationToken);
        Assert.That(answer, Is.TypeOf<ErrorMessage>());
        Assert.That(((ErrorMessage)answer).ErrorType, Is.EqualTo(OpenFlowErrorType.BadInstruction));
    }

    [Test]
    public async Task TableMiss_ToController_RealUdpPacketComesAsPacketIn(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        await connection.SendAsync(
            new FlowModMessage(connection.NextXid(), FlowModCommand.Add, OpenFlowMatch.Any)
            {
                Priority = 0,
                Instructions = [new ApplyActionsInstruction([new OutputAction(OpenFlowPort.Controller, OpenFlowConstants.ControllerNoBuffer)])],
            },
            cancellationToken);
        await connection.BarrierAsync(cancellationToken);

        var payload = Encoding.ASCII.GetBytes("netserv packet-in");
        using var sender = _a.CreateUdpSocket(UdpPort);
        sender.SendTo(payload, new IPEndPoint(_b.Address.ToIPAddress(), UdpPort));

        var packetIn = await NextAsync<PacketInMessage>(connection, cancellationToken);
        Assert.That(packetIn.Reason, Is.EqualTo(PacketInReason.NoMatch));
        Assert.That(packetIn.Match.InPort, Is.EqualTo(_a.Port));
        Assert.That(packetIn.BufferId, Is.EqualTo(OpenFlowConstants.NoBuffer));
        var frame = packetIn.Data.Span;
        Assert.That(packetIn.TotalLength, Is.EqualTo(frame.Length));
        Assert.That(EthernetAddress.Read(frame), Is.EqualTo(_b.Mac));
        Assert.That(EthernetAddress.Read(frame[6..]), Is.EqualTo(_a.Mac));
        Assert.That(frame.Slice(14 + 12, 8).ToArray(), Is.EqualTo(Bytes(_a.Address, _b.Address)));
        Assert.That(frame[^payload.Length..].ToArray(), Is.EqualTo(payload));
    }

    [Test]
    public async Task PacketOut_FrameToPort_IsDeliveredToTheHost(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        using var receiver = _b.CreateUdpSocket(UdpPort);
        var payload = Encoding.ASCII.GetBytes("netserv packet-out");
        var frame = Frame(_a, _b, TestPackets.Udp(_a.Address, _b.Address, UdpPort, UdpPort, payload));

        await connection.SendAsync(
            new PacketOutMessage(connection.NextXid(), OpenFlowConstants.NoBuffer, OpenFlowPort.Controller, [new OutputAction(_b.Port)], frame),
            cancellationToken);

        var buffer = new byte[2048];
        var received = await receiver.ReceiveAsync(buffer, cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        Assert.That(buffer[..received], Is.EqualTo(payload));
    }

    [Test]
    public async Task PortDescriptionRequest_OpenVSwitch_DescribesEachHostPortUp(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        var reply = (PortDescriptionReplyMessage)await connection.RequestAsync(xid => new PortDescriptionRequestMessage(xid), cancellationToken);
        var ports = reply.Ports.ToDictionary(p => p.PortNumber);
        Assert.That(ports[_a.Port].Name, Is.EqualTo(_a.SwitchInterface));
        Assert.That(ports[_b.Port].IsUp, Is.True);
        Assert.That(ports[OpenFlowPort.Local].Name, Is.EqualTo(OvsSwitch.Bridge));
    }

    [Test]
    public async Task PortStatus_HostLinkDown_ComesAsModifyWithLinkDown(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        _b.Namespace.ExecChecked("ip", "link", "set", "eth0", "down");
        PortStatusMessage status;
        do
        {
            status = await NextAsync<PortStatusMessage>(connection, cancellationToken);
        }
        while (status.Port.PortNumber != _b.Port || status.Port.IsUp);

        // What Open vSwitch sent, re-encoded (every field is kept, padding is zeros): the shape of the codec's test vector.
        TestContext.Out.WriteLine(Convert.ToHexString(OpenFlowCodec.Encode(status)));
        Assert.That(status.Reason, Is.EqualTo(PortStatusReason.Modify));
        Assert.That(status.Port.Name, Is.EqualTo(_b.SwitchInterface));
        Assert.That(status.Port.State & PortState.LinkDown, Is.EqualTo(PortState.LinkDown));
        Assert.That(OpenFlowCodec.Encode(status), Has.Length.EqualTo(OpenFlowConstants.PortStatusLength));
    }

    [Test]
    public async Task Barrier_AfterManyFlowMods_RepliesOnceAllAreInTheTable(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        for (ushort port = 1000; port < 1050; port++)
        {
            await connection.SendAsync(
                new FlowModMessage(connection.NextXid(), FlowModCommand.Add, new OpenFlowMatch([Oxm.EthType(0x0800), Oxm.IpProto(17), Oxm.UdpDst(port)]))
                {
                    Instructions = [new ApplyActionsInstruction([new OutputAction(_b.Port)])],
                },
                cancellationToken);
        }

        await connection.BarrierAsync(cancellationToken);
        Assert.That(_switch.DumpFlows(), Has.Count.EqualTo(50));
    }

    [Test]
    public async Task FlowStatsRequest_AfterTraffic_CountsThePacketsOfEachFlow(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        await AddForwardingAsync(connection, _a, _b, cookie: 0xa, cancellationToken);
        await AddForwardingAsync(connection, _b, _a, cookie: 0xb, cancellationToken);
        using var sender = _a.CreateUdpSocket(UdpPort);
        using var receiver = _b.CreateUdpSocket(UdpPort);
        var buffer = new byte[2048];
        for (var i = 0; i < 3; i++)
        {
            sender.SendTo(new byte[100], new IPEndPoint(_b.Address.ToIPAddress(), UdpPort));
            await receiver.ReceiveAsync(buffer, cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }

        // The userspace datapath pushes its counters to the flow table when its revalidator runs: poll briefly.
        FlowStatsReplyMessage stats;
        var watch = Stopwatch.StartNew();
        do
        {
            var reply = await connection.RequestAsync(xid => new FlowStatsRequestMessage(xid, OpenFlowMatch.Any), cancellationToken);
            Assert.That(reply, Is.TypeOf<FlowStatsReplyMessage>());
            stats = (FlowStatsReplyMessage)reply;
        }
        while (stats.Flows.Single(f => f.Cookie == 0xa).PacketCount < 3 && watch.Elapsed < TimeSpan.FromSeconds(5) && await Delay(cancellationToken));

        Assert.That(stats.Flows.Select(f => f.Cookie), Is.EquivalentTo(new ulong[] { 0xa, 0xb }));
        var forward = stats.Flows.Single(f => f.Cookie == 0xa);
        Assert.That(forward.PacketCount, Is.EqualTo(3));
        Assert.That(forward.ByteCount, Is.EqualTo(3 * (14 + 20 + 8 + 100)));
        Assert.That(forward.Match.InPort, Is.EqualTo(_a.Port));
        Assert.That(forward.Instructions, Has.Count.EqualTo(1));
        Assert.That(forward.Instructions[0], Is.TypeOf<ApplyActionsInstruction>());
        var actions = ((ApplyActionsInstruction)forward.Instructions[0]).Actions;
        Assert.That(actions.Select(a => (a as OutputAction)?.Port), Is.EqualTo(new uint?[] { _b.Port }), actions.ToString());
        Assert.That(stats.Flows.Single(f => f.Cookie == 0xb).PacketCount, Is.Zero);
    }

    [Test]
    public async Task EchoRequest_OpenVSwitch_RepliesWithTheSameData(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        var reply = await connection.RequestAsync(xid => new EchoRequestMessage(xid, Encoding.ASCII.GetBytes("netserv echo")), cancellationToken);
        Assert.That(reply, Is.TypeOf<EchoReplyMessage>());
        Assert.That(((EchoReplyMessage)reply).Data, Is.EqualTo(new OpenFlowBytes(Encoding.ASCII.GetBytes("netserv echo"))));
    }

    [Test]
    public async Task FlowStatsRequest_MoreFlowsThanOneReplyHolds_GathersEveryPart(CancellationToken cancellationToken)
    {
        // About 100 bytes per flow: 1500 flows need more than one 64 KiB reply, so OVS sets OFPMPF_REPLY_MORE.
        const int count = 1500;
        var connection = await ConnectAsync(cancellationToken);
        for (var i = 0; i < count; i++)
        {
            await connection.SendAsync(
                new FlowModMessage(connection.NextXid(), FlowModCommand.Add, new OpenFlowMatch(
                    [Oxm.EthType(0x0800), Oxm.IpProto(17), Oxm.Ipv4Dst(new Ipv4Address(0xc6130000u + (uint)i)), Oxm.UdpDst(270)]))
                {
                    Cookie = (ulong)i,
                    Instructions = [new ApplyActionsInstruction([new OutputAction(_b.Port)])],
                },
                cancellationToken);
        }

        await connection.BarrierAsync(cancellationToken);
        var reply = await connection.RequestAsync(xid => new FlowStatsRequestMessage(xid, OpenFlowMatch.Any), cancellationToken);

        Assert.That(reply, Is.TypeOf<FlowStatsReplyMessage>());
        var cookies = ((FlowStatsReplyMessage)reply).Flows.Select(f => f.Cookie).Order().ToArray();
        Assert.That(cookies, Is.EqualTo(Enumerable.Range(0, count).Select(i => (ulong)i)));
    }

    [Test]
    public async Task PortStatsRequest_AllPorts_ListsBothHostPorts(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        var reply = await connection.RequestAsync(xid => new PortStatsRequestMessage(xid), cancellationToken);
        Assert.That(reply, Is.TypeOf<PortStatsReplyMessage>());
        Assert.That(((PortStatsReplyMessage)reply).Ports.Select(p => p.PortNumber), Is.SupersetOf(new[] { _a.Port, _b.Port }));
    }

    [Test]
    public async Task FlowWithHardTimeout_Expires_SwitchSendsFlowRemoved(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        var match = new OpenFlowMatch([Oxm.InPort(_a.Port)]);
        await connection.SendAsync(
            new FlowModMessage(connection.NextXid(), FlowModCommand.Add, match)
            {
                Cookie = 0x7717,
                Priority = 321,
                HardTimeout = 1,
                Flags = FlowModOptions.SendFlowRemoved,
                Instructions = [new ApplyActionsInstruction([new OutputAction(_b.Port)])],
            },
            cancellationToken);

        var removed = await NextAsync<FlowRemovedMessage>(connection, cancellationToken);
        Assert.That(removed.Reason, Is.EqualTo(FlowRemovedReason.HardTimeout));
        Assert.That(removed.Cookie, Is.EqualTo(0x7717));
        Assert.That(removed.Priority, Is.EqualTo(321));
        Assert.That(removed.HardTimeout, Is.EqualTo(1));
        Assert.That(removed.DurationSeconds, Is.GreaterThanOrEqualTo(1));
        Assert.That(removed.Match, Is.EqualTo(match));
        Assert.That(_switch.DumpFlows(), Is.Empty);
    }

    private async Task<OpenFlowConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        _listener = _switch.ListenForController();
        _connection = await _listener.AcceptAsync(cancellationToken);
        await _connection.StartAsync(cancellationToken);
        return _connection;
    }

    private static async Task AddForwardingAsync(OpenFlowConnection connection, OvsHost from, OvsHost to, ulong cookie, CancellationToken cancellationToken)
    {
        await connection.SendAsync(
            new FlowModMessage(connection.NextXid(), FlowModCommand.Add, new OpenFlowMatch([Oxm.InPort(from.Port)]))
            {
                Cookie = cookie,
                Instructions = [new ApplyActionsInstruction([new OutputAction(to.Port)])],
            },
            cancellationToken);
        await connection.BarrierAsync(cancellationToken);
    }

    /// <summary>The next message of type <typeparamref name="T"/> the switch sends unasked, skipping others (PORT_STATUS...).</summary>
    private static async Task<T> NextAsync<T>(OpenFlowConnection connection, CancellationToken cancellationToken)
        where T : OpenFlowMessage
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        await foreach (var message in connection.Messages.ReadAllAsync(timeout.Token))
        {
            if (message is T wanted)
            {
                return wanted;
            }
        }

        throw new AssertionException($"the connection ended before a {typeof(T).Name}: {await connection.Completion}");
    }

    private static async Task<bool> Delay(CancellationToken cancellationToken)
    {
        await Task.Delay(100, cancellationToken);
        return true;
    }

    private static byte[] Frame(OvsHost from, OvsHost to, byte[] ipPacket)
    {
        var frame = new byte[14 + ipPacket.Length];
        to.Mac.Write(frame);
        from.Mac.Write(frame.AsSpan(6));
        frame[12] = 0x08;
        ipPacket.CopyTo(frame, 14);
        return frame;
    }

    private static byte[] Bytes(Ipv4Address source, Ipv4Address destination)
    {
        var bytes = new byte[8];
        source.Write(bytes);
        destination.Write(bytes.AsSpan(4));
        return bytes;
    }
}
