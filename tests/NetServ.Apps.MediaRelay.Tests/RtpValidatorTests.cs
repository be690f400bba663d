namespace NetServ.Apps.MediaRelay.Tests;

public sealed class RtpValidatorTests
{
    [Test]
    public void IsRtp_MinimalVersion2Header_ReturnsTrue() =>
        Assert.That(RtpValidator.IsRtp(RtpPackets.Rtp(1, [])), Is.True);

    [Test]
    public void IsRtp_ShorterThanFixedHeader_ReturnsFalse() =>
        Assert.That(RtpValidator.IsRtp(RtpPackets.Rtp(1, []).AsSpan(0, 11)), Is.False);

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(3)]
    public void IsRtp_VersionOtherThan2_ReturnsFalse(int version)
    {
        var packet = RtpPackets.Rtp(1, [1, 2, 3]);
        packet[0] = (byte)((version << 6) | (packet[0] & 0x3f));
        Assert.That(RtpValidator.IsRtp(packet), Is.False);
    }

    [Test]
    public void IsRtp_CsrcListBeyondDatagram_ReturnsFalse()
    {
        var packet = RtpPackets.Rtp(1, [1, 2, 3]);
        packet[0] |= 0x02; // two CSRCs: 8 octets, only 3 follow
        Assert.That(RtpValidator.IsRtp(packet), Is.False);
    }

    [Test]
    public void IsRtp_ExtensionLengthBeyondDatagram_ReturnsFalse()
    {
        var packet = RtpPackets.Rtp(1, [0xbe, 0xde, 0x00, 0x09]);
        packet[0] |= 0x10; // extension of 9 words, none present
        Assert.That(RtpValidator.IsRtp(packet), Is.False);
    }

    [Test]
    public void IsRtp_PaddingLongerThanPayload_ReturnsFalse()
    {
        var packet = RtpPackets.Rtp(1, [1, 2, 200]);
        packet[0] |= 0x20;
        Assert.That(RtpValidator.IsRtp(packet), Is.False);
    }

    [Test]
    public void IsRtcp_ReceiverReport_ReturnsTrue() =>
        Assert.That(RtpValidator.IsRtcp(RtpPackets.RtcpReceiverReport()), Is.True);

    [Test]
    public void IsRtcp_PacketTypeOutsideRtcpRange_ReturnsFalse()
    {
        // An RTP packet with payload type 0 is not RTCP: RTCP types are 192-223 in the second octet.
        Assert.That(RtpValidator.IsRtcp(RtpPackets.Rtp(1, [1, 2, 3, 4])), Is.False);
    }

    [Test]
    public void IsRtcp_LengthBeyondDatagram_ReturnsFalse()
    {
        var packet = RtpPackets.RtcpReceiverReport();
        packet[3] = 5;
        Assert.That(RtpValidator.IsRtcp(packet), Is.False);
    }

    [Test]
    public void IsValid_RandomBytes_NeverThrows()
    {
        var random = new Random(5);
        for (var i = 0; i < 10_000; i++)
        {
            var datagram = new byte[random.Next(0, 64)];
            random.NextBytes(datagram);
            Assert.DoesNotThrow(() => RtpValidator.IsValid(MediaChannel.Rtp, datagram));
            Assert.DoesNotThrow(() => RtpValidator.IsValid(MediaChannel.Rtcp, datagram));
        }
    }
}
