using NetServ.Networking;

namespace NetServ.Sdk.Tests.Packets;

[TestFixture]
public sealed class PacketWriterTests
{
    private static readonly Ipv4Address Source = Ipv4Address.Parse("198.18.0.1");
    private static readonly Ipv4Address Destination = Ipv4Address.Parse("198.19.0.2");

    [Test]
    public void TryWriteUdp_BufferOneByteTooSmall_ReturnsFalseAndWritesNothing()
    {
        var buffer = new byte[20 + 8 + 4];
        buffer.AsSpan().Fill(0xAA);

        var written = PacketWriter.TryWriteUdp(buffer, Source, Destination, 1, 2, "12345"u8, out var count);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.False);
            Assert.That(count, Is.Zero);
            Assert.That(buffer, Is.All.EqualTo(0xAA));
        }
    }

    [Test]
    public void TryWriteUdp_PayloadBeyondTheLargestIpv4Packet_ReturnsFalse()
    {
        var buffer = new byte[70000];

        var written = PacketWriter.TryWriteUdp(buffer, Source, Destination, 1, 2, new byte[65535 - 28 + 1], out _);

        Assert.That(written, Is.False);
    }

    [Test]
    public void TryWriteUdp_ExactFit_WritesAPacketThatParsesBack()
    {
        var payload = "netserv"u8.ToArray();
        var buffer = new byte[20 + 8 + payload.Length];
        buffer.AsSpan().Fill(0xCC);

        var written = PacketWriter.TryWriteUdp(buffer, Source, Destination, 40000, 5060, payload, out var count, ttl: 7);
        var packet = new Packet(buffer.AsSpan(0, count));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.True);
            Assert.That(count, Is.EqualTo(buffer.Length));
            Assert.That(packet.IsUdp, Is.True);
            Assert.That(packet.Source, Is.EqualTo(Source));
            Assert.That(packet.Destination, Is.EqualTo(Destination));
            Assert.That(packet.SourcePort, Is.EqualTo(40000));
            Assert.That(packet.DestinationPort, Is.EqualTo(5060));
            Assert.That(packet.Ipv4.Ttl, Is.EqualTo(7));
            Assert.That(packet.Ipv4.TotalLength, Is.EqualTo(count));
            Assert.That(packet.Ipv4.TypeOfService, Is.Zero, "stale buffer bytes are cleared");
            Assert.That(packet.Ipv4.IsFragment, Is.False);
            Assert.That(packet.Udp.DatagramLength, Is.EqualTo(8 + payload.Length));
            Assert.That(packet.Payload.ToArray(), Is.EqualTo(payload));
            Assert.That(InternetChecksum.IsValid(buffer.AsSpan(0, 20)), Is.True);
            Assert.That(InternetChecksum.IsValidTransport(Source, Destination, IpProtocol.Udp, buffer.AsSpan(20, count - 20)), Is.True);
        }
    }

    [Test]
    public void TryWriteUdp_LargerBuffer_LeavesTheRestAlone()
    {
        var buffer = new byte[100];
        buffer.AsSpan().Fill(0xEE);

        PacketWriter.TryWriteUdp(buffer, Source, Destination, 1, 2, [], out var count);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(count, Is.EqualTo(28));
            Assert.That(buffer[28..], Is.All.EqualTo(0xEE));
            Assert.That(new Packet(buffer.AsSpan(0, count)).Payload.Length, Is.Zero);
        }
    }

    [Test]
    public void TryWriteUdpReply_SwapsAddressesAndPorts()
    {
        var request = new byte[64];
        Assert.That(PacketWriter.TryWriteUdp(request, Source, Destination, 40000, 5060, "ping"u8, out var requestLength), Is.True);
        var reply = new byte[64];

        var written = PacketWriter.TryWriteUdpReply(reply, new Packet(request.AsSpan(0, requestLength)), "pong"u8, out var count);
        var packet = new Packet(reply.AsSpan(0, count));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.True);
            Assert.That((packet.Source, packet.Destination), Is.EqualTo((Destination, Source)));
            Assert.That((packet.SourcePort, packet.DestinationPort), Is.EqualTo((5060, 40000)));
            Assert.That(packet.Payload.SequenceEqual("pong"u8), Is.True);
        }
    }
}
