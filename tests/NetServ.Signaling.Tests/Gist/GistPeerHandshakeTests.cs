using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using NetServ.Networking;
using NetServ.Signaling.Gist;
using NetServ.Signaling.Transport;

namespace NetServ.Signaling.Tests.Gist;

/// <summary>
/// Interoperation with an independent GIST implementation, judged by its handshake as captured on the wire
/// (Gist/Interop/gist-peer-handshake.json: its Query, Response, Confirm and Data between 198.18.0.1, the querying
/// node, and 198.18.0.2, the responding node; UDP payloads with the magic number, NSLPID 32704, and the Router
/// Alert value of that NSLP, 32704, on the Query).
/// </summary>
[TestFixture]
public sealed class GistPeerHandshakeTests
{
    private const int Magic = GistConstants.MagicNumberLength;

    // Offsets in a datagram: the byte with C and the Type, the byte with S, R, E and the reserved bits.
    private const int CAndType = Magic + 6;
    private const int Flags = Magic + 7;

    private static readonly Ipv4Address Querier = Ipv4Address.Parse("198.18.0.1");
    private static readonly Ipv4Address Responder = Ipv4Address.Parse("198.18.0.2");
    private static readonly DateTimeOffset T0 = GistTestNetwork.Start;
    private static readonly byte[] HelloWorld = "Hello World!"u8.ToArray();
    private static readonly Lazy<Dictionary<string, Captured>> Capture = new(Load);

    [TestCase("Query", typeof(GistQuery))]
    [TestCase("Response", typeof(GistResponse))]
    [TestCase("Confirm", typeof(GistConfirm))]
    [TestCase("Data", typeof(GistData))]
    public void PeerMessage_Decodes_AsItsTypeWithTheCapturedHeader(string name, Type type)
    {
        var captured = Capture.Value[name];

        Assert.That(GistCodec.TryDecode(captured.Payload, withMagic: true, out var message, out var error), Is.True, error.ToString());

        Assert.That(GistCommonHeader.TryRead(captured.Payload.AsSpan(Magic), out var header), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(captured.MagicNumber, Is.True, "the capture says every datagram has the magic number");
            Assert.That(BinaryPrimitives.ReadUInt32BigEndian(captured.Payload), Is.EqualTo(GistConstants.MagicNumber));
            Assert.That(message, Is.InstanceOf(type));
            Assert.That(message!.NslpId, Is.EqualTo(GistConstants.NetServNslpId));
            Assert.That(header.QModeEncapsulated, Is.EqualTo(captured.CFlag));
            Assert.That(captured.Payload[Flags], Is.EqualTo(captured.FlagsByte));
            Assert.That(GistCodec.Encode(message, withMagic: true), Is.EqualTo(captured.Payload), "re-encoding the decoded message gives other bytes");
        });
    }

    [Test]
    public void PeerQuery_RouterAlertOption_CarriesTheNslpsOwnValue()
    {
        Assert.That(Ipv4RouterAlert.TryReadOption(Capture.Value["Query"].IpOptions, out var value, out var error), Is.True, error.ToString());

        Assert.That(value, Is.EqualTo(GistConstants.NetServNslpId), "the peer marks the Query with its NSLP's own value (RFC 5971 5.3.2)");
        Assert.That(value, Is.Not.EqualTo(GistConstants.NetServRouterAlertValue), "the capture would not test a value other than ours");
    }

    [TestCase((ushort)32704, TestName = "PeerQuery_OnItsWayThroughANode_IsTaken(the peer's value, 32704)")]
    [TestCase(GistConstants.NetServRouterAlertValue, TestName = "PeerQuery_OnItsWayThroughANode_IsTaken(our value, 65503)")]
    [TestCase((ushort)0, TestName = "PeerQuery_OnItsWayThroughANode_IsTaken(value 0)")]
    public void PeerQuery_OnItsWayThroughANode_IsTakenWhateverItsRouterAlertValue(ushort routerAlertValue)
    {
        var packet = Packet(Capture.Value["Query"].Payload, routerAlertValue);

        Assert.That(GistEndpoint.IsQueryToTake(packet, GistConstants.NetServNslpId, out var info), Is.True);
        Assert.That(info.Source, Is.EqualTo(Querier));
    }

    [TestCase("Response")]
    [TestCase("Confirm")]
    [TestCase("Data")]
    public void PeerDModeMessage_OnItsWayThroughANode_IsNotTakenEvenWithARouterAlertOption(string name)
    {
        // D-mode datagrams carry the magic number and our NSLPID too: only the C flag tells a Query apart.
        var packet = Packet(Capture.Value[name].Payload, GistConstants.NetServRouterAlertValue);

        Assert.That(GistEndpoint.IsQueryToTake(packet, GistConstants.NetServNslpId, out _), Is.False);
    }

    [Test]
    public void PeerQuery_ForAnotherNslp_IsNotTaken()
    {
        var packet = Packet(Capture.Value["Query"].Payload, 32704);

        Assert.That(GistEndpoint.IsQueryToTake(packet, 1, out _), Is.False);
    }

    [Test]
    public void OurResponder_AnswersThePeersQuery_WithTheFlagsMagicAndMriOfThePeersResponse()
    {
        var query = Capture.Value["Query"].Payload;
        var peerResponse = Capture.Value["Response"].Payload;
        var node = new GistStateMachine(GistTestNetwork.NodeOptions("netserv-responder", Responder));

        var actions = node.OnDatagram(query, Querier, GistConstants.UdpPort, T0);

        var sent = actions.OfType<SendDatagramAction>().Single();
        var ours = sent.Datagram;
        var response = Decode<GistResponse>(ours);
        var theirs = Decode<GistResponse>(peerResponse);
        Assert.Multiple(() =>
        {
            Assert.That((sent.Address, sent.Port, sent.QueryMode), Is.EqualTo((Querier, GistConstants.UdpPort, false)));
            Assert.That(ours[..Magic], Is.EqualTo(peerResponse[..Magic]), "magic number");
            Assert.That(ours[CAndType], Is.EqualTo(peerResponse[CAndType]), "C clear, type Response");
            Assert.That(ours[Flags], Is.EqualTo(peerResponse[Flags]), "S and R set, E and the reserved bits clear");
            Assert.That(response.Mri, Is.EqualTo(theirs.Mri), "the MRI, D flag included");
            Assert.That(GistObjectCodec.Encode(response.Mri), Is.EqualTo(GistObjectCodec.Encode(theirs.Mri)));
            Assert.That(response.QueryCookie, Is.EqualTo(theirs.QueryCookie), "the Query-Cookie echoed");
            Assert.That(response.SessionId, Is.EqualTo(theirs.SessionId));
        });
    }

    [Test]
    public void OurQuerier_QueryConfirmAndData_HaveTheFlagsMagicAndMriOfThePeers()
    {
        var flow = Decode<GistQuery>(Capture.Value["Query"].Payload).Mri;
        var node = new GistStateMachine(GistTestNetwork.NodeOptions("netserv-querier", Querier));
        var session = GistStateMachine.NewSession();

        var query = node.Send(session, flow, GistDirection.Downstream, HelloWorld, T0).OfType<SendDatagramAction>().Single();
        var ourQuery = Decode<GistQuery>(query.Datagram);
        var peerQuery = Capture.Value["Query"].Payload;

        // The peer's Response, as it would answer our Query.
        var answer = Decode<GistResponse>(Capture.Value["Response"].Payload) with { SessionId = session, QueryCookie = ourQuery.QueryCookie };
        var confirm = node.OnDatagram(GistCodec.Encode(answer, withMagic: true), Responder, GistConstants.UdpPort, T0).OfType<SendDatagramAction>().Single();
        var ourConfirm = Decode<GistConfirm>(confirm.Datagram);
        var peerConfirm = Capture.Value["Confirm"].Payload;

        var data = node.Send(session, flow, GistDirection.Downstream, HelloWorld, T0).OfType<SendDatagramAction>().Single();
        var ourData = Decode<GistData>(data.Datagram);
        var peerData = Capture.Value["Data"].Payload;

        Assert.Multiple(() =>
        {
            Assert.That(query.QueryMode, Is.True);
            Assert.That(query.Datagram[..Magic], Is.EqualTo(peerQuery[..Magic]), "Query: magic number");
            Assert.That(query.Datagram[CAndType], Is.EqualTo(peerQuery[CAndType]), "Query: C set, type Query");
            Assert.That(query.Datagram[Flags], Is.EqualTo(peerQuery[Flags]), "Query: S and R set");
            Assert.That(GistObjectCodec.Encode(ourQuery.Mri), Is.EqualTo(GistObjectCodec.Encode(Decode<GistQuery>(peerQuery).Mri)), "Query: MRI, D clear");

            Assert.That((confirm.Address, confirm.QueryMode), Is.EqualTo((Responder, false)), "Confirm: in D-mode, as the peer offered no association");
            Assert.That(confirm.Datagram[..Magic], Is.EqualTo(peerConfirm[..Magic]), "Confirm: magic number");
            Assert.That(confirm.Datagram[CAndType], Is.EqualTo(peerConfirm[CAndType]), "Confirm: C clear, type Confirm");
            Assert.That(confirm.Datagram[Flags], Is.EqualTo(peerConfirm[Flags]), "Confirm: S set, R clear");
            Assert.That(GistObjectCodec.Encode(ourConfirm.Mri), Is.EqualTo(GistObjectCodec.Encode(Decode<GistConfirm>(peerConfirm).Mri)), "Confirm: MRI, D clear");
            Assert.That(ourConfirm.ResponderCookie, Is.EqualTo(Decode<GistConfirm>(peerConfirm).ResponderCookie), "Confirm: the Responder-Cookie echoed");
            Assert.That(ourConfirm.StackProposal, Is.Null, "Confirm: no Stack-Proposal where the Response had none");

            Assert.That((data.Address, data.QueryMode), Is.EqualTo((Responder, false)));
            Assert.That(data.Datagram[..Magic], Is.EqualTo(peerData[..Magic]), "Data: magic number");
            Assert.That(data.Datagram[CAndType], Is.EqualTo(peerData[CAndType]), "Data: C clear, type Data");
            Assert.That(data.Datagram[Flags], Is.EqualTo(peerData[Flags]), "Data: S set");
            Assert.That(GistObjectCodec.Encode(ourData.Mri), Is.EqualTo(GistObjectCodec.Encode(Decode<GistData>(peerData).Mri)), "Data: MRI, D clear");
            Assert.That(ourData.NslpData, Is.EqualTo(Decode<GistData>(peerData).NslpData));
        });
    }

    [Test]
    public void OurQuerier_ConfirmThatOpensAnAssociation_EchoesTheRespondersStackProposalWithStackConfigurationData()
    {
        var flow = Decode<GistQuery>(Capture.Value["Query"].Payload).Mri;
        var options = GistTestNetwork.NodeOptions("netserv-querier", Querier);
        var node = new GistStateMachine(options);
        var session = GistStateMachine.NewSession();
        var query = Decode<GistQuery>(node.Send(session, flow, GistDirection.Downstream, HelloWorld, T0).OfType<SendDatagramAction>().Single().Datagram);

        // The peer's Response offering two profiles, plain TCP and TLS over TCP: not what we proposed.
        var offer = new GistStackProposal(EquatableArray.Create<GistStackProfile>([
            new GistStackProfile(EquatableArray.Create<byte>([GistMaProtocolId.ForwardsTcp])),
            new GistStackProfile(EquatableArray.Create<byte>([GistMaProtocolId.Tls, GistMaProtocolId.ForwardsTcp])),
        ]));
        var answer = Decode<GistResponse>(Capture.Value["Response"].Payload) with
        {
            SessionId = session,
            QueryCookie = query.QueryCookie,
            StackProposal = offer,
            StackConfiguration = new GistStackConfigurationData
            {
                MaHoldTime = 180_000,
                Options = EquatableArray.Create<GistMaProtocolOption>([GistMaProtocolOption.ForwardsTcpPort(1, 7270)]),
            },
        };
        Assert.That(offer, Is.Not.EqualTo(query.StackProposal), "setup: the offer must differ from our own proposal");

        var actions = node.OnDatagram(GistCodec.Encode(answer, withMagic: true), Responder, GistConstants.UdpPort, T0);

        Assert.That(actions.OfType<OpenStreamAction>().Single().Port, Is.EqualTo((ushort)7270));
        var sent = actions.OfType<SendStreamAction>().Single().Message;
        Assert.That(sent[0], Is.EqualTo(GistConstants.Version), "C-mode messages have no magic number");
        Assert.That(GistCodec.TryDecode(sent, withMagic: false, out var message, out var error), Is.True, error.ToString());
        var confirm = (GistConfirm)message!;
        Assert.Multiple(() =>
        {
            Assert.That(confirm.StackProposal, Is.EqualTo(offer), "RFC 5971 8.6: the Confirm echoes the Responder's Stack-Proposal");
            Assert.That(confirm.StackConfiguration, Is.Not.Null, "RFC 5971 5.1: [ Stack-Proposal [ Stack-Configuration-Data ] ]");
            Assert.That(confirm.StackConfiguration!.MaHoldTime, Is.EqualTo((uint)options.MaHoldTime.TotalMilliseconds));
            Assert.That(confirm.ResponderCookie, Is.EqualTo(answer.ResponderCookie));
            Assert.That(sent[6] & 0x80, Is.Zero, "C clear on a C-mode Confirm");
        });
    }

    [Test]
    public void OurResponder_DataTowardThePeerThatQueriedIt_HasTheDFlagSet()
    {
        var query = Decode<GistQuery>(Capture.Value["Query"].Payload);
        var node = new GistStateMachine(GistTestNetwork.NodeOptions("netserv-responder", Responder));
        node.OnDatagram(Capture.Value["Query"].Payload, Querier, GistConstants.UdpPort, T0);

        var data = node.Send(query.SessionId, query.Mri, GistDirection.Upstream, HelloWorld, T0).OfType<SendDatagramAction>().Single();

        var sent = Decode<GistData>(data.Datagram);
        Assert.That(data.Address, Is.EqualTo(Querier));
        Assert.That(sent.Mri, Is.EqualTo(((GistPathCoupledMri)query.Mri).Reversed()), "RFC 5971 A.3.1.1: D set, the message runs against the flow");
        Assert.That(((GistPathCoupledMri)sent.Mri).Upstream, Is.True);
    }

    private static byte[] Packet(byte[] payload, ushort routerAlertValue)
    {
        var packet = new byte[Ipv4RouterAlert.GetUdpPacketLength(payload.Length)];
        Assert.That(
            Ipv4RouterAlert.TryWriteUdpPacket(packet, Querier, Responder, GistConstants.UdpPort, GistConstants.UdpPort, payload, out _, routerAlertValue: routerAlertValue),
            Is.True);
        return packet;
    }

    private static T Decode<T>(byte[] datagram)
        where T : GistMessage
    {
        Assert.That(GistCodec.TryDecode(datagram, withMagic: true, out var message, out var error), Is.True, error.ToString());
        Assert.That(message, Is.InstanceOf<T>());
        return (T)message!;
    }

    private static Dictionary<string, Captured> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Gist", "Interop", "gist-peer-handshake.json")));
        var messages = new Dictionary<string, Captured>();
        foreach (var element in document.RootElement.GetProperty("messages").EnumerateArray())
        {
            var name = element.GetProperty("message").GetString()!;
            messages[name] = new Captured(
                Convert.FromHexString(element.GetProperty("payload_hex").GetString()!),
                Convert.FromHexString(element.GetProperty("ip_options").GetString()!),
                element.GetProperty("magic_number").GetBoolean(),
                element.GetProperty("c_flag").GetBoolean(),
                byte.Parse(element.GetProperty("flags_byte").GetString()!.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }

        return messages;
    }

    private sealed record Captured(byte[] Payload, byte[] IpOptions, bool MagicNumber, bool CFlag, byte FlagsByte);
}
