using NetServ.Sdk;
using NetServ.TestModules.Throw;

[assembly: NetServModule(typeof(ThrowModule))]

namespace NetServ.TestModules.Throw;

public sealed class ThrowModule : NetServModule, IPacketProcessor
{
    public PacketVerdict Process(ref Packet packet)
    {
        // Damage the packet first: the node must still forward the original.
        if (packet.Payload.Length > 0)
        {
            packet.Payload[0] = (byte)'X';
            packet.MarkModified();
        }

        throw new InvalidOperationException("this module always fails");
    }
}
