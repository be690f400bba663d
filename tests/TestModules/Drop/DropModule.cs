using NetServ.Sdk;
using NetServ.TestModules.Drop;

[assembly: NetServModule(typeof(DropModule))]

namespace NetServ.TestModules.Drop;

public sealed class DropModule : NetServModule, IPacketProcessor
{
    public PacketVerdict Process(ref Packet packet) => PacketVerdict.Drop;
}
