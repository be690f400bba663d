using System.Text;
using NetServ.Networking;
using NetServ.Sdk;
using static NetServ.Sip.Tests.SipMessages;

namespace NetServ.Sip.Tests;

[TestFixture]
public sealed class SipUdpResponderTests
{
    private static readonly Ipv4Address Ua = Ipv4Address.Parse("192.0.2.1");
    private static readonly Ipv4Address Server = Ipv4Address.Parse("198.19.0.1");

    private readonly SipUdpResponder _responder = new();

    [Test]
    public void TryWriteResponse_Rport_GoesFromTheServerBackToTheSourceAddressAndPort()
    {
        var request = Request(Replace(KeepAliveNotify, "Via: SIP/2.0/UDP 198.18.0.9", "Via: " + Rfc3581Via), sourcePort: 9988);

        Assert.That(_responder.TryWriteResponse(new Packet(request), 200, "OK"u8, [], out var reply), Is.True);
        var packet = new Packet(reply.ToArray());

        using (Assert.EnterMultipleScope())
        {
            Assert.That((packet.Source, packet.SourcePort), Is.EqualTo((Server, 5060)));
            Assert.That((packet.Destination, packet.DestinationPort), Is.EqualTo((Ua, 9988)));
            Assert.That(Encoding.ASCII.GetString(packet.Payload), Does.Contain("\r\nVia: " + Rfc3581ViaReceived + "\r\n"));
        }
    }

    [Test]
    public void TryWriteResponse_NoRport_GoesToTheSentByPortNotTheSourcePort()
    {
        var request = Request(Replace(KeepAliveNotify, "Via: SIP/2.0/UDP 198.18.0.9", "Via: SIP/2.0/UDP 10.1.1.1:4540;branch=z9hG4bK1"), sourcePort: 9988);

        Assert.That(_responder.TryWriteResponse(new Packet(request), 503, "Service Unavailable"u8, "Retry-After: 5\r\n"u8, out var reply), Is.True);
        var packet = new Packet(reply.ToArray());

        Assert.That((packet.Destination, packet.DestinationPort), Is.EqualTo((Ua, 4540)));
        Assert.That(Encoding.ASCII.GetString(packet.Payload), Does.StartWith("SIP/2.0 503 Service Unavailable\r\nVia: SIP/2.0/UDP 10.1.1.1:4540;branch=z9hG4bK1;received=192.0.2.1\r\n"));
    }

    [Test]
    public void TryWriteResponse_NoResponseToWrite_ReturnsFalse() =>
        Assert.That(_responder.TryWriteResponse(new Packet(Request("SIP/2.0 200 OK\r\n\r\n", 9988)), 200, "OK"u8, [], out _), Is.False);

    [Test]
    public void TryWriteCrlfPong_GoesBackToTheSourceAddressAndPort()
    {
        Assert.That(_responder.TryWriteCrlfPong(new Packet(Request("\r\n\r\n", sourcePort: 9988)), out var reply), Is.True);
        var packet = new Packet(reply.ToArray());

        Assert.That((packet.Destination, packet.DestinationPort, Encoding.ASCII.GetString(packet.Payload)), Is.EqualTo((Ua, 9988, "\r\n")));
    }

    [Test]
    public void TryWriteResponse_Repeated_AllocatesNothing()
    {
        var request = Request(KeepAliveNotify, 9988);
        _responder.TryWriteResponse(new Packet(request), 200, "OK"u8, [], out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20_000; i++)
        {
            _responder.TryWriteResponse(new Packet(request), 200, "OK"u8, [], out _);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    private static byte[] Request(string payload, ushort sourcePort)
    {
        var bytes = new byte[28 + payload.Length];
        Assert.That(PacketWriter.TryWriteUdp(bytes, Ua, Server, sourcePort, 5060, Bytes(payload), out _), Is.True);
        return bytes;
    }
}
