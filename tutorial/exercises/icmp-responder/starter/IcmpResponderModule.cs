using Exercises.IcmpResponder;
using NetServ.Sdk;

[assembly: NetServModule(typeof(IcmpResponderModule))]

namespace Exercises.IcmpResponder;

/// <summary>
/// Answers ICMP echo requests (ping) on the server's behalf: for an echo request (IP protocol 1, ICMP type 8)
/// build the echo reply (addresses swapped, ICMP type 0, both checksums right), send it with
/// <c>Context.PacketSender</c> and drop the request. Everything else passes.
/// </summary>
public sealed class IcmpResponderModule : NetServModule, IPacketProcessor
{
    public PacketVerdict Process(ref Packet packet)
    {
        // TODO: answer echo requests on the destination's behalf.
        return PacketVerdict.Accept;
    }
}
