namespace NetServ.Sdk;

/// <summary>Sends whole IPv4 packets (header included) from the node, routed by the node's routing table.</summary>
/// <remarks>
/// The source address is whatever the packet says: a module on the path may answer on behalf of a
/// server (the KeepAlive Responder does). Build packets with <see cref="PacketWriter"/>.
/// </remarks>
public interface IPacketSender
{
    /// <summary>Sends <paramref name="ipv4Packet"/>. Returns <see langword="false"/> when the kernel refused it (no buffer space, no route); never blocks.</summary>
    bool TrySend(ReadOnlySpan<byte> ipv4Packet);
}
