using NetServ.Sdk;
using NetServ.TestModules.Hang;

[assembly: NetServModule(typeof(HangModule))]

namespace NetServ.TestModules.Hang;

public sealed class HangModule : NetServModule, IPacketProcessor
{
    public PacketVerdict Process(ref Packet packet)
    {
        var payload = packet.Payload;
        if (payload.Length >= 4 && payload[0] == 'H' && payload[1] == 'A' && payload[2] == 'N' && payload[3] == 'G')
        {
            Thread.Sleep(Timeout.Infinite);
        }

        return PacketVerdict.Accept;
    }
}
