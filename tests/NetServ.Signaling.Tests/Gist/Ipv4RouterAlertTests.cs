using System.Buffers.Binary;
using NetServ.Sdk;
using NetServ.Signaling.Gist;

namespace NetServ.Signaling.Tests.Gist;

[TestFixture]
public sealed class Ipv4RouterAlertTests
{
    [Test]
    public void TryWriteOption_NetServValue_Writes94_04_FFDF()
    {
        var option = new byte[4];

        Assert.That(Ipv4RouterAlert.TryWriteOption(option, GistConstants.NetServRouterAlertValue), Is.True);
        Assert.That(option, Is.EqualTo(new byte[] { 0x94, 0x04, 0xFF, 0xDF }));
        Assert.That(GistConstants.NetServRouterAlertValue, Is.InRange(65503, 65534), "RFC 5350's experimental range");
        Assert.That(Ipv4RouterAlert.TryWriteOption(new byte[3], 0), Is.False);
    }

    [TestCase(new byte[] { 0x94, 0x04, 0x00, 0x00 }, 0)]
    [TestCase(new byte[] { 0x01, 0x94, 0x04, 0xFF, 0xDF, 0x00, 0x00, 0x00 }, 65503)]
    [TestCase(new byte[] { 0x07, 0x03, 0x04, 0x94, 0x04, 0x12, 0x34, 0x00 }, 0x1234)]
    public void TryReadOption_OptionsWithRouterAlert_FindsItsValue(byte[] options, int expected)
    {
        Assert.That(Ipv4RouterAlert.TryReadOption(options, out var value, out var error), Is.True, error.ToString());
        Assert.That(value, Is.EqualTo(expected));
    }

    [TestCase(new byte[] { })]
    [TestCase(new byte[] { 0x00, 0x94, 0x04, 0x00 })]
    [TestCase(new byte[] { 0x01, 0x01, 0x01, 0x01 })]
    [TestCase(new byte[] { 0x07, 0x04, 0x00, 0x00 })]
    public void TryReadOption_NoRouterAlert_ReturnsFalseWithoutError(byte[] options)
    {
        Assert.That(Ipv4RouterAlert.TryReadOption(options, out _, out var error), Is.False);
        Assert.That(error.IsError, Is.False, error.ToString());
    }

    [TestCase(new byte[] { 0x94 })]
    [TestCase(new byte[] { 0x94, 0x05, 0x00, 0x00 })]
    [TestCase(new byte[] { 0x94, 0x03, 0x00, 0x00 })]
    [TestCase(new byte[] { 0x07, 0x01, 0x00, 0x00 })]
    [TestCase(new byte[] { 0x07, 0x09, 0x00, 0x00 })]
    public void TryReadOption_MalformedOptions_GiveAnError(byte[] options)
    {
        Assert.That(Ipv4RouterAlert.TryReadOption(options, out _, out var error), Is.False);
        Assert.That(error.Kind, Is.EqualTo(GistErrorKind.MalformedPacket));
    }

    [Test]
    public void TryWriteUdpPacket_QueryDatagram_WritesTheKnownHeaderAndValidChecksums()
    {
        var payload = GistKnownAnswers.QueryDatagram();
        var packet = new byte[Ipv4RouterAlert.GetUdpPacketLength(payload.Length)];

        var ok = Ipv4RouterAlert.TryWriteUdpPacket(packet, GistSamples.Sender, GistSamples.Receiver, 40000, GistConstants.UdpPort, payload, out var written, ttl: 64, identification: 0x1234);

        Assert.That(ok, Is.True);
        Assert.That(written, Is.EqualTo(24 + 8 + payload.Length));
        byte[] expectedHeader =
        [
            0x46, 0x00, 0x00, (byte)written,    // version 4, IHL 6 words | TOS 0 | total length
            0x12, 0x34, 0x00, 0x00,             // identification | no flags, offset 0
            0x40, 0x11, packet[10], packet[11], // TTL 64 | protocol UDP | checksum
            0xC6, 0x12, 0x00, 0x01,             // 198.18.0.1
            0xC6, 0x13, 0x00, 0x01,             // 198.19.0.1
            0x94, 0x04, 0xFF, 0xDF,             // Router Alert 65503
            0x9C, 0x40, 0x01, 0x0E,             // UDP 40000 → 270
            0x00, (byte)(written - 24), packet[30], packet[31], // UDP length | checksum
        ];
        Assert.That(packet[..32], Is.EqualTo(expectedHeader));
        Assert.That(packet[32..], Is.EqualTo(payload));
        Assert.That(InternetChecksum.IsValid(packet.AsSpan(0, 24)), Is.True);
        Assert.That(InternetChecksum.IsValidTransport(GistSamples.Sender, GistSamples.Receiver, 17, packet.AsSpan(24)), Is.True);
    }

    [Test]
    public void TryWriteUdpPacket_ShortBuffer_ReturnsFalse()
    {
        var payload = new byte[10];

        Assert.That(Ipv4RouterAlert.TryWriteUdpPacket(new byte[41], GistSamples.Sender, GistSamples.Receiver, 1, 2, payload, out var written), Is.False);
        Assert.That(written, Is.Zero);
    }

    [Test]
    public void TryReadUdpPacket_WrittenPacket_GivesAddressesPortsRouterAlertAndPayload()
    {
        var payload = GistKnownAnswers.QueryDatagram();
        var packet = new byte[Ipv4RouterAlert.GetUdpPacketLength(payload.Length)];
        Ipv4RouterAlert.TryWriteUdpPacket(packet, GistSamples.Sender, GistSamples.Receiver, 40000, 270, payload, out _, ttl: 7);

        Assert.That(Ipv4RouterAlert.TryReadUdpPacket(packet, out var info, out var error), Is.True, error.ToString());
        Assert.That(info, Is.EqualTo(new Ipv4UdpPacketInfo(GistSamples.Sender, GistSamples.Receiver, 40000, 270, 7, 65503, 32, payload.Length)));
        Assert.That(info.PayloadOf(packet).ToArray(), Is.EqualTo(payload));
        Assert.That(GistCodec.TryDecode(info.PayloadOf(packet), withMagic: true, out var message, out error), Is.True, error.ToString());
        Assert.That(message, Is.TypeOf<GistQuery>());
    }

    [Test]
    public void TryReadUdpPacket_PlainHeaderWithoutOptions_HasNoRouterAlert()
    {
        var packet = PlainUdpPacket([1, 2, 3]);

        Assert.That(Ipv4RouterAlert.TryReadUdpPacket(packet, out var info, out var error), Is.True, error.ToString());
        Assert.That(info.RouterAlertValue, Is.Null);
        Assert.That(info.PayloadOf(packet).ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void TryReadUdpPacket_ZeroUdpChecksum_IsAccepted()
    {
        var packet = PlainUdpPacket([1, 2, 3, 4]);
        packet[26] = 0;
        packet[27] = 0;

        Assert.That(Ipv4RouterAlert.TryReadUdpPacket(packet, out _, out var error), Is.True, error.ToString());
    }

    private static IEnumerable<TestCaseData> BadPackets()
    {
        static TestCaseData Case(string name, Func<byte[], byte[]> change) => new TestCaseData(change).SetArgDisplayNames(name);

        static byte[] Fix(byte[] p)
        {
            // Recompute the IPv4 header checksum after a change, so only the change itself is wrong.
            var headerLength = Math.Min((p[0] & 0x0F) * 4, p.Length);
            p[10] = p[11] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), InternetChecksum.Compute(p.AsSpan(0, headerLength)));
            return p;
        }

        yield return Case("empty", _ => []);
        yield return Case("19 bytes", p => p[..19]);
        yield return Case("IPv6 version", p => Fix(Set(p, 0, 0x66)));
        yield return Case("IHL 4", p => Fix(Set(p, 0, 0x44)));
        yield return Case("IHL past the end", p => Set(p, 0, 0x4F)[..40]);
        yield return Case("total length past the end", p => Fix(Set(p, 3, (byte)(p.Length + 1))));
        yield return Case("total length without room for UDP", p => Fix(Set(p, 3, 30)));
        yield return Case("header checksum wrong", p => Set(p, 10, (byte)(p[10] ^ 1)));
        yield return Case("more fragments", p => Fix(Set(p, 6, 0x20)));
        yield return Case("fragment offset", p => Fix(Set(p, 7, 0x01)));
        yield return Case("TCP", p => Fix(Set(p, 9, 6)));
        yield return Case("Router Alert with length 5", p => Fix(Set(p, 21, 5)));
        yield return Case("UDP length below 8", p => Set(p, 29, 7));
        yield return Case("UDP length past the IP packet", p => Set(p, 29, (byte)(p.Length - 23)));
        yield return Case("UDP checksum wrong", p => Set(p, 31, (byte)(p[31] ^ 1)));
        yield return Case("payload changed", p => Set(p, p.Length - 1, (byte)(p[^1] ^ 0x80)));
    }

    [TestCaseSource(nameof(BadPackets))]
    public void TryReadUdpPacket_MalformedPacket_GivesAnError(Func<byte[], byte[]> change)
    {
        var payload = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        var packet = new byte[Ipv4RouterAlert.GetUdpPacketLength(payload.Length)];
        Ipv4RouterAlert.TryWriteUdpPacket(packet, GistSamples.Sender, GistSamples.Receiver, 40000, 270, payload, out _);

        Assert.That(Ipv4RouterAlert.TryReadUdpPacket(change(packet), out _, out var error), Is.False);
        Assert.That(error.Kind, Is.EqualTo(GistErrorKind.MalformedPacket));
        Assert.That(error.Reason, Is.Not.Empty);
    }

    [Test]
    public void TryReadUdpPacket_EveryTruncationOfAQueryPacket_GivesAnErrorAndNeverThrows()
    {
        var payload = GistKnownAnswers.QueryDatagram();
        var packet = new byte[Ipv4RouterAlert.GetUdpPacketLength(payload.Length)];
        Ipv4RouterAlert.TryWriteUdpPacket(packet, GistSamples.Sender, GistSamples.Receiver, 40000, 270, payload, out _);

        for (var length = 0; length < packet.Length; length++)
        {
            Assert.That(Ipv4RouterAlert.TryReadUdpPacket(packet.AsSpan(0, length), out _, out _), Is.False, $"{length} bytes");
        }
    }

    private static byte[] Set(byte[] bytes, int index, byte value)
    {
        bytes[index] = value;
        return bytes;
    }

    private static byte[] PlainUdpPacket(byte[] payload)
    {
        var packet = new byte[20 + 8 + payload.Length];
        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        packet[8] = 64;
        packet[9] = 17;
        GistSamples.Sender.Write(packet.AsSpan(12));
        GistSamples.Receiver.Write(packet.AsSpan(16));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), InternetChecksum.Compute(packet.AsSpan(0, 20)));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(20), 1000);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(22), 270);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(24), (ushort)(8 + payload.Length));
        payload.CopyTo(packet, 28);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(26), InternetChecksum.ComputeTransport(GistSamples.Sender, GistSamples.Receiver, 17, packet.AsSpan(20)));
        return packet;
    }
}
