using System.Diagnostics;
using NetServ.Networking;
using NetServ.Sdk;
using Solutions.RateLimiter;

[assembly: NetServModule(typeof(RateLimiterModule))]

namespace Solutions.RateLimiter;

/// <summary>The rate limiter exercise's reference solution: a token bucket per source address.</summary>
public sealed class RateLimiterModule : NetServModule, IPacketProcessor
{
    // Bounded: a flood of spoofed sources must not grow the table without end; when it is full it starts again.
    private const int MaxSources = 4096;
    private readonly Dictionary<Ipv4Address, Bucket> _buckets = new(MaxSources);
    private double _rate;
    private double _burst;

    protected override Task OnStartAsync(CancellationToken cancellationToken)
    {
        _rate = Context.Properties.GetInt32("rate", 100);
        _burst = Context.Properties.GetInt32("burst", 20);
        return Task.CompletedTask;
    }

    public PacketVerdict Process(ref Packet packet)
    {
        if (!packet.IsIpv4)
        {
            return PacketVerdict.Accept;
        }

        var now = Stopwatch.GetTimestamp();
        if (!_buckets.TryGetValue(packet.Source, out var bucket))
        {
            if (_buckets.Count >= MaxSources)
            {
                _buckets.Clear();
            }

            bucket = new Bucket(_burst, now);
        }

        var tokens = Math.Min(_burst, bucket.Tokens + (Stopwatch.GetElapsedTime(bucket.Time, now).TotalSeconds * _rate));
        var verdict = tokens >= 1 ? PacketVerdict.Accept : PacketVerdict.Drop;
        _buckets[packet.Source] = new Bucket(verdict == PacketVerdict.Accept ? tokens - 1 : tokens, now);
        return verdict;
    }

    private readonly record struct Bucket(double Tokens, long Time);
}
