using System.Globalization;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Traffic;

namespace NetServ.Evaluation.NodeRuntime;

/// <summary>Counters of one NFQUEUE path at a moment.</summary>
/// <param name="RuleHits">Packets that matched the NFQUEUE rule(s) of the queue.</param>
/// <param name="Delivered">Packets the queue reader received (its own count where it has one, else the kernel's id sequence).</param>
/// <param name="IdSequence">The kernel's last packet id of the queue: packets it tried to hand to the reader.</param>
/// <param name="Dropped">The kernel's queue_dropped (a full queue without fail-open).</param>
/// <param name="UserDropped">The kernel's queue_user_dropped (a full socket without fail-open).</param>
/// <param name="Batches">Receives that returned packets, where the reader counts them (the container), else 0.</param>
/// <param name="ReaderThreads">Scheduler statistics of every thread of the reader's process, by thread id.</param>
internal readonly record struct QueueCounters(long RuleHits, long Delivered, long IdSequence, long Dropped, long UserDropped, long Batches, IReadOnlyDictionary<int, ThreadStats> ReaderThreads);

/// <summary>Where the queue reader is and what it counts itself.</summary>
/// <param name="Pid">The reader's process.</param>
/// <param name="Received">Packets it received, by its own count; null when it does not say.</param>
/// <param name="Batches">Its non-empty receives, by its own count; null when it does not say.</param>
internal readonly record struct ReaderInfo(int Pid, long? Received, long? Batches);

/// <summary>Reads the counters of an NFQUEUE path; packets that matched but were not delivered passed fail-open, unprocessed.</summary>
internal interface IQueueProbe
{
    QueueCounters Read();

    /// <summary>Packets waiting in the queue for a verdict now.</summary>
    int Waiting();
}

/// <summary>
/// The kernel's view of queue <see cref="QueueNumber"/> in the router: the NFQUEUE rules' packet
/// counters, and /proc/net/netfilter/nfnetlink_queue (whose id sequence counts packets handed to the
/// reader; with fail-open, a full queue lets packets pass without counting them anywhere).
/// </summary>
internal sealed class KernelQueueProbe(NetworkNamespace router, ushort queueNumber, IReadOnlyList<string> chains, Func<ReaderInfo>? reader = null) : IQueueProbe
{
    public ushort QueueNumber { get; } = queueNumber;

    public QueueCounters Read()
    {
        long hits = 0;
        foreach (var chain in chains)
        {
            var result = router.Exec("iptables", "-nvxL", chain);
            if (!result.Succeeded)
            {
                continue;
            }

            hits += IptablesCounter.ParseListing(result.StandardOutput)
                .Where(r => r.Target == "NFQUEUE" && r.Text.Contains($"num {QueueNumber}", StringComparison.Ordinal))
                .Sum(r => r.Packets);
        }

        var line = QueueLine();
        var sequence = line is null ? 0 : long.Parse(line[7], CultureInfo.InvariantCulture);
        var dropped = line is null ? 0 : long.Parse(line[5], CultureInfo.InvariantCulture);
        var userDropped = line is null ? 0 : long.Parse(line[6], CultureInfo.InvariantCulture);
        var info = reader?.Invoke();
        var threads = info is { } i ? ThreadStats.ReadAll(i.Pid) : new Dictionary<int, ThreadStats>();
        return new QueueCounters(hits, info?.Received ?? sequence, sequence, dropped, userDropped, info?.Batches ?? 0, threads);
    }

    public int Waiting() => QueueLine() is { } line ? int.Parse(line[2], CultureInfo.InvariantCulture) : 0;

    /// <summary>Whether a reader is bound to the queue.</summary>
    public bool IsBound() => QueueLine() is not null;

    // queue_number peer_portid queue_total copy_mode copy_range queue_dropped queue_user_dropped id_sequence 1
    private string[]? QueueLine() =>
        router.ReadProcNet("netfilter/nfnetlink_queue")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .FirstOrDefault(f => f.Length >= 8 && f[0] == QueueNumber.ToString(CultureInfo.InvariantCulture));
}
