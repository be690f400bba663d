using System.Buffers.Binary;
using NetServ.Networking;
using NetServ.Signaling.Gist;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Tests.Nslp;

namespace NetServ.Signaling.Tests.Gist;

[TestFixture]
public sealed class GistStateMachineTests
{
    private static readonly Ipv4Address ClientAddress = Ipv4Address.Parse("198.18.0.2");
    private static readonly Ipv4Address NodeAddress = Ipv4Address.Parse("198.18.1.1");
    private static readonly Ipv4Address HostAddress = Ipv4Address.Parse("198.18.4.2");
    private static readonly DateTimeOffset T0 = GistTestNetwork.Start;
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Validity = TimeSpan.FromSeconds(10);

    // 65 bytes: NSLP messages are text and need padding to a whole number of words.
    private static readonly byte[] Payload = "SETUP NetServ.Apps.NetMonitor_1.0.0 NETSERV/0.1\r\nuser:janedoe\r\n\r\n"u8.ToArray();

    private static readonly byte[] Answer = "NETSERV/0.1 200 OK\r\nnode:B\r\n\r\n"u8.ToArray();

    private static GistPathCoupledMri Mri => new()
    {
        SourceAddress = ClientAddress,
        DestinationAddress = HostAddress,
        Protocol = 17,
        DestinationPort = 5004,
    };

    // --- Discovery, one machine at a time ---

    [Test]
    public void Send_DownstreamWithoutRoutingState_EmitsOneQModeQueryTowardTheFlowDestination()
    {
        var session = GistStateMachine.NewSession();

        var actions = Client().Send(session, Mri, GistDirection.Downstream, Payload, T0);

        Assert.That(actions, Has.Count.EqualTo(1));
        var datagram = actions[0] as SendDatagramAction;
        Assert.That(datagram, Is.Not.Null);
        Assert.That(datagram!.QueryMode, Is.True);
        Assert.That(datagram.Address, Is.EqualTo(HostAddress));
        Assert.That(datagram.Port, Is.EqualTo(GistConstants.UdpPort));
        var query = Decode<GistQuery>(datagram.Datagram, withMagic: true);
        Assert.Multiple(() =>
        {
            Assert.That(query.SessionId, Is.EqualTo(session));
            Assert.That(datagram.Datagram[GistConstants.MagicNumberLength + 7] & 0x40, Is.EqualTo(0x40), "RFC 5971 A.1: the R flag MUST always be set in Query messages");
            Assert.That(query.Mri, Is.EqualTo(Mri));
            Assert.That(query.Nli.InterfaceAddress, Is.EqualTo(ClientAddress));
            Assert.That(query.Nli.PeerIdentity.ToArray(), Is.EqualTo("P"u8.ToArray()));
            Assert.That(query.NslpData, Is.Not.Null);
            Assert.That(query.StackProposal, Is.Not.Null);
            Assert.That(query.StackProposal!.Profiles.Any(p => p.Protocols.Contains(GistMaProtocolId.ForwardsTcp)), Is.True, "no Forwards-TCP profile");
        });
        AssertCarries(query.NslpData!.Payload.ToArray(), Payload);
    }

    [Test]
    public void OnDatagram_Query_AnswersWithAResponseToTheQueryingAddressAndPort()
    {
        var query = FirstQuery(Client(), GistStateMachine.NewSession(), Payload);

        var actions = Node("A", NodeAddress).OnDatagram(query, ClientAddress, GistTestNetwork.ClientPort, T0);

        var datagrams = actions.OfType<SendDatagramAction>().ToList();
        Assert.That(datagrams, Has.Count.EqualTo(1));
        Assert.That(datagrams[0].QueryMode, Is.False);
        Assert.That(datagrams[0].Address, Is.EqualTo(ClientAddress));
        Assert.That(datagrams[0].Port, Is.EqualTo(GistTestNetwork.ClientPort));
        var sent = Decode<GistQuery>(query, withMagic: true);
        var response = Decode<GistResponse>(datagrams[0].Datagram, withMagic: true);
        Assert.Multiple(() =>
        {
            Assert.That(response.SessionId, Is.EqualTo(sent.SessionId));
            Assert.That(response.QueryCookie, Is.EqualTo(sent.QueryCookie), "the Query-Cookie is not echoed");
            Assert.That(response.ResponderCookie, Is.Not.Null);
            Assert.That(response.ResponseRequested, Is.True, "R: a Confirm is wanted");
            Assert.That(response.Nli.InterfaceAddress, Is.EqualTo(NodeAddress));
            Assert.That(response.StackProposal, Is.Not.Null);
            Assert.That(TcpPortOf(response.StackConfiguration), Is.EqualTo((ushort)270));
        });
    }

    [Test]
    public void OnDatagram_QueryWithNslpData_DeliversItDownstreamFromTheQueryingPeer()
    {
        var session = GistStateMachine.NewSession();
        var node = Node("A", NodeAddress);

        var actions = node.OnDatagram(FirstQuery(Client(), session, Payload), ClientAddress, GistTestNetwork.ClientPort, T0);

        var delivered = actions.OfType<DeliverAction>().ToList();
        Assert.That(delivered, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(delivered[0].Session, Is.EqualTo(session));
            Assert.That(delivered[0].Direction, Is.EqualTo(GistDirection.Downstream));
            Assert.That(delivered[0].Mri, Is.EqualTo(Mri));
            Assert.That(delivered[0].Peer.Name, Is.EqualTo("P"));
            Assert.That(delivered[0].Peer.Address, Is.EqualTo(ClientAddress));
            Assert.That(delivered[0].Peer.DatagramPort, Is.EqualTo(GistTestNetwork.ClientPort));
            Assert.That(delivered[0].Peer.StreamPort, Is.Null, "a client accepts no association");
            Assert.That(node.PeerOf(session, GistDirection.Upstream), Is.EqualTo(delivered[0].Peer));
        });
        AssertCarries(delivered[0].NslpData, Payload);
    }

    [Test]
    public void OnDatagram_Response_OpensAnAssociationToTheResponderAndSendsTheConfirmOnIt()
    {
        var session = GistStateMachine.NewSession();
        var client = Client();
        var responseBytes = ResponseTo(FirstQuery(client, session, Payload), Node("A", NodeAddress));

        var actions = client.OnDatagram(responseBytes, NodeAddress, GistConstants.UdpPort, T0);

        Assert.That(actions.OfType<SendDatagramAction>(), Is.Empty, "the Confirm goes on the association");
        var open = actions.OfType<OpenStreamAction>().Single();
        Assert.That(open.Address, Is.EqualTo(NodeAddress));
        Assert.That(open.Port, Is.EqualTo((ushort)270));
        var sends = actions.OfType<SendStreamAction>().ToList();
        Assert.That(sends, Has.Count.EqualTo(1));
        Assert.That(sends[0].StreamId, Is.EqualTo(open.StreamId));
        Assert.That(actions.ToList().IndexOf(open), Is.LessThan(actions.ToList().IndexOf(sends[0])), "the association is opened before it is used");
        var confirm = Decode<GistConfirm>(sends[0].Message, withMagic: false);
        var response = Decode<GistResponse>(responseBytes, withMagic: true);
        Assert.That(confirm.SessionId, Is.EqualTo(session));
        Assert.That(confirm.ResponderCookie, Is.EqualTo(response.ResponderCookie), "the Responder-Cookie is not echoed");
        var peer = client.PeerOf(session, GistDirection.Downstream);
        Assert.That(peer, Is.Not.Null);
        Assert.That(peer!.Address, Is.EqualTo(NodeAddress));
        Assert.That(peer.Name, Is.EqualTo("A"));
        Assert.That(peer.StreamPort, Is.EqualTo((ushort)270));
    }

    [Test]
    public void OnDatagram_RetransmittedQuery_IsAnsweredAgainButDeliveredOnce()
    {
        var client = Client();
        var node = Node("A", NodeAddress);
        var first = FirstQuery(client, GistStateMachine.NewSession(), Payload);
        var again = client.OnTimer(T0 + QueryTimeout).OfType<SendDatagramAction>().Single(d => d.QueryMode).Datagram;
        Assert.That(again, Is.EqualTo(first), "a retransmission is the same Query, cookie included");

        var actions = node.OnDatagram(first, ClientAddress, GistTestNetwork.ClientPort, T0)
            .Concat(node.OnDatagram(again, ClientAddress, GistTestNetwork.ClientPort, T0 + QueryTimeout))
            .ToList();

        var responses = actions.OfType<SendDatagramAction>().Select(d => Decode<GistResponse>(d.Datagram, withMagic: true)).ToList();
        Assert.That(responses, Has.Count.EqualTo(2));
        Assert.That(responses[1].ResponderCookie, Is.EqualTo(responses[0].ResponderCookie));
        Assert.That(actions.OfType<DeliverAction>().Count(), Is.EqualTo(1));
        Assert.That(node.RoutingStateCount, Is.EqualTo(1));
    }

    [Test]
    public void Send_DuringDiscovery_IsQueuedAndSentAsDataAfterTheResponse()
    {
        var session = GistStateMachine.NewSession();
        var client = Client();
        var query = FirstQuery(client, session, Payload);
        var second = "MODULE NetMonitor\r\n\r\n"u8.ToArray();

        var whileDiscovering = client.Send(session, Mri, GistDirection.Downstream, second, T0);
        var actions = client.OnDatagram(ResponseTo(query, Node("A", NodeAddress)), NodeAddress, GistConstants.UdpPort, T0);

        Assert.That(whileDiscovering, Is.Empty);
        var data = actions.OfType<SendDatagramAction>().Single();
        Assert.That(data.Address, Is.EqualTo(NodeAddress));
        Assert.That(data.Port, Is.EqualTo(GistConstants.UdpPort));
        AssertCarries(Decode<GistData>(data.Datagram, withMagic: true).NslpData.Payload.ToArray(), second);
    }

    [Test]
    public void SendUpstream_WithoutRoutingState_ReportsNoRoutingState()
    {
        var session = GistStateMachine.NewSession();

        var actions = Node("A", NodeAddress).Send(session, Mri, GistDirection.Upstream, Answer, T0);

        Assert.That(actions, Has.Count.EqualTo(1));
        Assert.That(actions[0], Is.TypeOf<SessionStatusAction>());
        Assert.That(((SessionStatusAction)actions[0]).Session, Is.EqualTo(session));
        Assert.That(((SessionStatusAction)actions[0]).Outcome, Is.EqualTo(GistSessionOutcome.NoRoutingState));
    }

    [Test]
    public void OnDatagram_ResponseFromANodeThatGivesNoInterfaceAddress_PeerIsWhereTheResponseCameFrom()
    {
        var session = GistStateMachine.NewSession();
        var client = Client();
        var silent = new GistStateMachine(GistTestNetwork.NodeOptions("A", NodeAddress) with { LocalAddressFor = _ => Ipv4Address.Any });
        var responseBytes = ResponseTo(FirstQuery(client, session, Payload), silent);
        Assert.That(Decode<GistResponse>(responseBytes, withMagic: true).Nli.InterfaceAddress, Is.EqualTo(Ipv4Address.Any));

        var actions = client.OnDatagram(responseBytes, NodeAddress, GistConstants.UdpPort, T0);

        Assert.That(client.PeerOf(session, GistDirection.Downstream)?.Address, Is.EqualTo(NodeAddress));
        Assert.That(actions.OfType<OpenStreamAction>().Single().Address, Is.EqualTo(NodeAddress));
    }

    [Test]
    public void OnDatagram_ErrorFromTheQueriedPeer_ReportsPeerError()
    {
        var session = GistStateMachine.NewSession();
        var client = Client();
        FirstQuery(client, session, Payload);
        var error = ErrorFromA(GistSamples.ErrorObject with { SessionId = session });

        var actions = client.OnDatagram(GistCodec.Encode(error, withMagic: true), NodeAddress, GistConstants.UdpPort, T0);

        var status = actions.OfType<SessionStatusAction>().Single();
        Assert.That(status.Session, Is.EqualTo(session));
        Assert.That(status.Outcome, Is.EqualTo(GistSessionOutcome.PeerError));
        Assert.That(status.PeerError, Is.EqualTo(new GistRfcError(GistErrorClass.ProtocolError, GistErrorCode.ObjectTypeError, 1)));
    }

    [Test]
    public void OnDatagram_ErrorWithNslpIdZero_IsReportedAsThePeersError()
    {
        var session = GistStateMachine.NewSession();
        var client = Client();
        FirstQuery(client, session, Payload);
        var error = ErrorFromA(GistSamples.ErrorObject with { SessionId = session }) with { NslpId = 0 };

        var actions = client.OnDatagram(GistCodec.Encode(error, withMagic: true), NodeAddress, GistConstants.UdpPort, T0);

        var status = actions.OfType<SessionStatusAction>().Single();
        Assert.That(status.Session, Is.EqualTo(session));
        Assert.That(status.PeerError?.Code, Is.EqualTo(GistErrorCode.ObjectTypeError));
    }

    [Test]
    public void OnDatagram_ErrorAboutAnotherSession_LeavesOursAlone()
    {
        var session = GistStateMachine.NewSession();
        var client = Client();
        FirstQuery(client, session, Payload);
        var error = ErrorFromA(GistSamples.ErrorObject with { SessionId = GistStateMachine.NewSession() });

        var actions = client.OnDatagram(GistCodec.Encode(error, withMagic: true), NodeAddress, GistConstants.UdpPort, T0);

        Assert.That(actions.OfType<SessionStatusAction>(), Is.Empty);
    }

    [Test]
    public void OnDatagram_ErrorWhoseInfoCountAnnouncesAMissingField_ReportsItsCodeAndLogsTheFault()
    {
        var session = GistStateMachine.NewSession();
        var client = Client();
        FirstQuery(client, session, Payload);
        var withoutInfo = GistSamples.ErrorObject with { SessionId = session, ErrorCode = GistErrorCode.NoRoutingState, Subcode = 0, AdditionalInfo = default, DebugComment = null };
        var bytes = GistCodec.Encode(ErrorFromA(withoutInfo), withMagic: true);
        var infoCount = InfoCountOffset(bytes);
        bytes[infoCount] = 1;
        Assert.That(GistCodec.TryDecode(bytes, withMagic: true, out _, out var decodeError), Is.False, "setup: the Error should not decode");
        Assert.That(decodeError.Kind, Is.EqualTo(GistErrorKind.IncorrectObjectLength));

        var actions = client.OnDatagram(bytes, NodeAddress, GistConstants.UdpPort, T0);

        var status = actions.OfType<SessionStatusAction>().Single();
        Assert.That(status.Session, Is.EqualTo(session));
        Assert.That(status.Outcome, Is.EqualTo(GistSessionOutcome.PeerError));
        Assert.That(status.PeerError, Is.EqualTo(new GistRfcError(GistErrorClass.ProtocolError, GistErrorCode.NoRoutingState, 0)));
        Assert.That(actions.OfType<TraceAction>().Where(t => t.PeerFault).Select(t => t.Text), Has.One.Contains("Info Count"));
    }

    [Test]
    public void OnStreamMessage_MaHelloWithNslpIdZero_IsAnswered()
    {
        var node = Node("A", NodeAddress);
        var stream = node.AcceptStream(ClientAddress, T0);

        var actions = node.OnStreamMessage(stream, GistCodec.Encode(new GistMaHello(new GistHelloId(9)) { ResponseRequested = true, NslpId = 0 }), T0);

        Assert.That(actions.OfType<SendStreamAction>().Single().StreamId, Is.EqualTo(stream));
    }

    [Test]
    public void OnStreamMessage_MaHelloAskingForAReply_IsAnsweredOnTheSameAssociation()
    {
        var node = Node("A", NodeAddress);
        var stream = node.AcceptStream(ClientAddress, T0);
        var hello = new GistMaHello(new GistHelloId(7)) { ResponseRequested = true };

        var actions = node.OnStreamMessage(stream, GistCodec.Encode(hello), T0);

        var reply = actions.OfType<SendStreamAction>().Single();
        Assert.That(reply.StreamId, Is.EqualTo(stream));
        var decoded = Decode<GistMaHello>(reply.Message, withMagic: false);
        Assert.That(decoded.HelloId, Is.EqualTo(hello.HelloId));
        Assert.That(decoded.ResponseRequested, Is.False);
    }

    // --- What is refused or ignored ---

    private static IEnumerable<TestCaseData> MalformedDatagrams()
    {
        var query = FirstQuery(Client(), GistStateMachine.NewSession(), Payload);
        var magic = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(magic, GistConstants.MagicNumber);
        var random = new Random(5971);
        var noise = new byte[200];
        random.NextBytes(noise);
        var noiseAfterMagic = magic.Concat(noise).ToArray();
        var badLength = (byte[])query.Clone();
        badLength[7]++;
        yield return new TestCaseData(Array.Empty<byte>()).SetName("{m}(empty)");
        yield return new TestCaseData(new byte[] { 1, 2, 3 }).SetName("{m}(three bytes)");
        yield return new TestCaseData(magic).SetName("{m}(magic number alone)");
        yield return new TestCaseData(noise).SetName("{m}(noise)");
        yield return new TestCaseData(noiseAfterMagic).SetName("{m}(noise after the magic number)");
        yield return new TestCaseData(query[..^1]).SetName("{m}(Query one byte short)");
        yield return new TestCaseData(badLength).SetName("{m}(Query with a wrong message length)");
    }

    [TestCaseSource(nameof(MalformedDatagrams))]
    public void OnDatagram_Malformed_IsDroppedAsMalformedAndChangesNothing(byte[] datagram)
    {
        var node = Node("A", NodeAddress);

        var actions = node.OnDatagram(datagram, ClientAddress, GistTestNetwork.ClientPort, T0);

        Assert.That(actions, Is.Not.Empty.And.All.TypeOf<TraceAction>());
        Assert.That(actions.OfType<TraceAction>().Select(t => t.Discarded), Does.Contain((GistDiscardReason?)GistDiscardReason.Malformed));
        Assert.That(node.RoutingStateCount, Is.Zero);
        Assert.That(node.NextDeadline, Is.Null);
    }

    [Test]
    public void OnDatagram_MutatedMessages_NeverThrow()
    {
        var session = GistStateMachine.NewSession();
        var client = Client();
        var node = Node("A", NodeAddress);
        var query = FirstQuery(client, session, Payload);
        var response = ResponseTo(query, node);
        var random = new Random(270);

        for (var i = 0; i < 2000; i++)
        {
            var original = i % 2 == 0 ? query : response;
            var mutated = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
            }

            var target = i % 2 == 0 ? node : client;
            Assert.DoesNotThrow(() => target.OnDatagram(mutated, ClientAddress, GistTestNetwork.ClientPort, T0), $"mutation {i}: {Convert.ToHexString(mutated)}");
            Assert.DoesNotThrow(() => target.OnTimer(T0 + TimeSpan.FromSeconds(i)));
        }
    }

    [Test]
    public void OnDatagram_QueryWithoutTheMagicNumber_IsRefused()
    {
        var node = Node("A", NodeAddress);
        var dModeQuery = FirstQuery(Client(), GistStateMachine.NewSession(), Payload)[GistConstants.MagicNumberLength..];

        var actions = node.OnDatagram(dModeQuery, ClientAddress, GistTestNetwork.ClientPort, T0);

        Assert.That(actions, Is.Not.Empty.And.All.TypeOf<TraceAction>());
        Assert.That(node.RoutingStateCount, Is.Zero);
    }

    [Test]
    public void OnDatagram_ResponseWithoutTheMagicNumber_IsRefused()
    {
        var session = GistStateMachine.NewSession();
        var client = Client();
        var response = ResponseTo(FirstQuery(client, session, Payload), Node("A", NodeAddress));

        var actions = client.OnDatagram(response.AsSpan(GistConstants.MagicNumberLength), NodeAddress, GistConstants.UdpPort, T0);

        Assert.That(actions, Is.Not.Empty.And.All.TypeOf<TraceAction>());
        Assert.That(client.PeerOf(session, GistDirection.Downstream), Is.Null);
    }

    [Test]
    public void OnStreamMessage_Query_IsRefused()
    {
        var node = Node("A", NodeAddress);
        var stream = node.AcceptStream(ClientAddress, T0);
        var cModeQuery = FirstQuery(Client(), GistStateMachine.NewSession(), Payload)[GistConstants.MagicNumberLength..];

        var actions = node.OnStreamMessage(stream, cModeQuery, T0);

        Assert.That(actions, Is.Not.Empty.And.All.TypeOf<TraceAction>());
        Assert.That(node.RoutingStateCount, Is.Zero);
    }

    [Test]
    public void OnDatagram_QueryForAnotherNslp_IsIgnored()
    {
        var node = Node("A", NodeAddress);
        var query = Decode<GistQuery>(FirstQuery(Client(), GistStateMachine.NewSession(), Payload), withMagic: true) with { NslpId = 1 };

        var actions = node.OnDatagram(GistCodec.Encode(query, withMagic: true), ClientAddress, GistTestNetwork.ClientPort, T0);

        Assert.That(actions, Is.Not.Empty.And.All.TypeOf<TraceAction>());
        Assert.That(node.RoutingStateCount, Is.Zero);
    }

    [Test]
    public void OnDatagram_ResponseWithAnUnknownQueryCookie_IsIgnored()
    {
        var session = GistStateMachine.NewSession();
        var client = Client();
        var response = Decode<GistResponse>(ResponseTo(FirstQuery(client, session, Payload), Node("A", NodeAddress)), withMagic: true);
        var forged = response with { QueryCookie = new GistQueryCookie(new byte[] { 1, 2, 3, 4 }) };

        var actions = client.OnDatagram(GistCodec.Encode(forged, withMagic: true), NodeAddress, GistConstants.UdpPort, T0);

        Assert.That(actions, Is.Not.Empty.And.All.TypeOf<TraceAction>());
        Assert.That(client.PeerOf(session, GistDirection.Downstream), Is.Null);
        Assert.That(client.NextDeadline, Is.EqualTo(T0 + QueryTimeout), "the Query is still awaiting its Response");
    }

    [Test]
    public void OnDatagram_ResponseForAnUnknownSession_IsIgnored()
    {
        var client = Client();
        var response = Decode<GistResponse>(ResponseTo(FirstQuery(Client(), GistStateMachine.NewSession(), Payload), Node("A", NodeAddress)), withMagic: true);

        var actions = client.OnDatagram(GistCodec.Encode(response, withMagic: true), NodeAddress, GistConstants.UdpPort, T0);

        Assert.That(actions, Is.Not.Empty.And.All.TypeOf<TraceAction>());
        Assert.That(client.RoutingStateCount, Is.Zero);
    }

    [Test]
    public void OnDatagram_DataWithoutRoutingState_IsTracedAndCreatesNoState()
    {
        var node = Node("A", NodeAddress);
        var data = new GistData(Mri, GistStateMachine.NewSession(), GistNslpData.FromNslpMessage(Payload));

        var actions = node.OnDatagram(GistCodec.Encode(data, withMagic: true), ClientAddress, GistTestNetwork.ClientPort, T0);

        Assert.That(actions.OfType<TraceAction>().Select(t => t.Text), Has.Some.Contains("without routing state"));
        Assert.That(actions.Where(a => a is SendDatagramAction or OpenStreamAction or SendStreamAction), Is.Empty);
        Assert.That(node.RoutingStateCount, Is.Zero);
    }

    [Test]
    public void OnDatagram_QueryAtAClient_IsIgnored()
    {
        var client = Client();
        var query = FirstQuery(Node("A", NodeAddress), GistStateMachine.NewSession(), Payload);

        var actions = client.OnDatagram(query, NodeAddress, GistConstants.UdpPort, T0);

        Assert.That(actions, Is.Not.Empty.And.All.TypeOf<TraceAction>());
        Assert.That(client.RoutingStateCount, Is.Zero);
    }

    [Test]
    public void OnStreamMessage_OnAnUnknownAssociation_IsTraced()
    {
        var actions = Node("A", NodeAddress).OnStreamMessage(42, GistCodec.Encode(new GistMaHello(new GistHelloId(1)) { ResponseRequested = true }), T0);

        Assert.That(actions, Is.Not.Empty.And.All.TypeOf<TraceAction>());
    }

    [Test]
    public void OnStreamMessage_Malformed_IsTraced()
    {
        var node = Node("A", NodeAddress);
        var stream = node.AcceptStream(ClientAddress, T0);

        var actions = node.OnStreamMessage(stream, new byte[] { 0x01, 0x00, 0x00, 0x09 }, T0);

        Assert.That(actions, Is.Not.Empty.And.All.TypeOf<TraceAction>());
    }

    // --- A path: client P, node A, router, node B, host U ---

    [Test]
    public void Forwarding_ThroughTwoNodes_DeliversThePayloadAtEachWithItsUpstreamPeer()
    {
        var (net, session) = ForwardedToB();
        GistTestHop p = net["P"], a = net["A"], b = net["B"];

        var atA = a.Delivered.Single();
        var atB = b.Delivered.Single();
        Assert.Multiple(() =>
        {
            Assert.That(atA.Direction, Is.EqualTo(GistDirection.Downstream));
            Assert.That(atA.Peer.Name, Is.EqualTo("P"));
            Assert.That(atB.Direction, Is.EqualTo(GistDirection.Downstream));
            Assert.That(atB.Peer.Name, Is.EqualTo("A"));
            Assert.That(atB.Peer.Address, Is.EqualTo(a.Address));
            Assert.That(p.Machine.PeerOf(session, GistDirection.Downstream)?.Address, Is.EqualTo(a.Address));
            Assert.That(a.Machine.PeerOf(session, GistDirection.Upstream)?.Address, Is.EqualTo(p.Address));
            Assert.That(a.Machine.PeerOf(session, GistDirection.Downstream)?.Address, Is.EqualTo(b.Address));
            Assert.That(b.Machine.PeerOf(session, GistDirection.Upstream)?.Address, Is.EqualTo(a.Address));
            Assert.That(net.Misdelivered, Is.Empty);
            Assert.That(net.QueriesLost, Is.Empty);
            Assert.That(net.FailedOpens, Is.Empty);
        });
        AssertCarries(atB.NslpData, Payload);
    }

    [Test]
    public void Forwarding_PastTheLastNode_ReportsNoPeerFoundAfterQueriesWithDoublingTimeouts()
    {
        var (net, session) = ForwardedToB();
        var b = net["B"];
        net.RunFor(TimeSpan.FromSeconds(1));
        var t = net.Now;

        net.Send(b, session, Mri, GistDirection.Downstream, b.Delivered.Single().NslpData);
        Assert.That(b.Machine.NextDeadline, Is.EqualTo(t + QueryTimeout));
        net.RunUntil(t + QueryTimeout);
        Assert.That(b.Machine.NextDeadline, Is.EqualTo(t + (3 * QueryTimeout)));
        net.RunUntil(t + (7 * QueryTimeout) - TimeSpan.FromMilliseconds(1));
        Assert.That(b.Statuses, Is.Empty);
        net.RunUntil(t + (7 * QueryTimeout));

        Assert.That(b.Queries.Select(q => q.At), Is.EqualTo(new[] { t, t + QueryTimeout, t + (3 * QueryTimeout) }));
        Assert.That(b.Queries.Select(q => q.Query.Datagram).Distinct(new BytesComparer()).Count(), Is.EqualTo(1), "a retransmission is the same Query");
        var (at, status) = b.Statuses.Single();
        Assert.That(at, Is.EqualTo(t + (7 * QueryTimeout)));
        Assert.That(status.Session, Is.EqualTo(session));
        Assert.That(status.Outcome, Is.EqualTo(GistSessionOutcome.NoPeerFound));
        Assert.That(status.Detail, Does.Contain("3 Queries"));
        Assert.That(net.QueriesLost.Select(l => l.Sender.Name), Is.EqualTo(new[] { "B", "B", "B" }), "only B's Queries reach U");
        Assert.That(net.Misdelivered, Is.Empty);
        Assert.That(b.Machine.PeerOf(session, GistDirection.Downstream), Is.Null);
    }

    [Test]
    public void Forwarding_FromANodeOnLinkWithTheDestination_ReportsNoPeerFoundAtOnceWithoutAQuery()
    {
        // B reaches U without a router; A reaches it through one (the plain router R).
        var (net, session) = ForwardedToB(onLinkFromB: d => d == HostAddress);
        GistTestHop a = net["A"], b = net["B"];
        var t = net.Now;

        net.Send(b, session, Mri, GistDirection.Downstream, b.Delivered.Single().NslpData);

        var (at, status) = b.Statuses.Single();
        Assert.Multiple(() =>
        {
            Assert.That(at, Is.EqualTo(t), "no wait for a Query timeout");
            Assert.That(status.Outcome, Is.EqualTo(GistSessionOutcome.NoPeerFound));
            Assert.That(status.Detail, Does.Contain("on-link"));
            Assert.That(b.Queries, Is.Empty, "nothing further to ask");
            Assert.That(a.Queries.Count(), Is.EqualTo(1), "A's route goes through a router: A still Queries, and finds B");
            Assert.That(b.Machine.NextDeadline, Is.Not.EqualTo(t + QueryTimeout));
            Assert.That(net.QueriesLost, Is.Empty);
        });
    }

    [Test]
    public void Forwarding_FromANodeWhoseRouteToTheDestinationHasAGateway_StillQueriesAndWaitsOutTheTimeouts()
    {
        // B's own subnet is on-link; the destination is behind a gateway.
        var (net, session) = ForwardedToB(onLinkFromB: d => d.ToString().StartsWith("198.18.3.", StringComparison.Ordinal));
        var b = net["B"];
        var t = net.Now;

        net.Send(b, session, Mri, GistDirection.Downstream, b.Delivered.Single().NslpData);
        net.RunUntil(t + (7 * QueryTimeout) - TimeSpan.FromMilliseconds(1));
        Assert.That(b.Statuses, Is.Empty, "still waiting for a Response");
        net.RunUntil(t + (7 * QueryTimeout));

        Assert.That(b.Queries.Count(), Is.EqualTo(3));
        Assert.That(b.Statuses.Single().At, Is.EqualTo(t + (7 * QueryTimeout)));
        Assert.That(b.Statuses.Single().Status.Outcome, Is.EqualTo(GistSessionOutcome.NoPeerFound));
    }

    [Test]
    public void Discovery_QueriesLostAfterAPeerAnsweredTowardTheDestination_KeepsQueryingUntilThePeerAnswers()
    {
        var (net, _) = ForwardedToB();
        GistTestHop a = net["A"], b = net["B"];
        net.RunFor(TimeSpan.FromSeconds(1));
        var lost = 0;
        net.Loses = (hop, datagram) => hop == a && datagram.QueryMode && ++lost <= 3;
        var session = GistStateMachine.NewSession();
        var t = net.Now;

        net.Send(a, session, Mri, GistDirection.Downstream, Payload);
        net.RunFor(TimeSpan.FromSeconds(5));

        Assert.Multiple(() =>
        {
            Assert.That(a.Statuses.Where(s => s.Status.Session == session), Is.Empty, "no 'no peer' after the three Queries a path without a peer gets");
            Assert.That(
                a.Queries.Where(q => q.At >= t).Select(q => q.At),
                Is.EqualTo(new[] { t, t + QueryTimeout, t + (3 * QueryTimeout), t + (7 * QueryTimeout) }),
                "the fourth Query goes through");
            Assert.That(a.Machine.PeerOf(session, GistDirection.Downstream)?.Address, Is.EqualTo(b.Address));
            Assert.That(b.Delivered.Count(), Is.EqualTo(2), "B got the new session's message");
        });
    }

    [Test]
    public void Discovery_EveryQueryLostAfterAPeerAnswered_ReportsNoPeerFoundOnceTheLongerRetriesRunOut()
    {
        var (net, _) = ForwardedToB();
        var a = net["A"];
        net.Loses = (hop, datagram) => hop == a && datagram.QueryMode;
        var session = GistStateMachine.NewSession();
        var t = net.Now;

        net.Send(a, session, Mri, GistDirection.Downstream, Payload);
        net.RunFor(TimeSpan.FromSeconds(30));

        // 200 ms doubling, six Queries: 200 + 400 + ... + 6400 ms.
        var (at, status) = a.Statuses.Single(s => s.Status.Session == session);
        Assert.Multiple(() =>
        {
            Assert.That(status.Outcome, Is.EqualTo(GistSessionOutcome.NoPeerFound));
            Assert.That(status.Detail, Does.Contain("6 Queries"));
            Assert.That(at, Is.EqualTo(t + (63 * QueryTimeout)));
        });
    }

    [Test]
    public void QueryRetransmission_StopsDoublingAtTheMaximumTimeout()
    {
        var net = GistTestNetwork.ClientTwoNodesAndHost(o => o with { QueryRetries = 4, QueryMaxTimeout = 2 * QueryTimeout });
        var b = net["B"];
        var session = GistStateMachine.NewSession();
        var t = net.Now;

        net.Send(b, session, Mri, GistDirection.Downstream, Payload);
        net.RunFor(TimeSpan.FromSeconds(5));

        Assert.That(
            b.Queries.Select(q => q.At),
            Is.EqualTo(new[] { t, t + QueryTimeout, t + (3 * QueryTimeout), t + (5 * QueryTimeout), t + (7 * QueryTimeout) }),
            "200 ms, then 400 ms between Queries, not 800 and 1600");
        Assert.That(b.Statuses.Single().At, Is.EqualTo(t + (9 * QueryTimeout)));
        Assert.That(b.Statuses.Single().Status.Detail, Does.Contain("5 Queries"));
    }

    [Test]
    public void AnswerFromTheLastNode_TravelsUpstreamNodeByNodeToTheClient()
    {
        var (net, session) = ForwardedToB();
        GistTestHop p = net["P"], a = net["A"], b = net["B"];
        net.Send(b, session, Mri, GistDirection.Downstream, b.Delivered.Single().NslpData);
        net.RunFor(7 * QueryTimeout);
        Assert.That(b.Statuses.Single().Status.Outcome, Is.EqualTo(GistSessionOutcome.NoPeerFound));

        net.Send(b, session, Mri, GistDirection.Upstream, Answer);
        var atA = a.Delivered.Last();
        Assert.That(atA.Direction, Is.EqualTo(GistDirection.Upstream));
        Assert.That(atA.Peer.Name, Is.EqualTo("B"));
        net.Send(a, session, Mri, GistDirection.Upstream, atA.NslpData);

        var atP = p.Delivered.Single();
        Assert.That(atP.Session, Is.EqualTo(session));
        Assert.That(atP.Direction, Is.EqualTo(GistDirection.Upstream));
        Assert.That(atP.Peer.Name, Is.EqualTo("A"));
        AssertCarries(atP.NslpData, Answer);
        Assert.That(net.Misdelivered, Is.Empty);
        Assert.That(net.FailedOpens, Is.Empty);
    }

    [Test]
    public void Send_DownstreamAfterDiscovery_GoesAsDatagramDataToThePeer()
    {
        var (net, session) = Discovered();
        GistTestHop p = net["P"], a = net["A"];
        var second = "MODULE NetMonitor\r\n\r\n"u8.ToArray();

        net.Send(p, session, Mri, GistDirection.Downstream, second);

        var sent = (SendDatagramAction)p.Emitted.Last().Action;
        Assert.That(sent.QueryMode, Is.False);
        Assert.That((sent.Address, sent.Port), Is.EqualTo((a.Address, GistConstants.UdpPort)));
        Assert.That(a.Delivered.Count(), Is.EqualTo(2));
        Assert.That(a.Delivered.Last().Direction, Is.EqualTo(GistDirection.Downstream));
        AssertCarries(a.Delivered.Last().NslpData, second);
        Assert.That(net.Misdelivered, Is.Empty);
    }

    [Test]
    public void SendUpstream_LargerThanADatagram_GoesOverTheAssociationTheClientOpened()
    {
        var (net, session) = Discovered();
        GistTestHop p = net["P"], a = net["A"];
        var stream = net.OpenStreamBetween(p, a);
        Assert.That(stream, Is.Not.Null);
        var large = Large(5000);
        var before = a.Emitted.Count;

        net.Send(a, session, Mri, GistDirection.Upstream, large);

        var sent = a.Emitted.Skip(before).Select(e => e.Action).ToList();
        Assert.That(sent, Has.Count.EqualTo(1));
        Assert.That(sent[0], Is.TypeOf<SendStreamAction>());
        Assert.That(((SendStreamAction)sent[0]).StreamId, Is.EqualTo(stream!.CalleeId));
        var atP = p.Delivered.Single();
        Assert.That(atP.Direction, Is.EqualTo(GistDirection.Upstream));
        Assert.That(atP.NslpData, Is.EqualTo(large));
        Assert.That(net.Misdelivered, Is.Empty);
    }

    [Test]
    public void SendUpstream_AnswerLongerThanOneGistMessage_GoesInSegmentsOverTheClientsAssociationAndIsWholeAtTheClient()
    {
        var (net, session) = Discovered();
        GistTestHop p = net["P"], a = net["A"];
        var stream = net.OpenStreamBetween(p, a);
        Assert.That(stream, Is.Not.Null);
        var answer = NslpSegmentsTests.Response(40_000);
        var before = a.Emitted.Count;

        foreach (var segment in NslpSegments.Encode(answer))
        {
            net.Send(a, session, Mri, GistDirection.Upstream, segment);
        }

        var sent = a.Emitted.Skip(before).Select(e => e.Action).ToList();
        Assert.That(sent, Has.Count.EqualTo(3));
        Assert.That(sent, Is.All.TypeOf<SendStreamAction>(), "each segment is over a datagram's size: C-mode, not IP fragments");
        Assert.That(sent.Cast<SendStreamAction>().Select(s => s.StreamId), Is.All.EqualTo(stream!.CalleeId));
        var assembler = new NslpSegmentAssembler();
        var arrived = p.Delivered.Select(d => NslpCodec.TryParsePadded(d.NslpData, out var message, out _) ? assembler.Accept((NslpResponse)message!, out _) : null).ToList();
        Assert.That(arrived.Take(2), Is.All.Null);
        Assert.That(arrived[^1], Is.Not.Null);
        Assert.That(NslpCodec.Encode(arrived[^1]!), Is.EqualTo(NslpCodec.Encode(answer)));
        Assert.That(net.Misdelivered, Is.Empty);
    }

    [Test]
    public void Send_NslpMessageLongerThanAnNslpDataObjectHolds_SendsNothingAndReportsMessageTooLarge()
    {
        var (net, session) = Discovered();
        GistTestHop a = net["A"];
        var before = a.Emitted.Count;

        net.Send(a, session, Mri, GistDirection.Upstream, Large(GistConstants.MaxObjectContentLength + 1));

        var emitted = a.Emitted.Skip(before).Select(e => e.Action).ToList();
        Assert.That(emitted.OfType<SendDatagramAction>().Concat<GistAction>(emitted.OfType<SendStreamAction>()), Is.Empty);
        Assert.That(a.Statuses.Single().Status.Outcome, Is.EqualTo(GistSessionOutcome.MessageTooLarge));
        Assert.That(a.Statuses.Single().Status.Session, Is.EqualTo(session));
    }

    [Test]
    public void SendDownstream_LargerThanADatagramBeforeDiscovery_FollowsTheConfirmOnTheAssociation()
    {
        var net = GistTestNetwork.ClientTwoNodesAndHost();
        GistTestHop p = net["P"], a = net["A"];
        var session = GistStateMachine.NewSession();
        var large = Large(5000);

        net.Send(p, session, Mri, GistDirection.Downstream, large);

        var emitted = p.Emitted.Select(e => e.Action).ToList();
        Assert.That(emitted.Select(e => e.GetType()), Is.EqualTo(new[] { typeof(SendDatagramAction), typeof(OpenStreamAction), typeof(SendStreamAction), typeof(SendStreamAction) }));
        Assert.That(Decode<GistQuery>(((SendDatagramAction)emitted[0]).Datagram, withMagic: true).NslpData, Is.Null, "the Query is sent without the data");
        var stream = net.OpenStreamBetween(p, a);
        Assert.That(((SendStreamAction)emitted[3]).StreamId, Is.EqualTo(stream!.CallerId));
        Assert.That(Decode<GistMessage>(((SendStreamAction)emitted[2]).Message, withMagic: false), Is.TypeOf<GistConfirm>());
        Assert.That(Decode<GistMessage>(((SendStreamAction)emitted[3]).Message, withMagic: false), Is.TypeOf<GistData>());
        var atA = a.Delivered.Single();
        Assert.That(atA.Direction, Is.EqualTo(GistDirection.Downstream));
        Assert.That(atA.Peer.Name, Is.EqualTo("P"));
        Assert.That(atA.NslpData, Is.EqualTo(large));
        Assert.That(net.Misdelivered, Is.Empty);
    }

    [Test]
    public void Association_ThatFailedToConnect_IsReplacedByANewOneForTheNextLargeMessage()
    {
        var net = GistTestNetwork.ClientTwoNodesAndHost();
        GistTestHop p = net["P"], a = net["A"];
        var session = GistStateMachine.NewSession();
        a.RefusesStreams = true;
        net.Send(p, session, Mri, GistDirection.Downstream, Payload);
        Assert.That(net.FailedOpens, Has.Count.EqualTo(1));
        Assert.That(net.DroppedWithFailedAssociations, Has.Count.EqualTo(1), "the Confirm");
        a.RefusesStreams = false;
        var large = Large(5000);

        net.Send(p, session, Mri, GistDirection.Downstream, large);

        Assert.That(net.OpenStreamBetween(p, a), Is.Not.Null);
        Assert.That(a.Delivered.Last().NslpData, Is.EqualTo(large));
        Assert.That(net.Misdelivered, Is.Empty);
    }

    // --- Soft state ---

    [Test]
    public void RoutingState_NotRefreshed_ExpiresAtBothEndsAfterItsValidity()
    {
        var (net, session) = Discovered();
        GistTestHop p = net["P"], a = net["A"];

        net.RunUntil(T0 + Validity - TimeSpan.FromMilliseconds(1));
        Assert.That(p.Machine.PeerOf(session, GistDirection.Downstream), Is.Not.Null);
        Assert.That(a.Machine.PeerOf(session, GistDirection.Upstream), Is.Not.Null);
        net.RunUntil(T0 + Validity);

        Assert.That(p.Machine.PeerOf(session, GistDirection.Downstream), Is.Null);
        Assert.That(a.Machine.PeerOf(session, GistDirection.Upstream), Is.Null);
        Assert.That(p.Machine.RoutingStateCount, Is.Zero);
        Assert.That(a.Machine.RoutingStateCount, Is.Zero);
        Assert.That(p.Queries.Count(), Is.EqualTo(1), "nothing was refreshed");
    }

    [Test]
    public void RoutingState_KeptAlive_IsRefreshedEveryHalfValidityAndStays()
    {
        var (net, session) = Discovered();
        GistTestHop p = net["P"], a = net["A"];

        p.Machine.KeepAlive(session, true);
        net.RunUntil(T0 + (3 * Validity));

        var half = Validity / 2;
        Assert.That(p.Queries.Select(q => q.At), Is.EqualTo(Enumerable.Range(0, 7).Select(i => T0 + (i * half))));
        Assert.That(p.Machine.PeerOf(session, GistDirection.Downstream)?.Address, Is.EqualTo(a.Address));
        Assert.That(a.Machine.PeerOf(session, GistDirection.Upstream)?.Address, Is.EqualTo(p.Address));
        Assert.That(a.Delivered.Count(), Is.EqualTo(1), "a refresh carries no NSLP data");
        Assert.That(net.Misdelivered, Is.Empty);
        Assert.That(net.QueriesLost, Is.Empty);
    }

    [Test]
    public void KeepAlive_TurnedOffAgain_StateLivesUntilTheEndOfItsValidity()
    {
        var (net, session) = Discovered();
        var p = net["P"];

        p.Machine.KeepAlive(session, true);
        p.Machine.KeepAlive(session, false);
        net.RunUntil(T0 + Validity - TimeSpan.FromMilliseconds(1));

        Assert.That(p.Machine.PeerOf(session, GistDirection.Downstream), Is.Not.Null);
        net.RunUntil(T0 + Validity);
        Assert.That(p.Machine.PeerOf(session, GistDirection.Downstream), Is.Null);
        Assert.That(p.Queries.Count(), Is.EqualTo(1), "no refresh once keep-alive is off");
    }

    [Test]
    public void Association_Idle_IsClosedAfterTheHoldTime()
    {
        var holdTime = TimeSpan.FromSeconds(5);
        var (net, _) = Discovered(options => options with { MaHoldTime = holdTime });
        GistTestHop p = net["P"], a = net["A"];
        var stream = net.OpenStreamBetween(p, a);
        Assert.That(stream, Is.Not.Null);

        net.RunUntil(T0 + holdTime - TimeSpan.FromMilliseconds(1));
        Assert.That(net.Closed, Is.Empty);
        net.RunUntil(T0 + holdTime);

        var (at, closer, closed) = net.Closed.Single();
        Assert.That(closed, Is.EqualTo(stream));
        Assert.That(at, Is.EqualTo(T0 + holdTime));
        Assert.That(closer.Emitted.Select(e => e.Action), Has.Some.EqualTo(new CloseStreamAction(closer == p ? stream!.CallerId : stream!.CalleeId)));
        Assert.That(p.Machine.NextDeadline, Is.EqualTo(T0 + Validity), "only the routing state is left");
    }

    [Test]
    public void Association_UsedWithinTheHoldTime_IsClosedOnlyWhenIdleForTheHoldTime()
    {
        var holdTime = TimeSpan.FromSeconds(5);
        var (net, session) = Discovered(options => options with { MaHoldTime = holdTime });
        GistTestHop p = net["P"], a = net["A"];
        net.RunFor(TimeSpan.FromSeconds(3));
        net.Send(a, session, Mri, GistDirection.Upstream, Large(5000));

        net.RunUntil(T0 + TimeSpan.FromSeconds(8) - TimeSpan.FromMilliseconds(1));
        Assert.That(net.Closed, Is.Empty);
        net.RunUntil(T0 + TimeSpan.FromSeconds(8));

        Assert.That(net.Closed.Single().At, Is.EqualTo(T0 + TimeSpan.FromSeconds(8)));
        Assert.That(p.Delivered.Single().NslpData, Has.Length.EqualTo(5000));
    }

    [Test]
    public void Association_AcceptedAndNeverConfirmed_IsClosedAfterTheHoldTime()
    {
        var node = Node("A", NodeAddress);
        var holdTime = GistTestNetwork.NodeOptions("A", NodeAddress).MaHoldTime;
        var stream = node.AcceptStream(ClientAddress, T0);

        Assert.That(node.NextDeadline, Is.EqualTo(T0 + holdTime));
        Assert.That(node.OnTimer(T0 + holdTime - TimeSpan.FromMilliseconds(1)), Is.Empty);
        Assert.That(node.OnTimer(T0 + holdTime), Is.EqualTo(new[] { new CloseStreamAction(stream) }));
        Assert.That(node.NextDeadline, Is.Null);
    }

    [TestCase(2499, 1, TestName = "Association_IdleForLessThanHalfTheHoldTime_IsUsedAgain")]
    [TestCase(2500, 2, TestName = "Association_IdleForHalfTheHoldTime_IsReplacedByAFreshOneBeforeALargeMessage")]
    public void Association_IdleBeforeALargeMessage_IsReusedOnlyWhileFarFromItsHoldTime(int idleMs, int associationsOpened)
    {
        var holdTime = TimeSpan.FromSeconds(5);
        var (net, session) = Discovered(options => options with { MaHoldTime = holdTime });
        GistTestHop p = net["P"], a = net["A"];
        var large = Large(5000);

        net.RunFor(TimeSpan.FromMilliseconds(idleMs));
        net.Send(p, session, Mri, GistDirection.Downstream, large);

        Assert.That(p.Emitted.Select(e => e.Action).OfType<OpenStreamAction>().Count(), Is.EqualTo(associationsOpened));
        Assert.That(a.Delivered.Last().NslpData, Is.EqualTo(large));
        Assert.That(net.Misdelivered, Is.Empty);
    }

    [Test]
    public void Association_IsSharedBySessionsWithTheSamePeer()
    {
        var (net, _) = Discovered();
        GistTestHop p = net["P"], a = net["A"];
        var other = GistStateMachine.NewSession();

        net.Send(p, other, Mri, GistDirection.Downstream, Payload);
        net.Send(a, other, Mri, GistDirection.Upstream, Large(5000));

        Assert.That(net.Streams, Has.Count.EqualTo(1));
        Assert.That(p.Delivered.Single().Session, Is.EqualTo(other));
        Assert.That(net.Misdelivered, Is.Empty);
    }

    // --- Release ---

    [Test]
    public void Release_EstablishedSession_ForgetsItsPeers()
    {
        var (net, session) = ForwardedToB();
        var a = net["A"];

        a.Machine.Release(session);

        Assert.That(a.Machine.RoutingStateCount, Is.Zero);
        Assert.That(a.Machine.PeerOf(session, GistDirection.Upstream), Is.Null);
        Assert.That(a.Machine.PeerOf(session, GistDirection.Downstream), Is.Null);
        net.Send(a, session, Mri, GistDirection.Upstream, Answer);
        Assert.That(a.Statuses.Single().Status.Outcome, Is.EqualTo(GistSessionOutcome.NoRoutingState));
    }

    [Test]
    public void Release_DuringDiscovery_StopsTheQueriesAndIgnoresTheLateResponse()
    {
        var session = GistStateMachine.NewSession();
        var client = Client();
        var query = FirstQuery(client, session, Payload);

        client.Release(session);

        Assert.That(client.NextDeadline, Is.Null);
        Assert.That(client.OnTimer(T0 + TimeSpan.FromHours(1)), Is.Empty, "no retransmission, no NoPeerFound");
        var late = client.OnDatagram(ResponseTo(query, Node("A", NodeAddress)), NodeAddress, GistConstants.UdpPort, T0);
        Assert.That(late, Is.Not.Empty.And.All.TypeOf<TraceAction>());
        Assert.That(client.PeerOf(session, GistDirection.Downstream), Is.Null);
    }

    // --- Helpers ---

    private static GistStateMachine Client() => new(GistTestNetwork.ClientOptions("P", ClientAddress));

    private static GistStateMachine Node(string name, Ipv4Address address) => new(GistTestNetwork.NodeOptions(name, address));

    /// <summary>The Query <paramref name="sender"/> sends for a new downstream message.</summary>
    private static byte[] FirstQuery(GistStateMachine sender, GistSessionId session, byte[] payload) =>
        sender.Send(session, Mri, GistDirection.Downstream, payload, T0).OfType<SendDatagramAction>().Single(d => d.QueryMode).Datagram;

    /// <summary>The Response <paramref name="responder"/> sends to a Query from the client.</summary>
    private static byte[] ResponseTo(byte[] query, GistStateMachine responder) =>
        responder.OnDatagram(query, ClientAddress, GistTestNetwork.ClientPort, T0).OfType<SendDatagramAction>().Single().Datagram;

    /// <summary>P has sent <see cref="Payload"/> downstream at <see cref="T0"/>; A has it and answered.</summary>
    private static (GistTestNetwork Net, GistSessionId Session) Discovered(Func<GistStateMachineOptions, GistStateMachineOptions>? tune = null)
    {
        var net = GistTestNetwork.ClientTwoNodesAndHost(tune);
        var session = GistStateMachine.NewSession();
        net.Send(net["P"], session, Mri, GistDirection.Downstream, Payload);
        Assert.That(net["A"].Delivered.Count(), Is.EqualTo(1), "setup: A did not get P's message");
        return (net, session);
    }

    /// <summary>As <see cref="Discovered"/>, and A's NSLP has passed the message on downstream to B.</summary>
    private static (GistTestNetwork Net, GistSessionId Session) ForwardedToB()
    {
        var (net, session) = Discovered();
        var atA = net["A"].Delivered.Single();
        net.Send(net["A"], session, atA.Mri, GistDirection.Downstream, atA.NslpData);
        Assert.That(net["B"].Delivered.Count(), Is.EqualTo(1), "setup: B did not get A's message");
        return (net, session);
    }

    /// <summary>P's message has reached B through A, on a path where B knows which destinations it reaches without a router.</summary>
    private static (GistTestNetwork Net, GistSessionId Session) ForwardedToB(Func<Ipv4Address, bool> onLinkFromB)
    {
        var net = GistTestNetwork.ClientTwoNodesAndHost(o => o.PeerIdentity.Span.SequenceEqual("B"u8) ? o with { DestinationOnLink = onLinkFromB } : o);
        var session = GistStateMachine.NewSession();
        net.Send(net["P"], session, Mri, GistDirection.Downstream, Payload);
        net.Send(net["A"], session, Mri, GistDirection.Downstream, net["A"].Delivered.Single().NslpData);
        Assert.That(net["B"].Delivered.Count(), Is.EqualTo(1), "setup: B did not get A's message");
        return (net, session);
    }

    private static GistErrorMessage ErrorFromA(GistErrorObject errorObject) =>
        new(new GistNetworkLayerInformation { InterfaceAddress = NodeAddress, PeerIdentity = "A"u8.ToArray() }, errorObject);

    /// <summary>Where the Info Count byte of the Error object in an encoded Error datagram is (RFC 5971 A.4.1: the value's eighth byte).</summary>
    private static int InfoCountOffset(byte[] datagram)
    {
        var position = GistConstants.MagicNumberLength + GistConstants.CommonHeaderLength;
        while ((BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(position)) & 0xFFF) != (int)GistObjectType.Error)
        {
            position += GistConstants.ObjectHeaderLength + ((BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(position + 2)) & 0xFFF) * 4);
        }

        return position + GistConstants.ObjectHeaderLength + 7;
    }

    private static T Decode<T>(byte[] bytes, bool withMagic)
        where T : GistMessage
    {
        Assert.That(GistCodec.TryDecode(bytes, withMagic, out var message, out var error), Is.True, error.ToString());
        Assert.That(message, Is.InstanceOf<T>());
        return (T)message!;
    }

    /// <summary>NSLP data as GIST carries it: the message, then zero padding to a whole word.</summary>
    private static void AssertCarries(byte[] carried, byte[] message)
    {
        Assert.That(carried, Has.Length.EqualTo((message.Length + 3) & ~3));
        Assert.That(carried[..message.Length], Is.EqualTo(message));
        Assert.That(carried[message.Length..], Is.All.Zero);
    }

    private static ushort? TcpPortOf(GistStackConfigurationData? configuration) =>
        configuration?.Options.Where(o => o.ProtocolId == GistMaProtocolId.ForwardsTcp)
            .Select(o => o.TryGetTcpPort(out var port) ? port : (ushort?)null)
            .FirstOrDefault();

    private static byte[] Large(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)('a' + (i % 26));
        }

        return bytes;
    }

    private sealed class BytesComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }
}
