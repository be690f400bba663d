using static NetServ.Sdk.Tests.Packets.TestPackets;

using NetServ.Networking;

namespace NetServ.Sdk.Tests.Packets;

[TestFixture]
public sealed class InternetChecksumTests
{
    [Test]
    public void Compute_Rfc1071NumericalExample_GivesTheComplementOfDdf2()
    {
        // RFC 1071 section 3: the sum of 0001 f203 f4f5 f6f7 is ddf2 after folding the carry.
        byte[] data = [0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7];

        Assert.That(InternetChecksum.Compute(data), Is.EqualTo(0x220D), "the complement of ddf2");
    }

    [Test]
    public void Compute_KnownIpv4Header_MatchesItsChecksum()
    {
        byte[] header = [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7];

        Assert.That(InternetChecksum.Compute(header), Is.EqualTo(0xB861));
    }

    [Test]
    public void IsValid_KnownIpv4HeaderWithItsChecksum_True()
    {
        byte[] header = [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xB8, 0x61, 0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7];

        Assert.That(InternetChecksum.IsValid(header), Is.True);
    }

    [Test]
    public void IsValid_OneBitFlipped_False()
    {
        byte[] header = [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xB8, 0x61, 0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7];
        header[15] ^= 0x04;

        Assert.That(InternetChecksum.IsValid(header), Is.False);
    }

    [Test]
    public void Compute_OneOddByte_IsPaddedWithZero()
    {
        Assert.That(InternetChecksum.Compute([0x01]), Is.EqualTo(0xFEFF));
    }

    [Test]
    public void Compute_Empty_IsAllOnes()
    {
        Assert.That(InternetChecksum.Compute([]), Is.EqualTo(0xFFFF));
    }

    [Test]
    public void Compute_EveryLengthUpTo70_MatchesThePlainComputation()
    {
        var random = new Random(1071);
        var mismatches = new List<int>();
        for (var length = 0; length <= 70; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            if (InternetChecksum.Compute(data) != ReferenceChecksum(data))
            {
                mismatches.Add(length);
            }
        }

        Assert.That(mismatches, Is.Empty, "lengths whose checksum differs from the 16-bit-word computation");
    }

    [Test]
    public void Compute_ManyCarries_FoldsThemAll()
    {
        var data = Enumerable.Repeat((byte)0xFF, 4096).ToArray();
        data[^1] = 0xFE;

        Assert.That(InternetChecksum.Compute(data), Is.EqualTo(ReferenceChecksum(data)));
    }

    [Test]
    public void Compute_UnalignedSpan_SameAsAligned()
    {
        var data = new byte[41];
        new Random(5).NextBytes(data);

        Assert.That(InternetChecksum.Compute(data.AsSpan(1)), Is.EqualTo(ReferenceChecksum(data.AsSpan(1))));
    }

    [TestCase(IpProtocol.Udp, 9)]
    [TestCase(IpProtocol.Udp, 8)]
    [TestCase(IpProtocol.Tcp, 33)]
    public void ComputeTransport_MatchesThePlainComputationWithPseudoHeader(byte protocol, int length)
    {
        var segment = new byte[length];
        new Random(length).NextBytes(segment);
        var checksumOffset = protocol == IpProtocol.Udp ? 6 : 16;
        if (checksumOffset + 2 <= segment.Length)
        {
            segment[checksumOffset] = segment[checksumOffset + 1] = 0;
        }

        var expected = ReferenceChecksum(segment, PseudoHeaderSum(Source, Destination, protocol, length));

        Assert.That(InternetChecksum.ComputeTransport(Source, Destination, protocol, segment), Is.EqualTo(protocol == IpProtocol.Udp && expected == 0 ? 0xFFFF : expected));
    }

    [Test]
    public void ComputeTransport_DependsOnTheAddresses()
    {
        var segment = UdpSegment(1, 2, "x"u8);

        var one = InternetChecksum.ComputeTransport(Source, Destination, IpProtocol.Udp, segment);
        var other = InternetChecksum.ComputeTransport(Source, Ipv4Address.Parse("198.19.0.3"), IpProtocol.Udp, segment);

        Assert.That(one, Is.Not.EqualTo(other));
    }

    [Test]
    public void IsValidTransport_AfterComputeTransport_True()
    {
        var segment = UdpSegment(1234, 5678, "abcdefg"u8);
        var checksum = InternetChecksum.ComputeTransport(Source, Destination, IpProtocol.Udp, segment);
        segment[6] = (byte)(checksum >> 8);
        segment[7] = (byte)checksum;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(InternetChecksum.IsValidTransport(Source, Destination, IpProtocol.Udp, segment), Is.True);
            Assert.That(InternetChecksum.IsValidTransport(Destination, Source, IpProtocol.Tcp, segment), Is.False);
        }
    }
}
