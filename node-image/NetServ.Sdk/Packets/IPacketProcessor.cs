namespace NetServ.Sdk;

/// <summary>
/// Implemented by modules that sit in the packet path. The container hands every packet that
/// matches the module's SETUP filter to <see cref="Process"/>, in the order modules were installed.
/// </summary>
/// <remarks>
/// <para>
/// The packet is a view over the container's receive buffer: no copy is made and nothing is
/// allocated per packet, and the module should keep it that way (no LINQ, no strings, no boxing
/// on this path). The packet must not be kept after the call returns.
/// </para>
/// <para>
/// To change a packet, write through <see cref="Packet.Data"/> or the header views and call
/// <see cref="Packet.MarkModified"/>; the container fixes lengths and checksums before the packet
/// goes back to the kernel. To answer a packet, build the reply with <see cref="PacketWriter"/>
/// and send it through <see cref="IModuleContext.PacketSender"/>.
/// </para>
/// <para>
/// If <see cref="Process"/> throws, the exception is logged and the original packet is
/// accepted unchanged. If it does not return within the node's deadline, the module is unloaded.
/// </para>
/// </remarks>
public interface IPacketProcessor
{
    /// <summary>Processes one packet and says what becomes of it.</summary>
    /// <param name="packet">The packet, an IPv4 datagram starting at its IP header.</param>
    PacketVerdict Process(ref Packet packet);
}
