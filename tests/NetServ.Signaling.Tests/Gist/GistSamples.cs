using NetServ.Networking;
using NetServ.Signaling.Gist;

namespace NetServ.Signaling.Tests.Gist;

/// <summary>Valid objects and messages, ordinary and at the edges of their fields, shared by the GIST tests and the fuzzer's corpus.</summary>
internal static class GistSamples
{
    public static readonly Ipv4Address Sender = Ipv4Address.Parse("198.18.0.1");
    public static readonly Ipv4Address Receiver = Ipv4Address.Parse("198.19.0.1");
    public static readonly Ipv4Address Router = Ipv4Address.Parse("198.18.0.254");

    public static GistPathCoupledMri Mri => new()
    {
        SourceAddress = Sender,
        DestinationAddress = Receiver,
        Protocol = 17,
        DestinationPort = 5060,
    };

    public static GistSessionId SessionId => new(UInt128.Parse("0123456789abcdeffedcba9876543210", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));

    public static GistNetworkLayerInformation Nli => new()
    {
        PeerIdentity = "node-a"u8.ToArray(),
        IpTtl = 64,
        RoutingStateValidityTime = 30_000,
        InterfaceAddress = Sender,
    };

    public static GistQueryCookie QueryCookie => new(new byte[] { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 });

    public static GistResponderCookie ResponderCookie => new(new byte[] { 0xca, 0xfe, 0xba, 0xbe });

    public static GistStackProposal StackProposal => new([new GistStackProfile([GistMaProtocolId.ForwardsTcp])]);

    public static GistStackConfigurationData StackConfiguration => new()
    {
        MaHoldTime = 30_000,
        Options = [GistMaProtocolOption.ForwardsTcpPort(1, 30270)],
    };

    public static GistNslpData NslpData => GistNslpData.FromNslpMessage("SETUP NetServ.Apps.NetMonitor_1.0.0 NETSERV/0.1\r\nuser:janedoe\r\n\r\n"u8);

    public static GistErrorObject ErrorObject => new()
    {
        ErrorClass = GistErrorClass.ProtocolError,
        ErrorCode = GistErrorCode.ObjectTypeError,
        Subcode = 1,
        DatagramMode = true,
        QModeEncapsulated = true,
        OriginalHeader = new GistCommonHeader { Version = 1, GistHops = 15, MessageLength = 20, NslpId = 32704, QModeEncapsulated = true, Type = GistMessageType.Query },
        SessionId = SessionId,
        Mri = Mri,
        AdditionalInfo = [new GistObjectTypeInfo(0x123)],
        DebugComment = "unrecognised object",
    };

    /// <summary>Every object type, ordinary values and edge values, with a name for the test report.</summary>
    public static IEnumerable<TestCaseData> Objects()
    {
        static TestCaseData Case(string name, GistObject o) => new TestCaseData(o).SetArgDisplayNames(name);

        yield return Case("MRI path-coupled, ports", Mri);
        yield return Case("MRI path-coupled, bare", new GistPathCoupledMri { SourceAddress = Ipv4Address.Any, DestinationAddress = Ipv4Address.Any, SourcePrefixLength = 0, DestinationPrefixLength = 0 });
        yield return Case("MRI path-coupled, every field", new GistPathCoupledMri
        {
            NatTranslationNotNeeded = true,
            SourceAddress = new Ipv4Address(uint.MaxValue),
            DestinationAddress = new Ipv4Address(uint.MaxValue),
            SourcePrefixLength = 24,
            DestinationPrefixLength = 32,
            Protocol = 255,
            DiffServCodePoint = 63,
            Spi = uint.MaxValue,
            SourcePort = ushort.MaxValue,
            DestinationPort = 0,
            Upstream = true,
        });
        yield return Case("MRI path-coupled, SPI only", Mri with { Protocol = 50, Spi = 0x01020304, DestinationPort = null });
        yield return Case("MRI path-coupled, source port only", Mri with { SourcePort = 1, DestinationPort = null });
        yield return Case("MRI loose-end", new GistLooseEndMri { SourceAddress = Sender, DestinationAddress = Receiver, Upstream = true, NatTranslationNotNeeded = true });
        yield return Case("Session-Identification", SessionId);
        yield return Case("Session-Identification, zero", new GistSessionId(UInt128.Zero));
        yield return Case("Session-Identification, all ones", new GistSessionId(UInt128.MaxValue));
        yield return Case("NLI", Nli);
        yield return Case("NLI, no peer identity", Nli with { PeerIdentity = GistBytes.Empty, IpTtl = 0, RoutingStateValidityTime = 0 });
        yield return Case("NLI, 255-byte peer identity", Nli with { PeerIdentity = Enumerable.Range(0, 255).Select(i => (byte)i).ToArray(), IpTtl = 255, RoutingStateValidityTime = uint.MaxValue });
        yield return Case("NLI, 4-byte peer identity", Nli with { PeerIdentity = new byte[] { 1, 2, 3, 4 } });
        yield return Case("Stack-Proposal", StackProposal);
        yield return Case("Stack-Proposal, three profiles", new GistStackProposal([
            new GistStackProfile([GistMaProtocolId.ForwardsTcp, GistMaProtocolId.Tls]),
            new GistStackProfile([GistMaProtocolId.ForwardsTcp]),
            new GistStackProfile([]),
        ]));
        yield return Case("Stack-Proposal, profile of three (fills a word)", new GistStackProposal([new GistStackProfile([1, 2, 3])]));
        yield return Case("Stack-Configuration-Data", StackConfiguration);
        yield return Case("Stack-Configuration-Data, no options", new GistStackConfigurationData { MaHoldTime = uint.MaxValue });
        yield return Case("Stack-Configuration-Data, options of every padding", new GistStackConfigurationData
        {
            MaHoldTime = 1,
            Options =
            [
                new GistMaProtocolOption(GistMaProtocolId.ForwardsTcp, 0, GistBytes.Empty),
                new GistMaProtocolOption(GistMaProtocolId.Tls, 1, new byte[] { 9 }) { DoNotUse = true },
                new GistMaProtocolOption(7, 2, new byte[] { 1, 2, 3 }),
                new GistMaProtocolOption(8, 255, Enumerable.Repeat((byte)0xAA, 255).ToArray()),
            ],
        });
        yield return Case("Query-Cookie", QueryCookie);
        yield return Case("Query-Cookie, empty", new GistQueryCookie(GistBytes.Empty));
        yield return Case("Responder-Cookie", ResponderCookie);
        yield return Case("Responder-Cookie, largest", new GistResponderCookie(new byte[GistConstants.MaxObjectContentLength]));
        yield return Case("NAT-Traversal (opaque)", new GistNatTraversal(GistObjectAction.Forward, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
        yield return Case("NSLP-Data", NslpData);
        yield return Case("NSLP-Data, empty", new GistNslpData(GistBytes.Empty));
        yield return Case("Error object", ErrorObject);
        yield return Case("Error object, minimal", new GistErrorObject
        {
            ErrorClass = GistErrorClass.PermanentFailure,
            ErrorCode = GistErrorCode.EndpointFound,
            OriginalHeader = default,
        });
        yield return Case("Error object, every additional info", ErrorObject with
        {
            ErrorCode = GistErrorCode.ObjectValueError,
            Mri = new GistLooseEndMri { SourceAddress = Sender, DestinationAddress = Receiver },
            AdditionalInfo =
            [
                new GistMessageLengthInfo(ushort.MaxValue),
                new GistMtuInfo(1500),
                new GistObjectTypeInfo(0xFFF),
                new GistObjectValueInfo(6, GistObjectCodec.Encode(QueryCookie)),
                new GistUnknownAdditionalInfo(99, new byte[] { 1, 2, 3, 4 }),
                new GistUnknownAdditionalInfo(100, GistBytes.Empty),
            ],
            DebugComment = "é — three bytes",
        });
        yield return Case("Error object, empty comment, raw MRI", ErrorObject with
        {
            Mri = new GistUnsupportedMri(new byte[] { 0x42, 0, 0x60, 0 }),
            DebugComment = string.Empty,
            AdditionalInfo = default,
        });
        yield return Case("Hello-ID", new GistHelloId(0xfeedf00d));
        yield return Case("unknown object, forward", new GistUnknownObject(0x800, GistObjectAction.Forward, new byte[] { 1, 2, 3, 4 }));
        yield return Case("unknown object, ignore, empty", new GistUnknownObject(0xFFF, GistObjectAction.Ignore, GistBytes.Empty));
    }

    public static GistQuery Query => new(Mri, SessionId, Nli, QueryCookie) { NslpData = NslpData };

    /// <summary>Every message type, with and without its optional parts, with a name for the test report.</summary>
    public static IEnumerable<TestCaseData> Messages()
    {
        static TestCaseData Case(string name, GistMessage m) => new TestCaseData(m).SetArgDisplayNames(name);

        var nat = new GistNatTraversal(GistObjectAction.Mandatory, new byte[] { 0, 0, 0, 1 });
        yield return Case("Query, minimal", new GistQuery(Mri, SessionId, Nli, QueryCookie));
        yield return Case("Query, NSLP-Data", Query);
        yield return Case("Query, everything", Query with
        {
            NatTraversal = nat,
            StackProposal = StackProposal,
            StackConfiguration = StackConfiguration,
            SourceAddressing = true,
            GistHops = byte.MaxValue,
            NslpId = ushort.MaxValue,
        });
        yield return Case("Query, zero hops and NSLPID", new GistQuery(Mri, SessionId, Nli, QueryCookie) { GistHops = 0, NslpId = 0 });
        yield return Case("Response, minimal", new GistResponse(Mri.Reversed(), SessionId, Nli, QueryCookie));
        yield return Case("Response, responder cookie only", new GistResponse(Mri.Reversed(), SessionId, Nli, QueryCookie) { ResponderCookie = ResponderCookie, ResponseRequested = true });
        yield return Case("Response, everything", new GistResponse(Mri.Reversed(), SessionId, Nli, QueryCookie)
        {
            NatTraversal = nat,
            ResponderCookie = ResponderCookie,
            StackProposal = StackProposal,
            StackConfiguration = StackConfiguration,
            NslpData = NslpData,
            ResponseRequested = true,
        });
        yield return Case("Confirm, minimal", new GistConfirm(Mri, SessionId, Nli));
        yield return Case("Confirm, cookie and proposal", new GistConfirm(Mri, SessionId, Nli) { ResponderCookie = ResponderCookie, StackProposal = StackProposal });
        yield return Case("Confirm, everything", new GistConfirm(Mri, SessionId, Nli)
        {
            NatTraversal = nat,
            ResponderCookie = ResponderCookie,
            StackProposal = StackProposal,
            StackConfiguration = StackConfiguration,
            NslpData = NslpData,
            SourceAddressing = true,
        });
        yield return Case("Data, minimal", new GistData(Mri, SessionId, NslpData));
        yield return Case("Data, Q-mode with NLI", new GistData(Mri, SessionId, NslpData) { Nli = Nli, QModeEncapsulated = true, NatTraversal = nat });
        yield return Case("Data, explicitly routed", new GistData(Mri, SessionId, NslpData) { ExplicitRouting = true });
        yield return Case("Error", new GistErrorMessage(Nli, ErrorObject));
        yield return Case("Error, NAT-Traversal", new GistErrorMessage(Nli, ErrorObject) { NatTraversal = nat });
        yield return Case("MA-Hello", new GistMaHello(new GistHelloId(7)));
        yield return Case("MA-Hello, reply requested", new GistMaHello(new GistHelloId(uint.MaxValue)) { ResponseRequested = true });
        yield return Case("Query with unknown objects", Query with
        {
            UnknownObjects =
            [
                new GistUnknownObject(0x7F0, GistObjectAction.Forward, new byte[] { 1, 2, 3, 4 }),
                new GistUnknownObject(0x7F1, GistObjectAction.Ignore, GistBytes.Empty),
            ],
        });
    }

    /// <summary>The encodings of <see cref="Messages"/>, for truncation and mutation tests and the fuzzer's corpus.</summary>
    public static IEnumerable<byte[]> EncodedMessages() =>
        Messages().Select(c => GistCodec.Encode((GistMessage)c.Arguments[0]!));
}
