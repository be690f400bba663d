using System.Buffers.Binary;
using NetServ.Networking;
using static NetServ.Sdk.Tests.Packets.TestPackets;

namespace NetServ.Sdk.Tests.Packets;

/// <summary>The header views read and write the wire format in place.</summary>
[TestFixture]
public sealed class HeaderViewTests
{
    [Test]
    public void Ipv4Header_Getters_ReadTheWireFields()
    {
        var bytes = Ipv4(IpProtocol.Udp, UdpSegment(1, 2, []), options: 8, ttl: 17, flagsAndOffset: 0x4000);
        bytes[1] = 0xB8;
        var ip = new Ipv4Header(bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ip.Version, Is.EqualTo(4));
            Assert.That(ip.HeaderLength, Is.EqualTo(28));
            Assert.That(ip.TypeOfService, Is.EqualTo(0xB8));
            Assert.That(ip.TotalLength, Is.EqualTo(bytes.Length));
            Assert.That(ip.Identification, Is.EqualTo(0x1234));
            Assert.That(ip.IsFragment, Is.False, "Don't Fragment alone is not a fragment");
            Assert.That(ip.Ttl, Is.EqualTo(17));
            Assert.That(ip.Protocol, Is.EqualTo(IpProtocol.Udp));
            Assert.That(ip.Source, Is.EqualTo(Source));
            Assert.That(ip.Destination, Is.EqualTo(Destination));
            Assert.That(ip.Options.Length, Is.EqualTo(8));
        }
    }

    [TestCase((ushort)0x2000, true)]
    [TestCase((ushort)0x0001, true)]
    [TestCase((ushort)0x4000, false)]
    [TestCase((ushort)0x0000, false)]
    public void Ipv4Header_IsFragment_MoreFragmentsOrOffset(ushort flagsAndOffset, bool expected)
    {
        var bytes = Ipv4(IpProtocol.Udp, [], flagsAndOffset: flagsAndOffset);

        Assert.That(new Ipv4Header(bytes).IsFragment, Is.EqualTo(expected));
    }

    [Test]
    public void Ipv4Header_Setters_WriteTheRightBytes()
    {
        var bytes = new byte[20];
        var ip = new Ipv4Header(bytes);

        ip.TypeOfService = 0x2E;
        ip.TotalLength = 0x0102;
        ip.Identification = 0xA1B2;
        ip.Ttl = 9;
        ip.Protocol = IpProtocol.Tcp;
        ip.Checksum = 0xC3D4;
        ip.Source = Ipv4Address.Parse("10.1.2.3");
        ip.Destination = Ipv4Address.Parse("192.0.2.200");

        Assert.That(bytes, Is.EqualTo(new byte[]
        {
            0x00, 0x2E, 0x01, 0x02, 0xA1, 0xB2, 0x00, 0x00, 9, 6, 0xC3, 0xD4,
            10, 1, 2, 3, 192, 0, 2, 200,
        }));
    }

    [Test]
    public void Ipv4Header_UpdateChecksum_KnownHeader()
    {
        // The worked example of the IPv4 header checksum (192.168.0.1 -> 192.168.0.199, UDP), checksum 0xB861.
        byte[] header = [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7];

        new Ipv4Header(header).UpdateChecksum();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(header[10], Is.EqualTo(0xB8));
            Assert.That(header[11], Is.EqualTo(0x61));
        }
    }

    [Test]
    public void Ipv4Header_UpdateChecksum_CoversTheOptions()
    {
        var bytes = Ipv4(IpProtocol.Udp, UdpSegment(1, 2, [1, 2, 3]), options: 12);
        var ip = new Ipv4Header(bytes);

        ip.UpdateChecksum();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(InternetChecksum.IsValid(bytes.AsSpan(0, 32)), Is.True);
            Assert.That(InternetChecksum.IsValid(bytes.AsSpan(0, 20)), Is.False, "the options are part of the sum");
        }
    }

    [Test]
    public void Ipv4Header_ShortSpan_Throws()
    {
        var bytes = new byte[19];

        Assert.Throws<ArgumentException>(() => _ = new Ipv4Header(bytes));
    }

    [Test]
    public void UdpHeader_Setters_WriteTheRightBytes()
    {
        var bytes = new byte[8];
        var udp = new UdpHeader(bytes);

        udp.SourcePort = 0x1234;
        udp.DestinationPort = 5060;
        udp.DatagramLength = 0x0A0B;
        udp.Checksum = 0xFEDC;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(bytes, Is.EqualTo(new byte[] { 0x12, 0x34, 0x13, 0xC4, 0x0A, 0x0B, 0xFE, 0xDC }));
            Assert.That(udp.SourcePort, Is.EqualTo(0x1234));
            Assert.That(udp.DestinationPort, Is.EqualTo(5060));
            Assert.That(udp.DatagramLength, Is.EqualTo(0x0A0B));
            Assert.That(udp.Checksum, Is.EqualTo(0xFEDC));
        }
    }

    [Test]
    public void UdpHeader_ShortSpan_Throws()
    {
        var bytes = new byte[7];

        Assert.Throws<ArgumentException>(() => _ = new UdpHeader(bytes));
    }

    [Test]
    public void TcpHeader_Setters_WriteTheRightBytes()
    {
        var bytes = new byte[20];
        bytes[12] = 0x50;
        var tcp = new TcpHeader(bytes);

        tcp.SourcePort = 443;
        tcp.DestinationPort = 0xABCD;
        tcp.SequenceNumber = 0x01020304;
        tcp.AcknowledgmentNumber = 0xA0B0C0D0;
        tcp.Flags = 0x12;
        tcp.Window = 0x7FFF;
        tcp.Checksum = 0x5555;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(bytes, Is.EqualTo(new byte[]
            {
                0x01, 0xBB, 0xAB, 0xCD, 0x01, 0x02, 0x03, 0x04, 0xA0, 0xB0, 0xC0, 0xD0,
                0x50, 0x12, 0x7F, 0xFF, 0x55, 0x55, 0x00, 0x00,
            }));
            Assert.That(tcp.SequenceNumber, Is.EqualTo(0x01020304));
            Assert.That(tcp.AcknowledgmentNumber, Is.EqualTo(0xA0B0C0D0));
            Assert.That(tcp.HeaderLength, Is.EqualTo(20));
            Assert.That(tcp.Flags, Is.EqualTo(0x12));
            Assert.That(tcp.Window, Is.EqualTo(0x7FFF));
        }
    }

    [Test]
    public void TcpHeader_ShortSpan_Throws()
    {
        var bytes = new byte[19];

        Assert.Throws<ArgumentException>(() => _ = new TcpHeader(bytes));
    }

    [Test]
    public void PacketViews_WriteIntoThePacket()
    {
        var bytes = Udp(1, 2, [9, 9]);
        var packet = new Packet(bytes);

        var udp = packet.Udp;
        udp.DestinationPort = 5070;
        var ip = packet.Ipv4;
        ip.Destination = Ipv4Address.Parse("198.19.9.9");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(22)), Is.EqualTo(5070));
            Assert.That(packet.DestinationPort, Is.EqualTo(5070));
            Assert.That(bytes[16..20], Is.EqualTo(new byte[] { 198, 19, 9, 9 }));
        }
    }
}
