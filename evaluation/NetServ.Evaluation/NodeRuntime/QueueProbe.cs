using System.Globalization;
using NetServ.Testbed.Linux;
using NetServ.Traffic;

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
/// The kernel's view of one or more queues in the router, summed: the NFQUEUE rules'
/// packet counters, and /proc/net/netfilter/nfnetlink_queue (whose id sequence counts packets handed
/// to the reader; with fail-open, a full queue lets packets pass without counting them anywhere).
/// </summary>
internal sealed class KernelQueueProbe(NetworkNamespace router, IReadOnlyCollection<ushort> queueNumbers, IReadOnlyList<string> chains, Func<ReaderInfo>? reader = null) : IQueueProbe
{
    private readonly HashSet<ushort> _queues = [.. queueNumbers];

    public KernelQueueProbe(NetworkNamespace router, ushort queueNumber, IReadOnlyList<string> chains, Func<ReaderInfo>? reader = null)
        : this(router, [queueNumber], chains, reader)
    {
    }

    public QueueCounters Read()
    {
        var hits = RuleHits();
        var lines = QueueLines();
        var sequence = lines.Sum(l => l.IdSequence);
        var info = reader?.Invoke();
        var threads = info is { Pid: > 0 } i ? ThreadStats.ReadAll(i.Pid) : new Dictionary<int, ThreadStats>();
        return new QueueCounters(hits, info?.Received ?? sequence, sequence, lines.Sum(l => l.Dropped), lines.Sum(l => l.UserDropped), info?.Batches ?? 0, threads);
    }

    public int Waiting() => QueueLines().Sum(l => l.Waiting);

    /// <summary>
    /// From one reading of the kernel's queue table: packets handed to the readers so far (the id
    /// sequences) and packets waiting for a verdict now. Their difference is what the readers have
    /// processed; it needs no reader to answer, so it can be read while traffic flows.
    /// </summary>
    public (long HandedToReaders, long Waiting) Totals()
    {
        var lines = QueueLines();
        return (lines.Sum(l => l.IdSequence), lines.Sum(l => (long)l.Waiting));
    }

    /// <summary>Whether a reader is bound to every queue.</summary>
    public bool IsBound() => QueueLines().Count == _queues.Count;

    /// <summary>The queue number of an NFQUEUE rule as <c>iptables -nvxL</c> prints it ("NFQUEUE num 100 bypass"), or null.</summary>
    public static ushort? QueueOfRule(string ruleText)
    {
        ArgumentNullException.ThrowIfNull(ruleText);
        var fields = ruleText.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var num = Array.IndexOf(fields, "num");
        return num >= 0 && num + 1 < fields.Length && ushort.TryParse(fields[num + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var queue) ? queue : null;
    }

    /// <summary>Packets that matched the queues' NFQUEUE rules in the probe's chains.</summary>
    private long RuleHits()
    {
        long hits = 0;
        foreach (var chain in chains)
        {
            var result = router.Exec("iptables", "-nvxL", chain);
            if (result.Succeeded)
            {
                hits += IptablesCounter.ParseListing(result.StandardOutput)
                    .Where(r => r.Target == "NFQUEUE" && QueueOfRule(r.Text) is { } queue && _queues.Contains(queue))
                    .Sum(r => r.Packets);
            }
        }

        return hits;
    }

    // queue_number peer_portid queue_total copy_mode copy_range queue_dropped queue_user_dropped id_sequence 1
    private List<(int Waiting, long Dropped, long UserDropped, long IdSequence)> QueueLines() =>
        router.ReadProcNet("netfilter/nfnetlink_queue")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 8 && ushort.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var queue) && _queues.Contains(queue))
            .Select(f => (int.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[5], CultureInfo.InvariantCulture), long.Parse(f[6], CultureInfo.InvariantCulture), long.Parse(f[7], CultureInfo.InvariantCulture)))
            .ToList();
}
