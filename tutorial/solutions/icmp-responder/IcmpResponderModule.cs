using System.Buffers.Binary;
using NetServ.Sdk;
using Solutions.IcmpResponder;

[assembly: NetServModule(typeof(IcmpResponderModule))]

namespace Solutions.IcmpResponder;

/// <summary>The ICMP responder exercise's reference solution: answers echo requests on the destination's behalf.</summary>
public sealed class IcmpResponderModule : NetServModule, IPacketProcessor
{
    private const byte Icmp = 1;
    private const byte EchoRequest = 8;
    private const byte EchoReply = 0;
    private readonly byte[] _reply = new byte[65536];

    public PacketVerdict Process(ref Packet packet)
    {
        var offset = packet.TransportOffset;
        if (!packet.IsIpv4 || packet.Protocol != Icmp || packet.Ipv4.IsFragment || packet.Length < offset + 8 || packet.Data[offset] != EchoRequest)
        {
            return PacketVerdict.Accept;
        }

        var reply = _reply.AsSpan(0, packet.Length);
        packet.Data.CopyTo(reply);
        // IP: the addresses swapped, a fresh TTL, the header checksum again.
        packet.Data.Slice(16, 4).CopyTo(reply[12..]);
        packet.Data.Slice(12, 4).CopyTo(reply[16..]);
        reply[8] = 64;
        BinaryPrimitives.WriteUInt16BigEndian(reply[10..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(reply[10..], InternetChecksum.Compute(reply[..offset]));
        // ICMP: an echo reply with the request's identifier, sequence and data, and its checksum.
        reply[offset] = EchoReply;
        BinaryPrimitives.WriteUInt16BigEndian(reply[(offset + 2)..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(reply[(offset + 2)..], InternetChecksum.Compute(reply[offset..]));
        return Context.PacketSender.TrySend(reply) ? PacketVerdict.Drop : PacketVerdict.Accept;
    }
}
