using NetServ.Sdk;
using NetServ.TestModules.Echo;

[assembly: NetServModule(typeof(EchoModule))]

namespace NetServ.TestModules.Echo;

/// <summary>Answers every UDP packet on behalf of its destination, with "echo:" before the payload, and drops the request.</summary>
public sealed class EchoModule : NetServModule, IPacketProcessor
{
    private static readonly byte[] Prefix = "echo:"u8.ToArray();
    private readonly byte[] _reply = new byte[65536];
    private readonly byte[] _payload = new byte[65536];

    public PacketVerdict Process(ref Packet packet)
    {
        if (!packet.IsUdp)
        {
            return PacketVerdict.Accept;
        }

        var udp = packet.Udp;
        Prefix.CopyTo(_payload, 0);
        packet.Payload.CopyTo(_payload.AsSpan(Prefix.Length));
        var length = Prefix.Length + packet.Payload.Length;
        if (PacketWriter.TryWriteUdp(_reply, packet.Destination, packet.Source, udp.DestinationPort, udp.SourcePort, _payload.AsSpan(0, length), out var written)
            && Context.PacketSender.TrySend(_reply.AsSpan(0, written)))
        {
            return PacketVerdict.Drop;
        }

        return PacketVerdict.Accept;
    }
}
