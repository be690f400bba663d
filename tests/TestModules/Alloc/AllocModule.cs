using NetServ.Sdk;
using NetServ.TestModules.Alloc;

[assembly: NetServModule(typeof(AllocModule))]

namespace NetServ.TestModules.Alloc;

/// <summary>Leaks 1 MB per packet, touching every page, until the container's memory limit is reached.</summary>
public sealed class AllocModule : NetServModule, IPacketProcessor
{
    private readonly List<byte[]> _kept = [];

    public PacketVerdict Process(ref Packet packet)
    {
        var block = new byte[1 << 20];
        for (var i = 0; i < block.Length; i += 4096)
        {
            block[i] = 1;
        }

        _kept.Add(block);
        return PacketVerdict.Accept;
    }
}
