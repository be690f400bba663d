using System.Diagnostics;

namespace NetServ.Traffic;

/// <summary>
/// One generator run counted at the receiver by the kernel, the same way whichever generator sent:
/// the receiver's <see cref="IptablesCounter"/> is zeroed, the generator runs, and the counter is read
/// once it has stopped moving. No socket is involved at the receiver, so nothing can overflow there.
/// </summary>
public sealed record CountedTrafficRun(TrafficResult Generator, long Received)
{
    /// <summary>How long the counter must stay unchanged after a run to count as settled.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(100);

    /// <summary>Packets offered and not counted at the receiver: refused by the sender's kernel or lost on the way.</summary>
    public long Lost => Generator.Offered - Received;

    /// <summary>Runs <paramref name="spec"/> on <paramref name="generator"/> and counts what reached <paramref name="receiver"/>.</summary>
    public static CountedTrafficRun Run(ITrafficGenerator generator, TrafficSpec spec, IptablesCounter receiver, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(receiver);
        receiver.Zero();
        var result = generator.Run(spec, cancellationToken);
        return new CountedTrafficRun(result, ReadSettled(receiver, result.Sent));
    }

    /// <summary>The counter once it reached <paramref name="expected"/> or stopped moving for <see cref="SettleTime"/> (at most 5 s).</summary>
    public static long ReadSettled(IptablesCounter receiver, long expected)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        var started = Stopwatch.GetTimestamp();
        var count = receiver.Read();
        while (count < expected && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(SettleTime);
            var next = receiver.Read();
            if (next == count)
            {
                break;
            }

            count = next;
        }

        return count;
    }
}
