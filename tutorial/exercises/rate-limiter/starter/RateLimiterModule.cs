using Exercises.RateLimiter;
using NetServ.Sdk;

[assembly: NetServModule(typeof(RateLimiterModule))]

namespace Exercises.RateLimiter;

/// <summary>
/// Limits each source address to <c>rate</c> packets per second with bursts of up to <c>burst</c> packets
/// (a token bucket per source), dropping what exceeds it. The SETUP's properties give both:
/// <c>rate=100,burst=20</c>. One source's flood must not take the share of another.
/// </summary>
public sealed class RateLimiterModule : NetServModule, IPacketProcessor
{
    public PacketVerdict Process(ref Packet packet)
    {
        // TODO: a token bucket per source address.
        return PacketVerdict.Accept;
    }
}
