using NetServ.Signaling.Gist;

namespace NetServ.Signaling.Tests.Gist;

[TestFixture]
public sealed class GistHeaderTests
{
    [Test]
    public void CommonHeader_KnownBytes_ReadEveryFieldAndWriteBack()
    {
        byte[] bytes =
        [
            0x01, 0xFE, 0x12, 0x34, // Version 1 | GIST hops 254 | Message Length 0x1234 words
            0x7F, 0xC0, 0x83, 0xA0, // NSLPID 32704 | C=1 Type 3 (Data) | S=1 R=0 E=1, reserved
        ];

        Assert.That(GistCommonHeader.TryRead(bytes, out var header), Is.True);
        Assert.That(header, Is.EqualTo(new GistCommonHeader
        {
            Version = 1,
            GistHops = 254,
            MessageLength = 0x1234,
            NslpId = 32704,
            QModeEncapsulated = true,
            Type = GistMessageType.Data,
            SourceAddressing = true,
            ExplicitRouting = true,
        }));
        Assert.That(header.TotalLength, Is.EqualTo(8 + (0x1234 * 4)));
        var written = new byte[8];
        Assert.That(header.TryWrite(written), Is.True);
        Assert.That(written, Is.EqualTo(bytes));
    }

    [Test]
    public void CommonHeader_ShortBuffers_AreRefused()
    {
        Assert.That(GistCommonHeader.TryRead(new byte[7], out _), Is.False);
        Assert.That(default(GistCommonHeader).TryWrite(new byte[7]), Is.False);
    }

    [Test]
    public void CommonHeader_TypeBeyondSevenBits_IsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new GistCommonHeader { Type = (GistMessageType)0x80 });

    [Test]
    public void ObjectHeader_KnownBytes_ReadFlagsTypeAndLength()
    {
        byte[] bytes = [0xB5, 0x67, 0xF8, 0x9A]; // A=1 B=0 r r=1 1 | Type 0x567 | r r r r=1111 1000 | Length 0x89A

        Assert.That(GistObjectHeader.TryRead(bytes, out var header), Is.True);
        Assert.That(header, Is.EqualTo(new GistObjectHeader(GistObjectAction.Forward, 0x567, 0x89A)));
        Assert.That(header.ContentLength, Is.EqualTo(0x89A * 4));
        var written = new byte[4];
        Assert.That(header.TryWrite(written), Is.True);
        Assert.That(written, Is.EqualTo(new byte[] { 0x85, 0x67, 0x08, 0x9A }), "reserved bits are written as zero");
    }

    [Test]
    public void ObjectHeader_FieldsBeyondTheirBits_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new GistObjectHeader(GistObjectAction.Ignore, 0x1000, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new GistObjectHeader(GistObjectAction.Ignore, 0, 0x1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new GistObjectHeader((GistObjectAction)4, 0, 0));
        Assert.That(GistObjectHeader.TryRead(new byte[3], out _), Is.False);
    }

    [Test]
    public void Constants_AreTheAssignedNumbers()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(GistConstants.MagicNumber, Is.EqualTo(0x4e04bda5));
            Assert.That(GistConstants.UdpPort, Is.EqualTo(270));
            Assert.That(GistConstants.NetServNslpId, Is.EqualTo(32704));
            Assert.That(GistConstants.NetServRouterAlertValue, Is.EqualTo(65503));
            Assert.That((byte)GistMessageType.MaHello, Is.EqualTo(5));
            Assert.That((ushort)GistObjectType.HelloId, Is.EqualTo(10));
        }
    }

    [TestCase(GistErrorKind.None, null, null, null)]
    [TestCase(GistErrorKind.BadMagic, null, null, null)]
    [TestCase(GistErrorKind.MalformedPacket, null, null, null)]
    [TestCase(GistErrorKind.UnknownVersion, GistErrorClass.ProtocolError, GistErrorCode.CommonHeaderParseError, 0)]
    [TestCase(GistErrorKind.MessageLengthMismatch, GistErrorClass.ProtocolError, GistErrorCode.CommonHeaderParseError, 3)]
    [TestCase(GistErrorKind.InvalidCFlag, GistErrorClass.ProtocolError, GistErrorCode.CommonHeaderParseError, 5)]
    [TestCase(GistErrorKind.DuplicateObject, GistErrorClass.ProtocolError, GistErrorCode.ObjectTypeError, 0)]
    [TestCase(GistErrorKind.MissingObject, GistErrorClass.ProtocolError, GistErrorCode.ObjectTypeError, 2)]
    [TestCase(GistErrorKind.ObjectOutOfOrder, GistErrorClass.ProtocolError, GistErrorCode.ObjectTypeError, 3)]
    [TestCase(GistErrorKind.IncorrectObjectLength, GistErrorClass.ProtocolError, GistErrorCode.ObjectValueError, 0)]
    [TestCase(GistErrorKind.EmptyList, GistErrorClass.ProtocolError, GistErrorCode.ObjectValueError, 3)]
    [TestCase(GistErrorKind.StackProposalConfigurationMismatch, GistErrorClass.ProtocolError, GistErrorCode.ObjectValueError, 5)]
    public void ToRfcError_MapsToTheErrorCatalogue(GistErrorKind kind, GistErrorClass? errorClass, GistErrorCode? code, int? subcode)
    {
        var rfc = new GistError(kind, "x").ToRfcError();

        Assert.That(rfc, Is.EqualTo(errorClass is null ? null : new GistRfcError(errorClass.Value, code!.Value, (byte)subcode!.Value)));
    }

    [Test]
    public void EveryErrorKindButNone_HasAnRfcErrorOrIsOutsideGist()
    {
        var outside = new[] { GistErrorKind.None, GistErrorKind.BadMagic, GistErrorKind.MalformedPacket };

        foreach (var kind in Enum.GetValues<GistErrorKind>().Except(outside))
        {
            Assert.That(new GistError(kind, "x").ToRfcError(), Is.Not.Null, kind.ToString());
        }
    }
}
