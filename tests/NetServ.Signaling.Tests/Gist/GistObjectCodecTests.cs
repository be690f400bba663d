using NetServ.Networking;
using NetServ.Signaling.Gist;

namespace NetServ.Signaling.Tests.Gist;

[TestFixture]
public sealed class GistObjectCodecTests
{
    [TestCaseSource(typeof(GistSamples), nameof(GistSamples.Objects))]
    public void EncodeThenDecode_EveryObject_GivesTheSameObject(GistObject original)
    {
        var bytes = GistObjectCodec.Encode(original);

        var decoded = GistObjectCodec.TryDecode(bytes, out var again, out var consumed, out var error);

        Assert.That(decoded, Is.True, error.ToString());
        Assert.That(again, Is.EqualTo(original));
        Assert.That(consumed, Is.EqualTo(bytes.Length));
        Assert.That(bytes.Length % 4, Is.Zero);
        Assert.That(GistObjectCodec.Encode(again!), Is.EqualTo(bytes), "re-encoding changes the bytes");
    }

    [TestCaseSource(typeof(GistSamples), nameof(GistSamples.Objects))]
    public void TryEncode_BufferOneByteShort_ReturnsFalse(GistObject original)
    {
        var length = GistObjectCodec.GetEncodedLength(original);

        var written = GistObjectCodec.TryEncode(original, new byte[length - 1], out var count);

        Assert.That(written, Is.False);
        Assert.That(count, Is.Zero);
    }

    [TestCaseSource(typeof(GistSamples), nameof(GistSamples.Objects))]
    public void TryDecode_EveryTruncation_GivesAnError(GistObject original)
    {
        var bytes = GistObjectCodec.Encode(original);
        for (var length = 0; length < bytes.Length; length++)
        {
            var decoded = GistObjectCodec.TryDecode(bytes.AsSpan(0, length), out var o, out _, out var error);
            Assert.That(decoded, Is.False, $"decoded {length} of {bytes.Length} bytes");
            Assert.That(o, Is.Null);
            Assert.That(error.Kind, Is.EqualTo(GistErrorKind.ObjectOverrunsMessage), $"at {length}: {error}");
        }
    }

    private static IEnumerable<TestCaseData> KnownAnswers()
    {
        yield return new TestCaseData(GistKnownAnswers.Mri, GistSamples.Mri).SetArgDisplayNames("MRI");
        yield return new TestCaseData(GistKnownAnswers.SessionId, GistSamples.SessionId).SetArgDisplayNames("Session-Identification");
        yield return new TestCaseData(GistKnownAnswers.Nli, GistSamples.Nli).SetArgDisplayNames("NLI");
        yield return new TestCaseData(GistKnownAnswers.QueryCookie, GistSamples.QueryCookie).SetArgDisplayNames("Query-Cookie");
        yield return new TestCaseData(GistKnownAnswers.StackProposal, GistSamples.StackProposal).SetArgDisplayNames("Stack-Proposal");
        yield return new TestCaseData(GistKnownAnswers.StackConfiguration, GistSamples.StackConfiguration).SetArgDisplayNames("Stack-Configuration-Data");
        yield return new TestCaseData(GistKnownAnswers.ErrorObject, GistSamples.ErrorObject).SetArgDisplayNames("Error object");
        yield return new TestCaseData(GistKnownAnswers.HelloId, new GistHelloId(0xfeedf00d)).SetArgDisplayNames("Hello-ID");
    }

    [TestCaseSource(nameof(KnownAnswers))]
    public void Encode_KnownObject_MatchesTheHandAssembledBytes(byte[] expected, GistObject gistObject) =>
        Assert.That(Convert.ToHexString(GistObjectCodec.Encode(gistObject)), Is.EqualTo(Convert.ToHexString(expected)));

    [TestCaseSource(nameof(KnownAnswers))]
    public void TryDecode_HandAssembledBytes_GiveTheKnownObject(byte[] bytes, GistObject expected)
    {
        Assert.That(GistObjectCodec.TryDecode(bytes, out var decoded, out _, out var error), Is.True, error.ToString());
        Assert.That(decoded, Is.EqualTo(expected));
    }

    [Test]
    public void TryDecode_KnownMri_ReadsEveryField()
    {
        GistObjectCodec.TryDecode(GistKnownAnswers.Mri, out var decoded, out _, out _);

        var mri = (GistPathCoupledMri)decoded!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(mri.MrmId, Is.Zero);
            Assert.That(mri.NatTranslationNotNeeded, Is.False);
            Assert.That(mri.SourceAddress, Is.EqualTo(Ipv4Address.Parse("198.18.0.1")));
            Assert.That(mri.DestinationAddress, Is.EqualTo(Ipv4Address.Parse("198.19.0.1")));
            Assert.That(mri.SourcePrefixLength, Is.EqualTo(32));
            Assert.That(mri.DestinationPrefixLength, Is.EqualTo(32));
            Assert.That(mri.Protocol, Is.EqualTo(17));
            Assert.That(mri.DiffServCodePoint, Is.Null);
            Assert.That(mri.Spi, Is.Null);
            Assert.That(mri.SourcePort, Is.Null);
            Assert.That(mri.DestinationPort, Is.EqualTo(5060));
            Assert.That(mri.Upstream, Is.False);
        }
    }

    [Test]
    public void TryDecode_MriWithEveryFlag_ReadsEachFlagFromItsBit()
    {
        byte[] bytes =
        [
            0x00, 0x00, 0x00, 0x06,
            0x00, 0x80, 0x4D, 0xE0, // N=1 | IP-Ver 4, P=1 T=1 F=0 S=1 | A=1 B=1 D=1
            0x0A, 0x00, 0x00, 0x01,
            0x0A, 0x00, 0x00, 0x02,
            0x18, 0x10, 0x32, 0xB8, // /24, /16, protocol 50, DS-field 46 (EF) << 2
            0x00, 0x00, 0x10, 0x01, // SPI 4097
            0x04, 0xD2, 0x16, 0x2E, // source port 1234, destination port 5678
        ];

        Assert.That(GistObjectCodec.TryDecode(bytes, out var decoded, out _, out var error), Is.True, error.ToString());
        Assert.That(decoded, Is.EqualTo(new GistPathCoupledMri
        {
            NatTranslationNotNeeded = true,
            SourceAddress = Ipv4Address.Parse("10.0.0.1"),
            DestinationAddress = Ipv4Address.Parse("10.0.0.2"),
            SourcePrefixLength = 24,
            DestinationPrefixLength = 16,
            Protocol = 50,
            DiffServCodePoint = 46,
            Spi = 4097,
            SourcePort = 1234,
            DestinationPort = 5678,
            Upstream = true,
        }));
    }

    [Test]
    public void TryDecode_LooseEndMri_ReadsDFromItsBit()
    {
        byte[] bytes =
        [
            0x00, 0x00, 0x00, 0x03,
            0x01, 0x00, 0x48, 0x00, // MRM-ID 1 | N=0 | IP-Ver 4, D=1
            0xC6, 0x12, 0x00, 0x01,
            0xC6, 0x13, 0x00, 0x01,
        ];

        Assert.That(GistObjectCodec.TryDecode(bytes, out var decoded, out _, out var error), Is.True, error.ToString());
        Assert.That(decoded, Is.EqualTo(new GistLooseEndMri { SourceAddress = GistSamples.Sender, DestinationAddress = GistSamples.Receiver, Upstream = true }));
    }

    [Test]
    public void TryDecode_ReservedBitsSet_AreIgnored()
    {
        var bytes = (byte[])GistKnownAnswers.Mri.Clone();
        bytes[0] |= 0x30; // r r after A B
        bytes[2] |= 0xF0; // r r r r before Length
        bytes[5] |= 0x7F; // reserved after N
        bytes[7] |= 0x1F; // reserved after D
        bytes[19] |= 0x03; // Rsv after DS-field

        Assert.That(GistObjectCodec.TryDecode(bytes, out var decoded, out _, out var error), Is.True, error.ToString());
        Assert.That(decoded, Is.EqualTo(GistSamples.Mri));
    }

    [Test]
    public void TryDecode_KnownNli_ReadsEveryField()
    {
        GistObjectCodec.TryDecode(GistKnownAnswers.Nli, out var decoded, out _, out _);

        var nli = (GistNetworkLayerInformation)decoded!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(nli.PeerIdentity.ToArray(), Is.EqualTo("node-a"u8.ToArray()));
            Assert.That(nli.IpTtl, Is.EqualTo(64));
            Assert.That(nli.RoutingStateValidityTime, Is.EqualTo(30_000));
            Assert.That(nli.InterfaceAddress, Is.EqualTo(GistSamples.Sender));
        }
    }

    [Test]
    public void TryDecode_KnownStackConfiguration_GivesTheTcpPort()
    {
        GistObjectCodec.TryDecode(GistKnownAnswers.StackConfiguration, out var decoded, out _, out _);

        var configuration = (GistStackConfigurationData)decoded!;
        Assert.That(configuration.MaHoldTime, Is.EqualTo(30_000));
        Assert.That(configuration.Options, Has.Count.EqualTo(1));
        Assert.That(configuration.Options[0].TryGetTcpPort(out var port), Is.True);
        Assert.That(port, Is.EqualTo(30270));
        Assert.That(configuration.Options[0].Profile, Is.EqualTo(1));
        Assert.That(configuration.Options[0].DoNotUse, Is.False);
    }

    [Test]
    public void TryDecode_TcpOptionWithTwoByteLength_StillGivesThePort()
    {
        var bytes = (byte[])GistKnownAnswers.StackConfiguration.Clone();
        bytes[14] = 2; // Length 2: just the port, then padding

        GistObjectCodec.TryDecode(bytes, out var decoded, out _, out _);

        Assert.That(((GistStackConfigurationData)decoded!).Options[0].TryGetTcpPort(out var port), Is.True);
        Assert.That(port, Is.EqualTo(30270));
    }

    [Test]
    public void TryDecode_KnownErrorObject_ReadsEveryField()
    {
        GistObjectCodec.TryDecode(GistKnownAnswers.ErrorObject, out var decoded, out _, out _);

        var e = (GistErrorObject)decoded!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.RfcError, Is.EqualTo(new GistRfcError(GistErrorClass.ProtocolError, GistErrorCode.ObjectTypeError, 1)));
            Assert.That(e.DatagramMode, Is.True);
            Assert.That(e.QModeEncapsulated, Is.True);
            Assert.That(e.OriginalHeader.Type, Is.EqualTo(GistMessageType.Query));
            Assert.That(e.OriginalHeader.GistHops, Is.EqualTo(15));
            Assert.That(e.OriginalHeader.MessageLength, Is.EqualTo(20));
            Assert.That(e.OriginalHeader.NslpId, Is.EqualTo(GistConstants.NetServNslpId));
            Assert.That(e.OriginalHeader.QModeEncapsulated, Is.True);
            Assert.That(e.SessionId, Is.EqualTo(GistSamples.SessionId));
            Assert.That(e.Mri, Is.EqualTo(GistSamples.Mri));
            Assert.That(e.AdditionalInfo.Single(), Is.EqualTo(new GistObjectTypeInfo(0x123)));
            Assert.That(e.DebugComment, Is.EqualTo("unrecognised object"));
        }
    }

    [Test]
    public void TryDecode_ErrorObjectWithUnreadableMri_KeepsTheMriRaw()
    {
        var bytes = (byte[])GistKnownAnswers.ErrorObject.Clone();
        bytes[38] = 0x68; // the embedded MRI says IP-Ver 6

        Assert.That(GistObjectCodec.TryDecode(bytes, out var decoded, out _, out var error), Is.True, error.ToString());
        var mri = ((GistErrorObject)decoded!).Mri;
        Assert.That(mri, Is.TypeOf<GistUnsupportedMri>());
        Assert.That(((GistUnsupportedMri)mri!).Content.ToArray(), Is.EqualTo(bytes[36..56]));
    }

    [TestCase(GistObjectAction.Ignore)]
    [TestCase(GistObjectAction.Forward)]
    public void TryDecode_UnknownTypeThatMayBeSkipped_IsKeptWithItsAction(GistObjectAction action)
    {
        byte[] bytes = [(byte)(((int)action << 6) | 0x0F), 0xFF, 0x00, 0x01, 1, 2, 3, 4];

        Assert.That(GistObjectCodec.TryDecode(bytes, out var decoded, out _, out var error), Is.True, error.ToString());
        Assert.That(decoded, Is.EqualTo(new GistUnknownObject(0xFFF, action, new byte[] { 1, 2, 3, 4 })));
        Assert.That(((GistUnknownObject)decoded!).MustBeForwarded, Is.EqualTo(action == GistObjectAction.Forward));
    }

    [Test]
    public void TryDecode_UnknownMandatoryType_IsUnrecognisedObject()
    {
        byte[] bytes = [0x0F, 0xFF, 0x00, 0x00];

        Assert.That(GistObjectCodec.TryDecode(bytes, out _, out _, out var error), Is.False);
        Assert.That(error.Kind, Is.EqualTo(GistErrorKind.UnrecognisedObject));
        Assert.That(error.ToRfcError(), Is.EqualTo(new GistRfcError(GistErrorClass.ProtocolError, GistErrorCode.ObjectTypeError, 1)));
        Assert.That(error.ObjectType, Is.EqualTo((GistObjectType)0xFFF));
    }

    [TestCase((ushort)0xFFF)]
    [TestCase((ushort)GistObjectType.SessionIdentification)]
    public void TryDecode_AnyTypeWithAB11_IsInvalidExtensibilityFlags(ushort type)
    {
        var bytes = GistObjectCodec.Encode(new GistUnknownObject(0xFFF, GistObjectAction.Forward, new byte[16]));
        bytes[0] = (byte)(0xC0 | (type >> 8));
        bytes[1] = (byte)type;

        Assert.That(GistObjectCodec.TryDecode(bytes, out _, out _, out var error), Is.False);
        Assert.That(error.Kind, Is.EqualTo(GistErrorKind.InvalidExtensibilityFlags));
        Assert.That(error.ToRfcError()!.Value.Subcode, Is.EqualTo(5));
    }

    [Test]
    public void TryDecode_KnownTypeWithIgnoreOrForwardFlags_IsUnderstoodAnyway()
    {
        var bytes = (byte[])GistKnownAnswers.SessionId.Clone();
        bytes[0] = 0x80;

        Assert.That(GistObjectCodec.TryDecode(bytes, out var decoded, out _, out _), Is.True);
        Assert.That(decoded, Is.EqualTo(GistSamples.SessionId));
    }

    private static IEnumerable<TestCaseData> Malformed()
    {
        static TestCaseData Case(string name, GistErrorKind kind, byte[] bytes) => new TestCaseData(bytes, kind).SetArgDisplayNames(name);

        byte[] With(byte[] source, params (int Index, byte Value)[] changes)
        {
            var copy = (byte[])source.Clone();
            foreach (var (index, value) in changes)
            {
                copy[index] = value;
            }

            return copy;
        }

        byte[] Shrunk(byte[] source, int words)
        {
            // Drop the last words and say so in the TLV length: the object is shorter than its fields claim.
            var copy = source[..^(words * 4)];
            copy[3] -= (byte)words;
            return copy;
        }

        byte[] Grown(byte[] source)
        {
            // Add a word and say so: the object is longer than its fields claim.
            byte[] copy = [.. source, 0, 0, 0, 0];
            copy[3]++;
            return copy;
        }

        var mri = GistKnownAnswers.Mri;
        yield return Case("MRI: IPv6", GistErrorKind.ValueNotSupported, With(mri, (6, 0x68)));
        yield return Case("MRI: IP-Ver 5", GistErrorKind.ValueNotSupported, With(mri, (6, 0x58)));
        yield return Case("MRI: unknown MRM", GistErrorKind.ValueNotSupported, With(mri, (4, 0x07)));
        yield return Case("MRI: F on IPv4", GistErrorKind.InvalidFlagFieldCombination, With(mri, (6, 0x4A)));
        yield return Case("MRI: B without P", GistErrorKind.InvalidFlagFieldCombination, With(mri, (6, 0x40)));
        yield return Case("MRI: S without P", GistErrorKind.InvalidFlagFieldCombination, With(mri, (6, 0x41), (7, 0x00)));
        yield return Case("MRI: source prefix 33", GistErrorKind.InvalidFlagFieldCombination, With(mri, (16, 33)));
        yield return Case("MRI: destination prefix 255", GistErrorKind.InvalidFlagFieldCombination, With(mri, (17, 255)));
        yield return Case("MRI: S set, no SPI word", GistErrorKind.IncorrectObjectLength, With(mri, (6, 0x49)));
        yield return Case("MRI: ports flagged but absent", GistErrorKind.IncorrectObjectLength, Shrunk(mri, 1));
        yield return Case("MRI: extra word", GistErrorKind.IncorrectObjectLength, Grown(mri));
        yield return Case("MRI: empty", GistErrorKind.IncorrectObjectLength, [0x00, 0x00, 0x00, 0x00]);
        yield return Case("MRI: loose-end too long", GistErrorKind.IncorrectObjectLength, With(mri, (4, 0x01)));
        yield return Case("Session-Identification: short", GistErrorKind.IncorrectObjectLength, Shrunk(GistKnownAnswers.SessionId, 1));
        yield return Case("Session-Identification: long", GistErrorKind.IncorrectObjectLength, Grown(GistKnownAnswers.SessionId));
        var nli = GistKnownAnswers.Nli;
        yield return Case("NLI: IPv6", GistErrorKind.ValueNotSupported, With(nli, (6, 0x60)));
        yield return Case("NLI: IP-Ver 0", GistErrorKind.ValueNotSupported, With(nli, (6, 0x00)));
        yield return Case("NLI: PI-Length says more", GistErrorKind.IncorrectObjectLength, With(nli, (4, 9)));
        yield return Case("NLI: PI-Length says less", GistErrorKind.IncorrectObjectLength, With(nli, (4, 2)));
        yield return Case("NLI: no address", GistErrorKind.IncorrectObjectLength, Shrunk(nli, 1));
        yield return Case("NLI: extra word", GistErrorKind.IncorrectObjectLength, Grown(nli));
        yield return Case("NLI: header only", GistErrorKind.IncorrectObjectLength, [0x00, 0x02, 0x00, 0x01, 0x00, 0x40, 0x40, 0x00]);
        var proposal = GistKnownAnswers.StackProposal;
        yield return Case("Stack-Proposal: Prof-Count 0", GistErrorKind.ValueNotSupported, With(proposal, (4, 0)));
        yield return Case("Stack-Proposal: Prof-Count says more", GistErrorKind.IncorrectObjectLength, With(proposal, (4, 2)));
        yield return Case("Stack-Proposal: Prof-Length runs past", GistErrorKind.IncorrectObjectLength, With(proposal, (8, 4)));
        yield return Case("Stack-Proposal: extra word", GistErrorKind.IncorrectObjectLength, Grown(proposal));
        yield return Case("Stack-Proposal: only null protocols", GistErrorKind.EmptyList, With(proposal, (9, 0)));
        yield return Case("Stack-Proposal: only empty profiles", GistErrorKind.EmptyList, With(proposal, (8, 0), (9, 0)));
        yield return Case("Stack-Proposal: no profiles at all", GistErrorKind.IncorrectObjectLength, Shrunk(proposal, 1));
        var configuration = GistKnownAnswers.StackConfiguration;
        yield return Case("Stack-Configuration-Data: MPO-Count says more", GistErrorKind.IncorrectObjectLength, With(configuration, (4, 2)));
        yield return Case("Stack-Configuration-Data: option Length runs past", GistErrorKind.IncorrectObjectLength, With(configuration, (14, 5)));
        yield return Case("Stack-Configuration-Data: extra word", GistErrorKind.IncorrectObjectLength, Grown(configuration));
        yield return Case("Stack-Configuration-Data: no hold time", GistErrorKind.IncorrectObjectLength, [0x00, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]);
        yield return Case("Hello-ID: long", GistErrorKind.IncorrectObjectLength, Grown(GistKnownAnswers.HelloId));
        yield return Case("Hello-ID: empty", GistErrorKind.IncorrectObjectLength, [0x00, 0x0A, 0x00, 0x00]);
        var error = GistKnownAnswers.ErrorObject;
        yield return Case("Error: too short for its fixed part", GistErrorKind.IncorrectObjectLength, [0x00, 0x09, 0x00, 0x02, 0x02, 0x00, 0x01, 0x00, 0, 0, 0, 0]);
        yield return Case("Error: MRI Length runs past", GistErrorKind.IncorrectObjectLength, With(error, (10, 0x50)));
        yield return Case("Error: Info Count says more", GistErrorKind.IncorrectObjectLength, With(error, (11, 0x02)));
        yield return Case("Error: AI-Length runs past", GistErrorKind.IncorrectObjectLength, With(error, (59, 0x09)));
        yield return Case("Error: Object Type Info of two words", GistErrorKind.IncorrectObjectLength, With(error, (59, 0x02)));
        yield return Case("Error: Object Value Info lies", GistErrorKind.IncorrectObjectLength, With(error, (57, 0x04), (60, 0x00), (61, 0x05)));
        yield return Case("Error: trailing bytes without C", GistErrorKind.IncorrectObjectLength, With(error, (8, 0xD8)));
        yield return Case("Error: S set, no room for the session", GistErrorKind.IncorrectObjectLength, [0x00, 0x09, 0x00, 0x05, 0x02, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 1, 0, 0, 0, 0x7F, 0xC0, 0x00, 0x00, 1, 2, 3, 4]);
        yield return Case("Error: comment is not UTF-8", GistErrorKind.ValueNotSupported, With(error, (64, 0xFF)));
        yield return Case("Error: comment holds a NUL", GistErrorKind.ValueNotSupported, With(error, (66, 0x00)));
    }

    [TestCaseSource(nameof(Malformed))]
    public void TryDecode_MalformedObject_GivesTheRfcError(byte[] bytes, GistErrorKind expected)
    {
        var decoded = GistObjectCodec.TryDecode(bytes, out var o, out _, out var error);

        Assert.That(decoded, Is.False, $"decoded {o}");
        Assert.That(error.Kind, Is.EqualTo(expected), error.ToString());
        Assert.That(error.Offset, Is.InRange(0, bytes.Length));
        Assert.That(error.Reason, Is.Not.Empty);
    }

    [Test]
    public void Constructors_RejectValuesTheWireCannotCarry()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.Throws<ArgumentException>(() => _ = new GistQueryCookie(new byte[3]));
            Assert.Throws<ArgumentException>(() => _ = new GistNslpData(new byte[GistConstants.MaxObjectContentLength + 4]));
            Assert.Throws<ArgumentException>(() => _ = GistSamples.Nli with { PeerIdentity = new byte[256] });
            Assert.Throws<ArgumentException>(() => _ = new GistStackProposal([]));
            Assert.Throws<ArgumentOutOfRangeException>(() => _ = GistSamples.Mri with { SourcePrefixLength = 33 });
            Assert.Throws<ArgumentOutOfRangeException>(() => _ = GistSamples.Mri with { DiffServCodePoint = 64 });
            Assert.Throws<ArgumentException>(() => _ = GistSamples.ErrorObject with { DebugComment = "a\0b" });
            Assert.Throws<ArgumentOutOfRangeException>(() => _ = new GistUnknownObject(0x1000, GistObjectAction.Forward, GistBytes.Empty));
            Assert.Throws<ArgumentOutOfRangeException>(() => _ = new GistNatTraversal(GistObjectAction.Refresh, GistBytes.Empty));
        }
    }

    [Test]
    public void Encode_MriWithPortsButNoProtocol_Throws() =>
        Assert.Throws<ArgumentException>(() => GistObjectCodec.Encode(GistSamples.Mri with { Protocol = null }));

    [Test]
    public void FromNslpMessage_PadsWithZerosToAWord()
    {
        var data = GistNslpData.FromNslpMessage("abcde"u8);

        Assert.That(data.Payload.ToArray(), Is.EqualTo(new byte[] { 0x61, 0x62, 0x63, 0x64, 0x65, 0, 0, 0 }));
    }
}
