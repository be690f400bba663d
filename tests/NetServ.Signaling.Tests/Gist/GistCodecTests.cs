using System.Buffers.Binary;
using NetServ.Signaling.Gist;

namespace NetServ.Signaling.Tests.Gist;

[TestFixture]
public sealed class GistCodecTests
{
    [TestCaseSource(typeof(GistSamples), nameof(GistSamples.Messages))]
    public void EncodeThenDecode_EveryMessage_GivesTheSameMessage(GistMessage original)
    {
        var bytes = GistCodec.Encode(original);

        var decoded = GistCodec.TryDecode(bytes, out var again, out var error);

        Assert.That(decoded, Is.True, error.ToString());
        Assert.That(again, Is.EqualTo(original));
        Assert.That(GistCodec.Encode(again!), Is.EqualTo(bytes), "re-encoding changes the bytes");
        Assert.That(GistCodec.TryReadMessageLength(bytes, out var length), Is.True);
        Assert.That(length, Is.EqualTo(bytes.Length));
    }

    [TestCaseSource(typeof(GistSamples), nameof(GistSamples.Messages))]
    public void EncodeThenDecode_WithMagic_GivesTheSameMessage(GistMessage original)
    {
        var bytes = GistCodec.Encode(original, withMagic: true);

        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(bytes), Is.EqualTo(0x4e04bda5));
        Assert.That(GistCodec.TryDecode(bytes, withMagic: true, out var again, out var error), Is.True, error.ToString());
        Assert.That(again, Is.EqualTo(original));
        Assert.That(bytes[4..], Is.EqualTo(GistCodec.Encode(original)));
    }

    [TestCaseSource(typeof(GistSamples), nameof(GistSamples.Messages))]
    public void TryEncode_IntoExactAndShortBuffers_WritesOrRefuses(GistMessage message)
    {
        var length = GistCodec.GetEncodedLength(message, withMagic: true);
        var buffer = new byte[length + 3];

        Assert.That(GistCodec.TryEncode(message, withMagic: true, buffer, out var written), Is.True);
        Assert.That(written, Is.EqualTo(length));
        Assert.That(buffer.AsSpan(0, written).ToArray(), Is.EqualTo(GistCodec.Encode(message, withMagic: true)));
        Assert.That(GistCodec.TryEncode(message, withMagic: true, new byte[length - 1], out written), Is.False);
        Assert.That(written, Is.Zero);
        Assert.That(GistCodec.TryEncode(message, new byte[length - 5], out _), Is.False);
    }

    [TestCaseSource(typeof(GistSamples), nameof(GistSamples.Messages))]
    public void TryDecode_EveryTruncationOfEveryMessage_GivesAnErrorAndNeverThrows(GistMessage message)
    {
        foreach (var withMagic in new[] { false, true })
        {
            var bytes = GistCodec.Encode(message, withMagic);
            for (var length = 0; length < bytes.Length; length++)
            {
                var decoded = GistCodec.TryDecode(bytes.AsSpan(0, length), withMagic, out var m, out var error);
                Assert.That(decoded, Is.False, $"decoded {length} of {bytes.Length} bytes as {m}");
                Assert.That(error.Kind, Is.AnyOf(GistErrorKind.Truncated, GistErrorKind.MessageLengthMismatch), $"{length} bytes: {error}");
            }
        }
    }

    [Test]
    public void TryDecode_HandAssembledQueryDatagram_ReadsHeaderAndObjects()
    {
        var decoded = GistCodec.TryDecode(GistKnownAnswers.QueryDatagram(), withMagic: true, out var message, out var error);

        Assert.That(decoded, Is.True, error.ToString());
        var query = (GistQuery)message!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(query.GistHops, Is.EqualTo(16));
            Assert.That(query.NslpId, Is.EqualTo(32704));
            Assert.That(query.SourceAddressing, Is.False);
            Assert.That(query.RFlag, Is.True);
            Assert.That(query.Mri, Is.EqualTo(GistSamples.Mri));
            Assert.That(query.SessionId, Is.EqualTo(GistSamples.SessionId));
            Assert.That(query.Nli, Is.EqualTo(GistSamples.Nli));
            Assert.That(query.QueryCookie, Is.EqualTo(GistSamples.QueryCookie));
            Assert.That(query.NatTraversal, Is.Null);
            Assert.That(query.StackProposal, Is.Null);
            Assert.That(query.StackConfiguration, Is.Null);
            Assert.That(query.NslpData, Is.Null);
            Assert.That(query.UnknownObjects, Is.Empty);
        }
    }

    [Test]
    public void Encode_MinimalQueryWithMagic_MatchesTheHandAssembledDatagram()
    {
        var query = new GistQuery(GistSamples.Mri, GistSamples.SessionId, GistSamples.Nli, GistSamples.QueryCookie);

        Assert.That(Convert.ToHexString(GistCodec.Encode(query, withMagic: true)), Is.EqualTo(Convert.ToHexString(GistKnownAnswers.QueryDatagram())));
    }

    [Test]
    public void Encode_HeaderFlags_LandOnTheirBits()
    {
        // S and E (R is never set on Data, RFC 5971 A.1; the Query and Response known answers place it).
        var data = new GistData(GistSamples.Mri, GistSamples.SessionId, GistSamples.NslpData)
        {
            SourceAddressing = true,
            ExplicitRouting = true,
            QModeEncapsulated = true,
            GistHops = 3,
            NslpId = 0x1234,
        };

        var bytes = GistCodec.Encode(data);

        Assert.That(bytes[..8], Is.EqualTo(new byte[] { 0x01, 0x03, (byte)((bytes.Length - 8) / 4 >> 8), (byte)((bytes.Length - 8) / 4), 0x12, 0x34, 0x83, 0xA0 }));
        Assert.That(GistCommonHeader.TryRead(bytes, out var header), Is.True);
        Assert.That(header, Is.EqualTo(new GistCommonHeader
        {
            Version = 1,
            GistHops = 3,
            MessageLength = (ushort)((bytes.Length - 8) / 4),
            NslpId = 0x1234,
            QModeEncapsulated = true,
            Type = GistMessageType.Data,
            SourceAddressing = true,
            ExplicitRouting = true,
        }));
    }

    [Test]
    public void TryDecode_ReservedHeaderBitsSet_AreIgnored()
    {
        var bytes = GistCodec.Encode(GistSamples.Query);
        bytes[7] |= 0x1F;

        Assert.That(GistCodec.TryDecode(bytes, out var message, out var error), Is.True, error.ToString());
        Assert.That(message, Is.EqualTo(GistSamples.Query));
    }

    private static byte[] Query() => GistCodec.Encode(GistSamples.Query);

    private static byte[] Patched(byte[] bytes, int index, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[index] = value;
        return copy;
    }

    private static IEnumerable<TestCaseData> BadHeaders()
    {
        static TestCaseData Case(string name, GistErrorKind kind, byte subcode, byte[] bytes) =>
            new TestCaseData(bytes, kind, subcode).SetArgDisplayNames(name);

        yield return Case("version 0", GistErrorKind.UnknownVersion, 0, Patched(Query(), 0, 0));
        yield return Case("version 2", GistErrorKind.UnknownVersion, 0, Patched(Query(), 0, 2));
        yield return Case("type 6", GistErrorKind.UnknownMessageType, 1, Patched(Query(), 6, 0x86));
        yield return Case("type 127", GistErrorKind.UnknownMessageType, 1, Patched(Query(), 6, 0xFF));
        var confirm = GistCodec.Encode(new GistConfirm(GistSamples.Mri, GistSamples.SessionId, GistSamples.Nli));
        yield return Case("R on Confirm", GistErrorKind.InvalidRFlag, 2, Patched(confirm, 7, 0x40));
        var error = GistCodec.Encode(new GistErrorMessage(GistSamples.Nli, GistSamples.ErrorObject));
        yield return Case("R on Error", GistErrorKind.InvalidRFlag, 2, Patched(error, 7, 0x40));
        var data = GistCodec.Encode(new GistData(GistSamples.Mri, GistSamples.SessionId, GistSamples.NslpData));
        yield return Case("R on Data (RFC 5971 A.1: never set)", GistErrorKind.InvalidRFlag, 2, Patched(data, 7, 0x40));
        yield return Case("R clear on Query (RFC 5971 A.1: MUST always be set)", GistErrorKind.InvalidRFlag, 2, Patched(Query(), 7, 0x00));
        yield return Case("E on Query", GistErrorKind.InvalidEFlag, 4, Patched(Query(), 7, 0x60));
        yield return Case("C clear on Query", GistErrorKind.InvalidCFlag, 5, Patched(Query(), 6, 0x00));
        yield return Case("C on Confirm", GistErrorKind.InvalidCFlag, 5, Patched(confirm, 6, 0x82));
        var hello = GistCodec.Encode(new GistMaHello(new GistHelloId(1)));
        yield return Case("C on MA-Hello", GistErrorKind.InvalidCFlag, 5, Patched(hello, 6, 0x85));
        var longer = Query();
        BinaryPrimitives.WriteUInt16BigEndian(longer.AsSpan(2), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(longer.AsSpan(2)) + 1));
        yield return Case("Message Length longer than the data", GistErrorKind.MessageLengthMismatch, 3, longer);
        var shorter = Query();
        BinaryPrimitives.WriteUInt16BigEndian(shorter.AsSpan(2), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(shorter.AsSpan(2)) - 1));
        yield return Case("Message Length shorter than the data", GistErrorKind.MessageLengthMismatch, 3, shorter);
        yield return Case("trailing byte", GistErrorKind.MessageLengthMismatch, 3, [.. Query(), 0]);
        yield return Case("empty", GistErrorKind.Truncated, 3, []);
    }

    [TestCaseSource(nameof(BadHeaders))]
    public void TryDecode_BadCommonHeader_GivesTheCommonHeaderParseError(byte[] bytes, GistErrorKind kind, byte subcode)
    {
        Assert.That(GistCodec.TryDecode(bytes, out _, out var error), Is.False);
        Assert.That(error.Kind, Is.EqualTo(kind), error.ToString());
        Assert.That(error.ToRfcError(), Is.EqualTo(new GistRfcError(GistErrorClass.ProtocolError, GistErrorCode.CommonHeaderParseError, subcode)));
    }

    [TestCase(new byte[] { 0x4e, 0x04, 0xbd, 0xa4 })]
    [TestCase(new byte[] { 0xa5, 0xbd, 0x04, 0x4e })]
    [TestCase(new byte[] { 0x01, 0x10, 0x00, 0x14 })]
    public void TryDecode_WrongMagic_IsBadMagic(byte[] magic)
    {
        byte[] bytes = [.. magic, .. Query()];

        Assert.That(GistCodec.TryDecode(bytes, withMagic: true, out _, out var error), Is.False);
        Assert.That(error.Kind, Is.EqualTo(GistErrorKind.BadMagic));
        Assert.That(error.ToRfcError(), Is.Null, "a datagram without the magic is not GIST and gets no Error message");
    }

    [Test]
    public void TryDecode_MagicWhereNoneIsExpected_IsAnUnknownVersion()
    {
        Assert.That(GistCodec.TryDecode(GistKnownAnswers.QueryDatagram(), out _, out var error), Is.False);
        Assert.That(error.Kind, Is.EqualTo(GistErrorKind.UnknownVersion));
    }

    [Test]
    public void TryReadMessageLength_FewerThanEightBytes_ReturnsFalse()
    {
        var bytes = Query();

        Assert.That(GistCodec.TryReadMessageLength(bytes.AsSpan(0, 7), out _), Is.False);
        Assert.That(GistCodec.TryReadMessageLength(bytes.AsSpan(0, 8), out var length), Is.True);
        Assert.That(length, Is.EqualTo(bytes.Length));
    }

    /// <summary>Builds a message from a header and raw objects, with a correct Message Length, so only the object list is wrong.</summary>
    private static byte[] Message(GistMessageType type, params byte[][] objects)
    {
        var body = objects.SelectMany(o => o).ToArray();
        var header = new byte[8];
        new GistCommonHeader
        {
            Version = 1,
            GistHops = 16,
            MessageLength = (ushort)(body.Length / 4),
            NslpId = GistConstants.NetServNslpId,
            QModeEncapsulated = type == GistMessageType.Query,
            ResponseRequested = type == GistMessageType.Query,
            Type = type,
        }.TryWrite(header);
        return [.. header, .. body];
    }

    private static byte[] Enc(GistObject o) => GistObjectCodec.Encode(o);

    private static readonly byte[] MriBytes = Enc(GistSamples.Mri);
    private static readonly byte[] SidBytes = Enc(GistSamples.SessionId);
    private static readonly byte[] NliBytes = Enc(GistSamples.Nli);
    private static readonly byte[] QcBytes = Enc(GistSamples.QueryCookie);
    private static readonly byte[] RcBytes = Enc(GistSamples.ResponderCookie);
    private static readonly byte[] SpBytes = Enc(GistSamples.StackProposal);
    private static readonly byte[] ScdBytes = Enc(GistSamples.StackConfiguration);
    private static readonly byte[] NslpBytes = Enc(GistSamples.NslpData);
    private static readonly byte[] ErrBytes = Enc(GistSamples.ErrorObject);
    private static readonly byte[] HelloBytes = Enc(new GistHelloId(1));
    private static readonly byte[] NatBytes = Enc(new GistNatTraversal(GistObjectAction.Forward, new byte[4]));

    private static IEnumerable<TestCaseData> BadObjectLists()
    {
        static TestCaseData Case(string name, GistErrorKind kind, GistObjectType type, byte[] bytes) =>
            new TestCaseData(bytes, kind, type).SetArgDisplayNames(name);

        const GistMessageType Q = GistMessageType.Query, R = GistMessageType.Response, C = GistMessageType.Confirm;
        const GistMessageType D = GistMessageType.Data, E = GistMessageType.Error, H = GistMessageType.MaHello;

        // Missing mandatory objects, one by one.
        yield return Case("Query without MRI", GistErrorKind.MissingObject, GistObjectType.MessageRoutingInformation, Message(Q, SidBytes, NliBytes, QcBytes));
        yield return Case("Query without Session-Identification", GistErrorKind.MissingObject, GistObjectType.SessionIdentification, Message(Q, MriBytes, NliBytes, QcBytes));
        yield return Case("Query without NLI", GistErrorKind.MissingObject, GistObjectType.NetworkLayerInformation, Message(Q, MriBytes, SidBytes, QcBytes));
        yield return Case("Query without Query-Cookie", GistErrorKind.MissingObject, GistObjectType.QueryCookie, Message(Q, MriBytes, SidBytes, NliBytes));
        yield return Case("Query without objects", GistErrorKind.MissingObject, GistObjectType.MessageRoutingInformation, Message(Q));
        yield return Case("Response without Query-Cookie", GistErrorKind.MissingObject, GistObjectType.QueryCookie, Message(R, MriBytes, SidBytes, NliBytes));
        yield return Case("Confirm without NLI", GistErrorKind.MissingObject, GistObjectType.NetworkLayerInformation, Message(C, MriBytes, SidBytes));
        yield return Case("Data without NSLP-Data", GistErrorKind.MissingObject, GistObjectType.NslpData, Message(D, MriBytes, SidBytes, NliBytes));
        yield return Case("Data without Session-Identification", GistErrorKind.MissingObject, GistObjectType.SessionIdentification, Message(D, MriBytes, NslpBytes));
        yield return Case("Error without NLI", GistErrorKind.MissingObject, GistObjectType.NetworkLayerInformation, Message(E, ErrBytes));
        yield return Case("Error without Error object", GistErrorKind.MissingObject, GistObjectType.Error, Message(E, NliBytes));
        yield return Case("MA-Hello without Hello-ID", GistErrorKind.MissingObject, GistObjectType.HelloId, Message(H));

        // Objects the grammar couples.
        yield return Case("Query with Stack-Proposal alone", GistErrorKind.MissingObject, GistObjectType.StackConfigurationData, Message(Q, MriBytes, SidBytes, NliBytes, QcBytes, SpBytes));
        yield return Case("Query with Stack-Configuration-Data alone", GistErrorKind.MissingObject, GistObjectType.StackProposal, Message(Q, MriBytes, SidBytes, NliBytes, QcBytes, ScdBytes));
        yield return Case("Response with stack objects but no Responder-Cookie", GistErrorKind.MissingObject, GistObjectType.ResponderCookie, Message(R, MriBytes, SidBytes, NliBytes, QcBytes, SpBytes, ScdBytes));
        yield return Case("Response with Stack-Proposal alone", GistErrorKind.MissingObject, GistObjectType.StackConfigurationData, Message(R, MriBytes, SidBytes, NliBytes, QcBytes, RcBytes, SpBytes));
        yield return Case("Confirm with Stack-Proposal but no Responder-Cookie", GistErrorKind.MissingObject, GistObjectType.ResponderCookie, Message(C, MriBytes, SidBytes, NliBytes, SpBytes));
        yield return Case("Confirm with Stack-Configuration-Data but no Stack-Proposal", GistErrorKind.MissingObject, GistObjectType.StackProposal, Message(C, MriBytes, SidBytes, NliBytes, RcBytes, ScdBytes));

        // Duplicates.
        yield return Case("Query with two MRIs", GistErrorKind.DuplicateObject, GistObjectType.MessageRoutingInformation, Message(Q, MriBytes, MriBytes, SidBytes, NliBytes, QcBytes));
        yield return Case("Query with two Query-Cookies", GistErrorKind.DuplicateObject, GistObjectType.QueryCookie, Message(Q, MriBytes, SidBytes, NliBytes, QcBytes, QcBytes));
        yield return Case("Data with two NSLP-Data", GistErrorKind.DuplicateObject, GistObjectType.NslpData, Message(D, MriBytes, SidBytes, NslpBytes, NslpBytes));
        yield return Case("Error with two Error objects", GistErrorKind.DuplicateObject, GistObjectType.Error, Message(E, NliBytes, ErrBytes, ErrBytes));
        yield return Case("MA-Hello with two Hello-IDs", GistErrorKind.DuplicateObject, GistObjectType.HelloId, Message(H, HelloBytes, HelloBytes));
        yield return Case("Query with two NAT-Traversals", GistErrorKind.DuplicateObject, GistObjectType.NatTraversal, Message(Q, NatBytes, NatBytes, MriBytes, SidBytes, NliBytes, QcBytes));

        // Order.
        yield return Case("Query with SID before MRI", GistErrorKind.ObjectOutOfOrder, GistObjectType.MessageRoutingInformation, Message(Q, SidBytes, MriBytes, NliBytes, QcBytes));
        yield return Case("Query with Query-Cookie before NLI", GistErrorKind.ObjectOutOfOrder, GistObjectType.NetworkLayerInformation, Message(Q, MriBytes, SidBytes, QcBytes, NliBytes));
        yield return Case("Query with NSLP-Data before the stack objects", GistErrorKind.ObjectOutOfOrder, GistObjectType.StackProposal, Message(Q, MriBytes, SidBytes, NliBytes, QcBytes, NslpBytes, SpBytes, ScdBytes));
        yield return Case("Query with Stack-Configuration-Data before Stack-Proposal", GistErrorKind.ObjectOutOfOrder, GistObjectType.StackProposal, Message(Q, MriBytes, SidBytes, NliBytes, QcBytes, ScdBytes, SpBytes));
        yield return Case("Query with NAT-Traversal after MRI", GistErrorKind.ObjectOutOfOrder, GistObjectType.NatTraversal, Message(Q, MriBytes, NatBytes, SidBytes, NliBytes, QcBytes));
        yield return Case("Response with Responder-Cookie before Query-Cookie", GistErrorKind.ObjectOutOfOrder, GistObjectType.QueryCookie, Message(R, MriBytes, SidBytes, NliBytes, RcBytes, QcBytes));
        yield return Case("Data with NSLP-Data before NLI", GistErrorKind.ObjectOutOfOrder, GistObjectType.NetworkLayerInformation, Message(D, MriBytes, SidBytes, NslpBytes, NliBytes));
        yield return Case("Error with Error object before NLI", GistErrorKind.ObjectOutOfOrder, GistObjectType.NetworkLayerInformation, Message(E, ErrBytes, NliBytes));

        // Objects a message type does not carry.
        yield return Case("Error with NSLP-Data", GistErrorKind.InvalidObjectType, GistObjectType.NslpData, Message(E, NliBytes, ErrBytes, NslpBytes));
        yield return Case("MA-Hello with NSLP-Data", GistErrorKind.InvalidObjectType, GistObjectType.NslpData, Message(H, HelloBytes, NslpBytes));
        yield return Case("Query with Responder-Cookie", GistErrorKind.InvalidObjectType, GistObjectType.ResponderCookie, Message(Q, MriBytes, SidBytes, NliBytes, QcBytes, RcBytes));
        yield return Case("Confirm with Query-Cookie", GistErrorKind.InvalidObjectType, GistObjectType.QueryCookie, Message(C, MriBytes, SidBytes, NliBytes, QcBytes));
        yield return Case("Data with Query-Cookie", GistErrorKind.InvalidObjectType, GistObjectType.QueryCookie, Message(D, MriBytes, SidBytes, QcBytes, NslpBytes));
        yield return Case("Query with Hello-ID", GistErrorKind.InvalidObjectType, GistObjectType.HelloId, Message(Q, MriBytes, SidBytes, NliBytes, QcBytes, HelloBytes));
        yield return Case("Query with Error object", GistErrorKind.InvalidObjectType, GistObjectType.Error, Message(Q, MriBytes, SidBytes, NliBytes, QcBytes, ErrBytes));
        yield return Case("MA-Hello with MRI", GistErrorKind.InvalidObjectType, GistObjectType.MessageRoutingInformation, Message(H, MriBytes, HelloBytes));
        yield return Case("Error with MRI", GistErrorKind.InvalidObjectType, GistObjectType.MessageRoutingInformation, Message(E, NliBytes, MriBytes, ErrBytes));

        // Cross-object values.
        var twoProfiles = GistSamples.StackConfiguration with { Options = [GistMaProtocolOption.ForwardsTcpPort(2, 30270)] };
        yield return Case("option for a profile the proposal lacks", GistErrorKind.StackProposalConfigurationMismatch, GistObjectType.StackConfigurationData, Message(Q, MriBytes, SidBytes, NliBytes, QcBytes, SpBytes, Enc(twoProfiles)));
    }

    [TestCaseSource(nameof(BadObjectLists))]
    public void TryDecode_ObjectsAgainstTheGrammar_GiveTheObjectTypeError(byte[] bytes, GistErrorKind kind, GistObjectType objectType)
    {
        Assert.That(GistCodec.TryDecode(bytes, out var message, out var error), Is.False, $"decoded {message}");
        Assert.That(error.Kind, Is.EqualTo(kind), error.ToString());
        Assert.That(error.ObjectType, Is.EqualTo(objectType), error.ToString());
    }

    [Test]
    public void TryDecode_ConfirmWithProposalButNoConfiguration_IsValid()
    {
        var bytes = Message(GistMessageType.Confirm, MriBytes, SidBytes, NliBytes, RcBytes, SpBytes);

        Assert.That(GistCodec.TryDecode(bytes, out var message, out var error), Is.True, error.ToString());
        Assert.That(((GistConfirm)message!).StackConfiguration, Is.Null);
    }

    [Test]
    public void TryDecode_OptionForAllProfiles_IsNoMismatch()
    {
        var all = GistSamples.StackConfiguration with { Options = [GistMaProtocolOption.ForwardsTcpPort(0, 30270)] };
        var bytes = Message(GistMessageType.Query, MriBytes, SidBytes, NliBytes, QcBytes, SpBytes, Enc(all));

        Assert.That(GistCodec.TryDecode(bytes, out _, out var error), Is.True, error.ToString());
    }

    [TestCase(GistObjectAction.Ignore)]
    [TestCase(GistObjectAction.Forward)]
    public void TryDecode_UnknownSkippableObjectAnywhere_IsExposedAndTheRestDecodes(GistObjectAction action)
    {
        var unknown = new GistUnknownObject(0x400, action, new byte[] { 9, 9, 9, 9 });
        var u = Enc(unknown);
        var bytes = Message(GistMessageType.Query, u, MriBytes, SidBytes, u, NliBytes, QcBytes, NslpBytes, u);

        Assert.That(GistCodec.TryDecode(bytes, out var message, out var error), Is.True, error.ToString());
        Assert.That(message!.UnknownObjects, Is.EqualTo(new[] { unknown, unknown, unknown }));
        Assert.That(message with { UnknownObjects = default }, Is.EqualTo(GistSamples.Query));
    }

    [Test]
    public void TryDecode_UnknownMandatoryObject_IsUnrecognisedObject()
    {
        var bytes = Message(GistMessageType.Query, MriBytes, SidBytes, NliBytes, QcBytes, [0x04, 0x00, 0x00, 0x00]);

        Assert.That(GistCodec.TryDecode(bytes, out _, out var error), Is.False);
        Assert.That(error.Kind, Is.EqualTo(GistErrorKind.UnrecognisedObject));
        Assert.That(error.Offset, Is.EqualTo(bytes.Length - 4));
    }

    [Test]
    public void TryDecode_UnknownObjectWithAB11_IsInvalidExtensibilityFlags()
    {
        var bytes = Message(GistMessageType.Query, MriBytes, SidBytes, NliBytes, QcBytes, [0xC4, 0x00, 0x00, 0x00]);

        Assert.That(GistCodec.TryDecode(bytes, out _, out var error), Is.False);
        Assert.That(error.Kind, Is.EqualTo(GistErrorKind.InvalidExtensibilityFlags));
    }

    [Test]
    public void TryDecode_ObjectLengthRunningPastTheMessage_IsAnIncorrectMessageLength()
    {
        var last = (byte[])QcBytes.Clone();
        last[3] = 3; // says three words, two follow
        var bytes = Message(GistMessageType.Query, MriBytes, SidBytes, NliBytes, last);

        Assert.That(GistCodec.TryDecode(bytes, out _, out var error), Is.False);
        Assert.That(error.Kind, Is.EqualTo(GistErrorKind.ObjectOverrunsMessage));
        Assert.That(error.ToRfcError(), Is.EqualTo(new GistRfcError(GistErrorClass.ProtocolError, GistErrorCode.CommonHeaderParseError, 3)));
    }

    [Test]
    public void TryDecode_ObjectLengthShorterThanItsFields_IsAnObjectValueError()
    {
        var mri = (byte[])MriBytes.Clone();
        mri[3] = 4; // one word short: the port word becomes the next object's header
        var bytes = Message(GistMessageType.Query, mri, SidBytes, NliBytes, QcBytes);

        Assert.That(GistCodec.TryDecode(bytes, out _, out var error), Is.False);
        Assert.That(error.Kind, Is.EqualTo(GistErrorKind.IncorrectObjectLength));
        Assert.That(error.Offset, Is.EqualTo(12));
    }

    [Test]
    public void TryDecode_MalformedObjectInsideAMessage_ReportsItsOffsetInTheInput()
    {
        var nli = (byte[])NliBytes.Clone();
        nli[6] = 0x60; // IPv6
        var bytes = Message(GistMessageType.Query, MriBytes, SidBytes, nli, QcBytes);

        Assert.That(GistCodec.TryDecode(bytes, withMagic: false, out _, out var error), Is.False);
        Assert.That(error.Kind, Is.EqualTo(GistErrorKind.ValueNotSupported));
        Assert.That(error.Offset, Is.EqualTo(8 + MriBytes.Length + SidBytes.Length + 6));
        Assert.That(error.ObjectType, Is.EqualTo(GistObjectType.NetworkLayerInformation));
    }

    [Test]
    public void Encode_MessagesThatBreakTheGrammar_Throw()
    {
        var query = GistSamples.Query;
        var response = new GistResponse(GistSamples.Mri, GistSamples.SessionId, GistSamples.Nli, GistSamples.QueryCookie);
        var confirm = new GistConfirm(GistSamples.Mri, GistSamples.SessionId, GistSamples.Nli);
        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<ArgumentException>(() => GistCodec.Encode(query with { StackProposal = GistSamples.StackProposal }));
            Assert.Throws<ArgumentException>(() => GistCodec.Encode(response with { StackProposal = GistSamples.StackProposal, StackConfiguration = GistSamples.StackConfiguration }));
            Assert.Throws<ArgumentException>(() => GistCodec.Encode(confirm with { ResponderCookie = GistSamples.ResponderCookie, StackConfiguration = GistSamples.StackConfiguration }));
            Assert.Throws<ArgumentException>(() => GistCodec.Encode(query with { Mri = null! }));
            Assert.Throws<ArgumentException>(() => GistCodec.Encode(query with { UnknownObjects = [new GistUnknownObject(0x400, GistObjectAction.Mandatory, GistBytes.Empty)] }));
            Assert.Throws<ArgumentException>(() => GistCodec.Encode(query with { UnknownObjects = [new GistUnknownObject((ushort)GistObjectType.NslpData, GistObjectAction.Forward, GistBytes.Empty)] }));
            Assert.Throws<ArgumentException>(() => GistCodec.Encode(query with
            {
                StackProposal = GistSamples.StackProposal,
                StackConfiguration = GistSamples.StackConfiguration with { Options = [GistMaProtocolOption.ForwardsTcpPort(3, 1)] },
            }));
        }
    }

    [Test]
    public void Encode_LargestMessage_FitsTheSixteenBitLength()
    {
        var big = new GistNslpData(new byte[GistConstants.MaxObjectContentLength]);
        var data = new GistData(GistSamples.Mri, GistSamples.SessionId, big)
        {
            UnknownObjects = [.. Enumerable.Range(0, 14).Select(i => new GistUnknownObject((ushort)(0x400 + i), GistObjectAction.Forward, new byte[GistConstants.MaxObjectContentLength]))],
        };

        var bytes = GistCodec.Encode(data);

        Assert.That(GistCodec.TryDecode(bytes, out var again, out var error), Is.True, error.ToString());
        Assert.That(again, Is.EqualTo(data));
        var tooBig = data with { UnknownObjects = [.. data.UnknownObjects, .. data.UnknownObjects] };
        Assert.Throws<ArgumentException>(() => GistCodec.Encode(tooBig));
    }
}
