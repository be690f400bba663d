using System.Buffers.Binary;
using NetServ.Networking;
using static NetServ.Sdk.Tests.Packets.TestPackets;

namespace NetServ.Sdk.Tests.Packets;

[TestFixture]
public sealed class PacketTests
{
    private static readonly byte[] Hello = "hello"u8.ToArray();

    [Test]
    public void Classify_WellFormedUdp_IsIpv4AndUdpNotTcp()
    {
        var bytes = Udp(1234, 5060, Hello);
        var packet = new Packet(bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packet.IsIpv4, Is.True);
            Assert.That(packet.IsUdp, Is.True);
            Assert.That(packet.IsTcp, Is.False);
            Assert.That(packet.Protocol, Is.EqualTo(IpProtocol.Udp));
            Assert.That(packet.Length, Is.EqualTo(bytes.Length));
        }
    }

    [Test]
    public void Classify_WellFormedTcp_IsIpv4AndTcpNotUdp()
    {
        var packet = new Packet(Tcp(40000, 80, Hello));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packet.IsIpv4, Is.True);
            Assert.That(packet.IsTcp, Is.True);
            Assert.That(packet.IsUdp, Is.False);
        }
    }

    [Test]
    public void IsIpv4_ShorterThanAHeader_False()
    {
        var bytes = Udp(1, 2, Hello);
        var packet = new Packet(bytes.AsSpan(0, 19));

        Assert.That(packet.IsIpv4, Is.False);
    }

    [Test]
    public void IsIpv4_VersionSix_False()
    {
        var bytes = Udp(1, 2, Hello);
        bytes[0] = 0x65;

        Assert.That(new Packet(bytes).IsIpv4, Is.False);
    }

    [TestCase(0)]
    [TestCase(4)]
    public void IsIpv4_HeaderLengthBelowFiveWords_False(int ihl)
    {
        var bytes = Udp(1, 2, Hello);
        bytes[0] = (byte)(0x40 | ihl);

        Assert.That(new Packet(bytes).IsIpv4, Is.False);
    }

    [Test]
    public void IsIpv4_HeaderLengthBeyondThePacket_False()
    {
        var bytes = Ipv4(IpProtocol.Udp, new byte[19]); // 39 bytes
        bytes[0] = 0x4A; // 40-byte header

        Assert.That(new Packet(bytes).IsIpv4, Is.False);
    }

    [Test]
    public void IsIpv4_HeaderLengthExactlyThePacket_True()
    {
        var bytes = Ipv4(IpProtocol.Udp, [], options: 20);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(new Packet(bytes).IsIpv4, Is.True);
            Assert.That(new Packet(bytes).IsUdp, Is.False, "no room for a UDP header");
        }
    }

    [Test]
    public void NotIpv4_AccessorsReportNothing()
    {
        var bytes = Udp(1234, 5060, Hello);
        bytes[0] = 0x60;
        var packet = new Packet(bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packet.Protocol, Is.Zero);
            Assert.That(packet.Source, Is.EqualTo(Ipv4Address.Any));
            Assert.That(packet.Destination, Is.EqualTo(Ipv4Address.Any));
            Assert.That(packet.SourcePort, Is.EqualTo(-1));
            Assert.That(packet.DestinationPort, Is.EqualTo(-1));
            Assert.That(packet.TransportOffset, Is.Zero);
            Assert.That(packet.IsUdp, Is.False);
        }
    }

    [Test]
    public void Ipv4_OnNonIpv4Packet_Throws()
    {
        var bytes = new byte[40];

        Assert.Throws<InvalidOperationException>(() => _ = new Packet(bytes).Ipv4);
    }

    [Test]
    public void Udp_OnTcpPacket_Throws()
    {
        var bytes = Tcp(1, 2, Hello);

        Assert.Throws<InvalidOperationException>(() => _ = new Packet(bytes).Udp);
    }

    [Test]
    public void Tcp_OnUdpPacket_Throws()
    {
        var bytes = Udp(1, 2, Hello);

        Assert.Throws<InvalidOperationException>(() => _ = new Packet(bytes).Tcp);
    }

    [Test]
    public void IsUdp_UdpHeaderCutShort_False()
    {
        var bytes = Udp(1234, 5060, []);
        var packet = new Packet(bytes.AsSpan(0, 27));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packet.IsIpv4, Is.True);
            Assert.That(packet.IsUdp, Is.False);
            Assert.That(packet.DestinationPort, Is.EqualTo(-1));
        }
    }

    [TestCase((ushort)0x0001)] // offset 8 bytes
    [TestCase((ushort)0x2001)] // offset 8 bytes, more fragments
    [TestCase((ushort)0x1FFF)] // largest offset
    public void IsUdp_LaterFragment_FalseAndPayloadStartsAfterTheIpHeader(ushort flagsAndOffset)
    {
        var bytes = Udp(1234, 5060, Hello, flagsAndOffset: flagsAndOffset);
        var packet = new Packet(bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packet.IsIpv4, Is.True);
            Assert.That(packet.IsUdp, Is.False, "a later fragment carries no UDP header");
            Assert.That(packet.DestinationPort, Is.EqualTo(-1));
            Assert.That(packet.PayloadOffset, Is.EqualTo(20));
        }
    }

    [Test]
    public void IsTcp_LaterFragment_False()
    {
        var bytes = Ipv4(IpProtocol.Tcp, TcpSegment(1, 2, Hello), flagsAndOffset: 0x0010);

        Assert.That(new Packet(bytes).IsTcp, Is.False);
    }

    [Test]
    public void IsUdp_FirstFragment_True()
    {
        var bytes = Udp(1234, 5060, Hello, flagsAndOffset: 0x2000);
        var packet = new Packet(bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packet.IsUdp, Is.True);
            Assert.That(packet.DestinationPort, Is.EqualTo(5060));
        }
    }

    [TestCase(0)]
    [TestCase(4)]
    public void IsTcp_DataOffsetBelowFiveWords_False(int dataOffset)
    {
        var bytes = Ipv4(IpProtocol.Tcp, TcpSegment(1, 2, Hello, dataOffsetWords: dataOffset));

        Assert.That(new Packet(bytes).IsTcp, Is.False);
    }

    [Test]
    public void IsTcp_DataOffsetBeyondThePacket_False()
    {
        // 20-byte TCP header + 5 bytes, but the data offset claims 60 bytes of header.
        var bytes = Ipv4(IpProtocol.Tcp, TcpSegment(1, 2, Hello, dataOffsetWords: 15));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(new Packet(bytes).IsTcp, Is.False);
            Assert.That(new Packet(bytes).DestinationPort, Is.EqualTo(-1));
        }
    }

    [Test]
    public void IsTcp_TcpHeaderCutShort_False()
    {
        var bytes = Tcp(1, 2, []);

        Assert.That(new Packet(bytes.AsSpan(0, 39)).IsTcp, Is.False);
    }

    [Test]
    public void Fields_UdpPacket_ReadFromTheRightOffsets()
    {
        var bytes = Udp(1234, 5060, Hello);
        var packet = new Packet(bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packet.Source, Is.EqualTo(Source));
            Assert.That(packet.Destination, Is.EqualTo(Destination));
            Assert.That(packet.SourcePort, Is.EqualTo(1234));
            Assert.That(packet.DestinationPort, Is.EqualTo(5060));
            Assert.That(packet.TransportOffset, Is.EqualTo(20));
            Assert.That(packet.PayloadOffset, Is.EqualTo(28));
            Assert.That(packet.Payload.ToArray(), Is.EqualTo(Hello));
        }
    }

    [Test]
    public void Fields_IpOptionsAndTcpOptions_PayloadFollowsBoth()
    {
        var bytes = Tcp(40000, 443, Hello, options: 8, tcpOptions: 12);
        var packet = new Packet(bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packet.TransportOffset, Is.EqualTo(28));
            Assert.That(packet.SourcePort, Is.EqualTo(40000));
            Assert.That(packet.DestinationPort, Is.EqualTo(443));
            Assert.That(packet.PayloadOffset, Is.EqualTo(28 + 32));
            Assert.That(packet.Payload.ToArray(), Is.EqualTo(Hello));
            Assert.That(packet.Tcp.HeaderLength, Is.EqualTo(32));
        }
    }

    [Test]
    public void Payload_Icmp_IsEverythingAfterTheIpHeader()
    {
        var bytes = Ipv4(IpProtocol.Icmp, [8, 0, 0, 0, 1, 2, 3, 4], options: 4);
        var packet = new Packet(bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packet.PayloadOffset, Is.EqualTo(24));
            Assert.That(packet.Payload.ToArray(), Is.EqualTo(new byte[] { 8, 0, 0, 0, 1, 2, 3, 4 }));
            Assert.That(packet.SourcePort, Is.EqualTo(-1));
        }
    }

    [Test]
    public void Data_WritesGoToTheUnderlyingBuffer()
    {
        var bytes = Udp(1, 2, Hello);
        var packet = new Packet(bytes);

        packet.Payload[0] = (byte)'J';

        Assert.That(bytes[28], Is.EqualTo((byte)'J'));
    }

    [Test]
    public void Constructor_LengthBeyondBuffer_Throws()
    {
        var bytes = new byte[40];

        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Packet(bytes, 41));
    }

    [Test]
    public void Constructor_NegativeLength_Throws()
    {
        var bytes = new byte[40];

        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Packet(bytes, -1));
    }

    [Test]
    public void TrySetLength_GrowWithinTheBuffer_UpdatesLengthsAndKeepsTheBytes()
    {
        var original = Udp(1234, 5060, Hello);
        var buffer = new byte[100];
        original.CopyTo(buffer, 0);
        var packet = new Packet(buffer, original.Length);

        var grown = packet.TrySetLength(60);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(grown, Is.True);
            Assert.That(packet.Length, Is.EqualTo(60));
            Assert.That(packet.Data.Length, Is.EqualTo(60));
            Assert.That(packet.Ipv4.TotalLength, Is.EqualTo(60));
            Assert.That(packet.Udp.DatagramLength, Is.EqualTo(40));
            Assert.That(packet.Payload[..5].ToArray(), Is.EqualTo(Hello));
            Assert.That(packet.IsModified, Is.True);
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2)), Is.EqualTo(60), "written in place");
        }
    }

    [Test]
    public void TrySetLength_Shrink_UpdatesUdpLength()
    {
        var bytes = Udp(1234, 5060, new byte[40]);
        var packet = new Packet(bytes);

        var shrunk = packet.TrySetLength(30);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(shrunk, Is.True);
            Assert.That(packet.Ipv4.TotalLength, Is.EqualTo(30));
            Assert.That(packet.Udp.DatagramLength, Is.EqualTo(10));
            Assert.That(packet.Payload.Length, Is.EqualTo(2));
        }
    }

    [Test]
    public void TrySetLength_BeyondTheBufferWithoutSpill_RefusesAndChangesNothing()
    {
        var bytes = Udp(1234, 5060, Hello);
        var copy = bytes.ToArray();
        var packet = new Packet(bytes);

        var grown = packet.TrySetLength(bytes.Length + 1);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(grown, Is.False);
            Assert.That(packet.Length, Is.EqualTo(copy.Length));
            Assert.That(packet.IsModified, Is.False);
            Assert.That(bytes, Is.EqualTo(copy));
        }
    }

    [Test]
    public void TrySetLength_IntoTheSpillBuffer_MovesThePacketThere()
    {
        var original = Udp(1234, 5060, Hello);
        var spill = new byte[200];
        var packet = new Packet(original, original.Length, spill);

        var grown = packet.TrySetLength(150);
        packet.Payload[10] = 0xAB;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(grown, Is.True);
            Assert.That(packet.Capacity, Is.EqualTo(200));
            Assert.That(packet.Length, Is.EqualTo(150));
            Assert.That(spill[..2], Is.EqualTo(new byte[] { 0x45, 0 }), "the header was copied to the spill buffer");
            Assert.That(spill[28..33], Is.EqualTo(Hello), "the payload was copied to the spill buffer");
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(spill.AsSpan(2)), Is.EqualTo(150));
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(spill.AsSpan(24)), Is.EqualTo(130), "UDP length in the spill buffer");
            Assert.That(spill[38], Is.EqualTo(0xAB), "writes after the move go to the spill buffer");
            Assert.That(packet.Source, Is.EqualTo(Source));
        }
    }

    [Test]
    public void TrySetLength_BeyondTheSpillBuffer_Refuses()
    {
        var original = Udp(1234, 5060, Hello);
        var packet = new Packet(original, original.Length, new byte[200]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packet.TrySetLength(201), Is.False);
            Assert.That(packet.Length, Is.EqualTo(original.Length));
        }
    }

    [Test]
    public void TrySetLength_BeyondTheLargestIpv4Packet_Refuses()
    {
        // The container's spill buffer has 65536 bytes; an IPv4 total length field holds at most 65535.
        var original = Udp(1234, 5060, Hello);
        var packet = new Packet(original, original.Length, new byte[ushort.MaxValue + 1]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packet.TrySetLength(ushort.MaxValue + 1), Is.False);
            Assert.That(packet.TrySetLength(ushort.MaxValue), Is.True);
            Assert.That(packet.Ipv4.TotalLength, Is.EqualTo(ushort.MaxValue));
        }
    }

    [Test]
    public void TrySetLength_ShorterThanAnIpHeader_Refuses()
    {
        var bytes = Udp(1, 2, Hello);
        var packet = new Packet(bytes);

        Assert.That(packet.TrySetLength(19), Is.False);
    }

    [Test]
    public void TrySetLength_ShorterThanTheIpHeaderWithOptions_Refuses()
    {
        var bytes = Udp(1, 2, Hello, options: 12);
        var packet = new Packet(bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packet.TrySetLength(31), Is.False);
            Assert.That(packet.TrySetLength(32), Is.True);
        }
    }

    [Test]
    public void TrySetLength_NotIpv4_Refuses()
    {
        var bytes = new byte[64];
        var packet = new Packet(bytes, 40);

        Assert.That(packet.TrySetLength(50), Is.False);
    }

    [Test]
    public void TrySetPayloadLength_Udp_SetsThePayloadLength()
    {
        var buffer = new byte[128];
        var original = Udp(1234, 5060, Hello);
        original.CopyTo(buffer, 0);
        var packet = new Packet(buffer, original.Length);

        var grown = packet.TrySetPayloadLength(64);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(grown, Is.True);
            Assert.That(packet.Payload.Length, Is.EqualTo(64));
            Assert.That(packet.Length, Is.EqualTo(28 + 64));
            Assert.That(packet.Udp.DatagramLength, Is.EqualTo(72));
        }
    }

    [Test]
    public void TrySetPayloadLength_Negative_Refuses()
    {
        var bytes = Udp(1, 2, Hello);
        var packet = new Packet(bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packet.TrySetPayloadLength(-1), Is.False);
            Assert.That(packet.Length, Is.EqualTo(bytes.Length));
        }
    }

    [Test]
    public void TrySetPayloadLength_TcpWithOptions_KeepsTheHeader()
    {
        var buffer = new byte[128];
        var original = Tcp(1, 2, Hello, tcpOptions: 8);
        original.CopyTo(buffer, 0);
        var packet = new Packet(buffer, original.Length);

        var grown = packet.TrySetPayloadLength(10);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(grown, Is.True);
            Assert.That(packet.Length, Is.EqualTo(20 + 28 + 10));
            Assert.That(packet.IsTcp, Is.True);
            Assert.That(packet.Payload.Length, Is.EqualTo(10));
        }
    }

    [Test]
    public void MarkModified_SetsIsModified()
    {
        var bytes = Udp(1, 2, Hello);
        var packet = new Packet(bytes);
        var before = packet.IsModified;

        packet.MarkModified();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before, Is.False);
            Assert.That(packet.IsModified, Is.True);
        }
    }

    [Test]
    public void CheckChanged_AfterMarkModified_IsTrueOnceWhileIsModifiedStays()
    {
        var bytes = Udp(1, 2, Hello);
        var packet = new Packet(bytes);
        var unchanged = packet.CheckChanged();
        packet.MarkModified();

        var first = packet.CheckChanged();
        var second = packet.CheckChanged();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(unchanged, Is.False);
            Assert.That(first, Is.True);
            Assert.That(second, Is.False);
            Assert.That(packet.IsModified, Is.True);
        }
    }

    [Test]
    public void CheckChanged_AfterTrySetLength_IsTrue()
    {
        var bytes = Udp(1, 2, Hello);
        var packet = new Packet(bytes);

        packet.TrySetLength(bytes.Length - 1);

        Assert.That(packet.CheckChanged(), Is.True);
    }

    [Test]
    public void UpdateChecksums_Udp_ProducesValidIpAndUdpChecksums()
    {
        var bytes = Udp(1234, 5060, "odd-length payload!"u8, options: 4);
        var packet = new Packet(bytes);

        packet.UpdateChecksums();

        var segment = bytes.AsSpan(24);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(InternetChecksum.IsValid(bytes.AsSpan(0, 24)), Is.True, "IPv4 header checksum");
            Assert.That(InternetChecksum.IsValidTransport(Source, Destination, IpProtocol.Udp, segment), Is.True, "UDP checksum");
            Assert.That(packet.Udp.Checksum, Is.Not.Zero);
            Assert.That(
                packet.Udp.Checksum,
                Is.EqualTo(ExpectedTransportChecksum(bytes, 24, IpProtocol.Udp)),
                "the same as the plain RFC 1071 computation");
        }
    }

    [Test]
    public void UpdateChecksums_Tcp_ProducesValidIpAndTcpChecksums()
    {
        var bytes = Tcp(40000, 80, "GET / HTTP/1.0\r\n\r\n"u8, tcpOptions: 12);
        var packet = new Packet(bytes);

        packet.UpdateChecksums();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(InternetChecksum.IsValid(bytes.AsSpan(0, 20)), Is.True, "IPv4 header checksum");
            Assert.That(InternetChecksum.IsValidTransport(Source, Destination, IpProtocol.Tcp, bytes.AsSpan(20)), Is.True, "TCP checksum");
            Assert.That(packet.Tcp.Checksum, Is.EqualTo(ExpectedTransportChecksum(bytes, 20, IpProtocol.Tcp)));
        }
    }

    [Test]
    public void UpdateChecksums_AfterAChange_ReplacesStaleChecksums()
    {
        var bytes = new byte[64];
        PacketWriter.TryWriteUdp(bytes, Source, Destination, 1000, 2000, "payload"u8, out var written);
        var packet = new Packet(bytes.AsSpan(0, written));
        var ip = packet.Ipv4;
        ip.Ttl = 3;
        packet.Payload[0] = (byte)'P';
        var staleIp = InternetChecksum.IsValid(bytes.AsSpan(0, 20));

        packet.UpdateChecksums();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(staleIp, Is.False, "the change broke the header checksum");
            Assert.That(InternetChecksum.IsValid(bytes.AsSpan(0, 20)), Is.True);
            Assert.That(InternetChecksum.IsValidTransport(Source, Destination, IpProtocol.Udp, bytes.AsSpan(20, written - 20)), Is.True);
        }
    }

    [Test]
    public void UpdateChecksums_WrongLengthFields_SetsThemToThePacketLength()
    {
        var bytes = Udp(1, 2, Hello);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), 999);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(24), 999);
        var packet = new Packet(bytes);

        packet.UpdateChecksums();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packet.Ipv4.TotalLength, Is.EqualTo(bytes.Length));
            Assert.That(packet.Udp.DatagramLength, Is.EqualTo(bytes.Length - 20));
        }
    }

    [Test]
    public void UpdateChecksums_FirstFragment_LeavesTheUdpLengthAndChecksumOfTheWholeDatagram()
    {
        // The first fragment of a 1000-byte datagram: its UDP header describes the whole datagram.
        var bytes = Udp(1234, 5060, new byte[32], flagsAndOffset: 0x2000);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(24), 1008);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(26), 0xBEEF);
        var packet = new Packet(bytes);

        packet.UpdateChecksums();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packet.Udp.DatagramLength, Is.EqualTo(1008));
            Assert.That(packet.Udp.Checksum, Is.EqualTo(0xBEEF));
            Assert.That(InternetChecksum.IsValid(bytes.AsSpan(0, 20)), Is.True, "the IP header checksum is still fixed");
        }
    }

    [Test]
    public void TrySetLength_FirstFragment_LeavesTheUdpLengthOfTheWholeDatagram()
    {
        var bytes = Udp(1234, 5060, new byte[32], flagsAndOffset: 0x2000);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(24), 1008);
        var packet = new Packet(bytes);

        var shrunk = packet.TrySetLength(50);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(shrunk, Is.True);
            Assert.That(packet.Ipv4.TotalLength, Is.EqualTo(50));
            Assert.That(packet.Udp.DatagramLength, Is.EqualTo(1008));
        }
    }

    [Test]
    public void UpdateChecksums_NotIpv4_LeavesTheBytesAlone()
    {
        var bytes = Enumerable.Range(0, 48).Select(i => (byte)(0x60 + i)).ToArray();
        var copy = bytes.ToArray();
        var packet = new Packet(bytes);

        packet.UpdateChecksums();

        Assert.That(bytes, Is.EqualTo(copy));
    }

    [Test]
    public void UpdateChecksums_UdpChecksumComputingToZero_IsSentAsAllOnes()
    {
        // Choose the last payload word so that the one's-complement sum is 0xFFFF: the checksum then computes to 0.
        var bytes = Udp(1234, 5060, new byte[4]);
        var packet = new Packet(bytes);
        packet.UpdateChecksums();
        var checksum = packet.Udp.Checksum;
        var udp = packet.Udp;
        udp.Checksum = 0;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(30), checksum);
        Assert.That(ExpectedTransportChecksum(bytes, 20, IpProtocol.Udp), Is.Zero, "precondition: the plain checksum is zero");

        packet.UpdateChecksums();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packet.Udp.Checksum, Is.EqualTo(0xFFFF), "0 means 'no checksum' in UDP");
            Assert.That(InternetChecksum.IsValidTransport(Source, Destination, IpProtocol.Udp, bytes.AsSpan(20)), Is.True);
        }
    }

    private static ushort ExpectedTransportChecksum(byte[] packet, int transportOffset, byte protocol)
    {
        var segment = packet.AsSpan(transportOffset).ToArray();
        var checksumOffset = protocol == IpProtocol.Udp ? 6 : 16;
        segment[checksumOffset] = 0;
        segment[checksumOffset + 1] = 0;
        return ReferenceChecksum(segment, PseudoHeaderSum(Source, Destination, protocol, segment.Length));
    }
}
