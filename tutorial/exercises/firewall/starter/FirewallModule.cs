using Exercises.Firewall;
using NetServ.Sdk;

[assembly: NetServModule(typeof(FirewallModule))]

namespace Exercises.Firewall;

/// <summary>
/// A firewall on the path: drops the UDP and TCP packets whose destination port the policy names. The policy
/// comes in the SETUP's properties as <c>block=PORT;PORT;...</c> (read <c>Context.Properties</c> in OnStartAsync).
/// </summary>
public sealed class FirewallModule : NetServModule, IPacketProcessor
{
    public PacketVerdict Process(ref Packet packet)
    {
        // TODO: drop what the policy names; accept everything else.
        return PacketVerdict.Accept;
    }
}
