using System.Buffers.Binary;
using NetServ.Networking;
using NetServ.Signaling.Gist;

namespace NetServ.Signaling.Tests.Gist;

/// <summary>
/// The requirements of RFC 5971 that decide whether another implementation accepts our messages: the common
/// header's flags (A.1), reserved bits (Appendix A), the MRI's D flag (A.3.1.1), the magic number on datagrams
/// (5.3.2) and the order of objects (5.1), each checked on what a querying and a responding node really send.
/// </summary>
[TestFixture]
public sealed class GistConformanceTests
{
    private const int Magic = GistConstants.MagicNumberLength;
    private const byte CFlag = 0x80, SFlag = 0x80, RFlag = 0x40, Reserved = 0x1F;
    private static readonly Ipv4Address QuerierAddress = Ipv4Address.Parse("198.18.0.1");
    private static readonly Ipv4Address ResponderAddress = Ipv4Address.Parse("198.18.0.2");
    private static readonly DateTimeOffset T0 = GistTestNetwork.Start;

    private static GistPathCoupledMri Flow => new()
    {
        SourceAddress = QuerierAddress,
        DestinationAddress = Ipv4Address.Parse("198.19.0.1"),
        Protocol = 17,
        DestinationPort = 5060,
    };

    [Test]
    public void Query_HasRSet_AndAQueryWithRClearIsNotAnswered()
    {
        // RFC 5971 A.1: "The R flag MUST always be set (R=1) in Query messages".
        var handshake = Handshake.Run();
        var withoutR = (byte[])handshake.Query.Clone();
        withoutR[Magic + 7] &= unchecked((byte)~RFlag);

        var answer = Responder().OnDatagram(withoutR, QuerierAddress, GistConstants.UdpPort, T0);

        Assert.That(handshake.Query[Magic + 7] & RFlag, Is.EqualTo(RFlag));
        Assert.That(answer.OfType<SendDatagramAction>(), Is.Empty);
    }

    [Test]
    public void ResponseWithAResponderCookie_HasRSet_AndConfirmAndData_HaveRClear()
    {
        // RFC 5971 A.1: R "MUST be set if the Response contains a Responder cookie", and is set "never in
        // Confirm, Data or Error messages".
        var handshake = Handshake.Run();
        Assert.That(GistCodec.TryDecode(handshake.Response, withMagic: true, out var response, out var error), Is.True, error.ToString());

        Assert.Multiple(() =>
        {
            Assert.That(((GistResponse)response!).ResponderCookie, Is.Not.Null, "setup: the Response carries a Responder-Cookie");
            Assert.That(handshake.Response[Magic + 7] & RFlag, Is.EqualTo(RFlag), "Response");
            Assert.That(handshake.CModeConfirm[7] & RFlag, Is.Zero, "Confirm");
            Assert.That(handshake.DataDownstream[Magic + 7] & RFlag, Is.Zero, "Data downstream");
            Assert.That(handshake.DataUpstream[Magic + 7] & RFlag, Is.Zero, "Data upstream");
        });
    }

    [Test]
    public void DataWithRSet_IsNotDelivered()
    {
        // RFC 5971 A.1: R is never set in Data; a receiver takes one that has it for a malformed message.
        var handshake = Handshake.Run(out var responder);
        var withR = (byte[])handshake.DataDownstream.Clone();
        withR[Magic + 7] |= RFlag;

        var actions = responder.OnDatagram(withR, QuerierAddress, GistConstants.UdpPort, T0);

        Assert.That(actions.OfType<DeliverAction>(), Is.Empty);
        Assert.That(responder.OnDatagram(handshake.DataDownstream, QuerierAddress, GistConstants.UdpPort, T0).OfType<DeliverAction>().Count(), Is.EqualTo(1), "the same Data without R is delivered");
    }

    [Test]
    public void EveryMessageSent_HasTheReservedBitsOfTheCommonHeaderClear()
    {
        // RFC 5971 Appendix A: "Any part of the object used for padding or defined as reserved [...] MUST be
        // set to 0 on transmission and MUST be ignored on reception."
        var handshake = Handshake.Run();

        Assert.Multiple(() =>
        {
            foreach (var (name, datagram) in handshake.Datagrams)
            {
                Assert.That(datagram[Magic + 7] & Reserved, Is.Zero, name);
            }

            Assert.That(handshake.CModeConfirm[7] & Reserved, Is.Zero, "C-mode Confirm");
        });
    }

    [Test]
    public void QueryWithReservedBitsSet_IsAnsweredAsIfTheyWereClear()
    {
        // RFC 5971 Appendix A: reserved bits "MUST be ignored on reception".
        var query = (byte[])Handshake.Run().Query.Clone();
        query[Magic + 7] |= Reserved;

        var answer = Responder().OnDatagram(query, QuerierAddress, GistConstants.UdpPort, T0);

        Assert.That(answer.OfType<SendDatagramAction>().Count(), Is.EqualTo(1));
    }

    [Test]
    public void EveryDatagram_BeginsWithTheMagicNumber_AndOnlyTheQueryHasCSet()
    {
        // RFC 5971 5.3.2: GIST messages in UDP, Q-mode and normal D-mode alike, follow the magic number
        // 0x4e04bda5; A.1: C is set when the message is Q-mode encapsulated, which only the Query is here.
        var handshake = Handshake.Run();

        Assert.Multiple(() =>
        {
            foreach (var (name, datagram) in handshake.Datagrams)
            {
                Assert.That(BinaryPrimitives.ReadUInt32BigEndian(datagram), Is.EqualTo(GistConstants.MagicNumber), name);
                Assert.That(datagram[Magic + 6] & CFlag, Is.EqualTo(name == "Query" ? CFlag : 0), name);
                Assert.That(datagram[Magic + 7] & SFlag, Is.EqualTo(SFlag), $"{name}: sent from the signalling node's own address, so S=1");
            }

            Assert.That(handshake.CModeConfirm[0], Is.EqualTo(GistConstants.Version), "no magic number on a messaging association");
        });
    }

    [Test]
    public void MriDFlag_IsSetOnMessagesThatRunAgainstTheFlow()
    {
        // RFC 5971 A.3.1.1: the D flag gives the direction of the message relative to the flow; the Response
        // and Data from the responding node go upstream, the Query, Confirm and Data of the querying node downstream.
        var handshake = Handshake.Run();

        Assert.Multiple(() =>
        {
            Assert.That(UpstreamOf(handshake.Query), Is.False, "Query");
            Assert.That(UpstreamOf(handshake.Response), Is.True, "Response");
            Assert.That(UpstreamOf(handshake.DataDownstream), Is.False, "Data from the querying node");
            Assert.That(UpstreamOf(handshake.DataUpstream), Is.True, "Data from the responding node");
            Assert.That(((GistPathCoupledMri)MriOf(handshake.CModeConfirm, withMagic: false)).Upstream, Is.False, "Confirm");
        });
    }

    [Test]
    public void CModeConfirm_CarriesItsStackObjectsInTheGrammarsOrder()
    {
        // RFC 5971 5.1: "The objects following the common header MUST be carried in a fixed order"; for a Confirm,
        // MRI, Session-Identification, Network-Layer-Information [ Responder-Cookie [ Stack-Proposal
        // [ Stack-Configuration-Data ] ] ] [ NSLP-Data ].
        var confirm = Handshake.Run().CModeConfirm;

        Assert.That(ObjectTypes(confirm), Is.EqualTo(new[]
        {
            GistObjectType.MessageRoutingInformation, GistObjectType.SessionIdentification, GistObjectType.NetworkLayerInformation,
            GistObjectType.ResponderCookie, GistObjectType.StackProposal, GistObjectType.StackConfigurationData,
        }));
    }

    [Test]
    public void CModeConfirm_EchoingTheRespondersStackProposal_CarriesTheResponderOnThatAssociation()
    {
        // RFC 5971 4.4.1 and 8.6: the Responder checks the Stack-Proposal the Confirm echoes against its own.
        var handshake = Handshake.Run(out var responder);
        var stream = responder.AcceptStream(QuerierAddress, T0);

        var actions = responder.OnStreamMessage(stream, handshake.CModeConfirm, T0);

        Assert.That(actions.OfType<TraceAction>().Where(t => t.PeerFault), Is.Empty);
        var large = responder.Send(handshake.Session, Flow, GistDirection.Upstream, new byte[4000], T0);
        Assert.That(large.OfType<OpenStreamAction>(), Is.Empty, "the Confirm's association is used, not a new one");
        Assert.That(large.OfType<SendStreamAction>().Single().StreamId, Is.EqualTo(stream));
    }

    [Test]
    public void CModeConfirm_WhoseEchoedStackProposalWasAltered_IsRefused()
    {
        var handshake = Handshake.Run(out var responder);
        Assert.That(GistCodec.TryDecode(handshake.CModeConfirm, withMagic: false, out var decoded, out var error), Is.True, error.ToString());
        var altered = (GistConfirm)decoded! with
        {
            StackProposal = new GistStackProposal(EquatableArray.Create<GistStackProfile>([new GistStackProfile(EquatableArray.Create<byte>([GistMaProtocolId.ForwardsTcp, GistMaProtocolId.Tls]))])),
        };
        var stream = responder.AcceptStream(QuerierAddress, T0);

        var actions = responder.OnStreamMessage(stream, GistCodec.Encode(altered), T0);

        Assert.That(actions.OfType<TraceAction>().Single(t => t.PeerFault).Text, Does.Contain("echoed Stack-Proposal differs"));
        var large = responder.Send(handshake.Session, Flow, GistDirection.Upstream, new byte[4000], T0);
        Assert.That(large.OfType<OpenStreamAction>(), Is.Not.Empty, "a refused Confirm's association is not adopted");
    }

    [Test]
    public void CModeConfirm_WithoutTheEchoedStackProposal_IsRefused()
    {
        var handshake = Handshake.Run(out var responder);
        Assert.That(GistCodec.TryDecode(handshake.CModeConfirm, withMagic: false, out var decoded, out var error), Is.True, error.ToString());
        var stripped = (GistConfirm)decoded! with { StackProposal = null, StackConfiguration = null };
        var stream = responder.AcceptStream(QuerierAddress, T0);

        var actions = responder.OnStreamMessage(stream, GistCodec.Encode(stripped), T0);

        Assert.That(actions.OfType<TraceAction>().Single(t => t.PeerFault).Text, Does.Contain("without echoing our Stack-Proposal"));
    }

    private static GistStateMachine Responder() => new(GistTestNetwork.NodeOptions("responder", ResponderAddress));

    private static bool UpstreamOf(byte[] datagram) => ((GistPathCoupledMri)MriOf(datagram, withMagic: true)).Upstream;

    private static GistMessageRoutingInformation MriOf(byte[] bytes, bool withMagic)
    {
        Assert.That(GistCodec.TryDecode(bytes, withMagic, out var message, out var error), Is.True, error.ToString());
        return message switch
        {
            GistQuery query => query.Mri,
            GistResponse response => response.Mri,
            GistConfirm confirm => confirm.Mri,
            GistData data => data.Mri,
            _ => throw new AssertionException($"{message!.MessageType} carries no MRI"),
        };
    }

    private static List<GistObjectType> ObjectTypes(byte[] message)
    {
        var types = new List<GistObjectType>();
        for (var position = GistConstants.CommonHeaderLength; position < message.Length;)
        {
            types.Add((GistObjectType)(BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(position)) & 0xFFF));
            position += GistConstants.ObjectHeaderLength + ((BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(position + 2)) & 0xFFF) * 4);
        }

        return types;
    }

    /// <summary>
    /// One handshake between a querying and a responding NetServ node, both offering TCP: the Query, the Response,
    /// the Confirm on the association, then Data each way (small enough for D-mode).
    /// </summary>
    private sealed record Handshake(GistSessionId Session, byte[] Query, byte[] Response, byte[] CModeConfirm, byte[] DataDownstream, byte[] DataUpstream)
    {
        public IEnumerable<(string Name, byte[] Datagram)> Datagrams =>
            [("Query", Query), ("Response", Response), ("Data downstream", DataDownstream), ("Data upstream", DataUpstream)];

        public static Handshake Run() => Run(out _);

        /// <summary>The handshake, and the responding node as it stands after it.</summary>
        public static Handshake Run(out GistStateMachine responder)
        {
            var querier = new GistStateMachine(GistTestNetwork.NodeOptions("querier", QuerierAddress));
            responder = Responder();
            var session = GistStateMachine.NewSession();
            var nslp = "PROBE NetServ.Apps.NetMonitor_1.0.0 NETSERV/0.1\r\n\r\n"u8.ToArray();

            var query = querier.Send(session, Flow, GistDirection.Downstream, nslp, T0).OfType<SendDatagramAction>().Single().Datagram;
            var response = responder.OnDatagram(query, QuerierAddress, GistConstants.UdpPort, T0).OfType<SendDatagramAction>().Single().Datagram;
            var confirm = querier.OnDatagram(response, ResponderAddress, GistConstants.UdpPort, T0).OfType<SendStreamAction>().Single().Message;
            var downstream = querier.Send(session, Flow, GistDirection.Downstream, nslp, T0).OfType<SendDatagramAction>().Single().Datagram;
            var upstream = responder.Send(session, Flow, GistDirection.Upstream, nslp, T0).OfType<SendDatagramAction>().Single().Datagram;
            return new Handshake(session, query, response, confirm, downstream, upstream);
        }
    }
}
