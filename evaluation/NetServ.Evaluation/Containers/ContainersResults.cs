using NetServ.Evaluation.Hosting;
using NetServ.Evaluation.Mlffr;
using NetServ.Evaluation.NodeRuntime;

namespace NetServ.Evaluation.Containers;

/// <summary>The kernel's counters of the users' queues and of the receiver's interface at one moment of a trial.</summary>
/// <param name="Timestamp">When they were read (<see cref="System.Diagnostics.Stopwatch"/> ticks, the middle of the reads).</param>
/// <param name="HandedToReaders">Packets the kernel handed to the containers' readers (the queues' id sequences).</param>
/// <param name="Waiting">Packets waiting in the queues for a verdict.</param>
/// <param name="Received">Packets the receiver's interface received.</param>
internal readonly record struct WindowCounters(long Timestamp, long HandedToReaders, long Waiting, long Received)
{
    /// <summary>Packets the readers have given a verdict so far.</summary>
    public long Verdicts => HandedToReaders - Waiting;
}

/// <summary>
/// One saturation trial: the most offered (the generator's maximum, or a fixed high rate), and what
/// the containers processed meanwhile, measured over a window inside the trial where the queues are
/// full, so the rate is the containers' own (packets still queued at the end do not count, and packets
/// that passed full queues unprocessed are not throughput).
/// </summary>
internal sealed record SaturationSample(int Repetition, TrialResult Trial, WindowCounters WindowStart, WindowCounters WindowEnd)
{
    public double WindowSeconds => (WindowEnd.Timestamp - WindowStart.Timestamp) / (double)System.Diagnostics.Stopwatch.Frequency;

    /// <summary>Whether traffic arrived during the window; if not, the window missed the trial and the sample says nothing.</summary>
    public bool SawTraffic => WindowEnd.Received > WindowStart.Received;

    /// <summary>
    /// Whether the queues overflowed (packets passed them unprocessed). If not, the containers kept up with
    /// what the generator managed to offer, and their rate is a lower bound of the throughput at saturation.
    /// </summary>
    public bool QueuesOverflowed => Trial.Bypassed > 0;

    /// <summary>Packets per second the containers gave a verdict inside the window: the throughput at saturation.</summary>
    public double ProcessedRate => Rate(WindowEnd.Verdicts - WindowStart.Verdicts);

    /// <summary>
    /// Packets per second that reached the receiver inside the window: unprocessed ones (past full queues)
    /// included, and processed ones lost on the way after their verdict (on two CPUs, the receiver's
    /// softirq shares a CPU with the router's, which is saturated here) not.
    /// </summary>
    public double ReceivedRate => Rate(WindowEnd.Received - WindowStart.Received);

    private double Rate(long packets) => WindowSeconds > 0 ? packets / WindowSeconds : 0;
}

/// <summary>Everything measured with one container count: one node start, its searches, saturation trials and memory.</summary>
internal sealed class ContainerCountResult(int containers)
{
    public int Containers { get; } = containers;

    /// <summary>The node's name (its folders and cgroups carry it).</summary>
    public string? NodeName { get; set; }

    /// <summary>From the node's start until every container's module was installed.</summary>
    public TimeSpan SetupTime { get; set; }

    /// <summary>The search's high bound and the saturation trial's rate.</summary>
    public double HighRate { get; set; }

    public List<SearchRecord> Searches { get; } = [];

    public List<SaturationSample> Saturations { get; } = [];

    /// <summary>Each container's memory, read while the containers processed <see cref="MemoryTrialRate"/>.</summary>
    public MemorySample? Memory { get; set; }

    /// <summary>The rate offered while the memory was read (the median peak).</summary>
    public double MemoryTrialRate { get; set; }

    /// <summary>Whether the generator was still sending when the last container's memory had been read.</summary>
    public bool MemoryReadUnderLoad { get; set; }

    /// <summary>netservd's own PSS at the same moment.</summary>
    public long NodePssBytes { get; set; }

    /// <summary>Every container's counts after the measurements: the traffic's spread over them.</summary>
    public IReadOnlyList<ContainerCounts> Counts { get; set; } = [];

    /// <summary>Failures the node recorded while this count was measured (modules taken out as hung, containers that died).</summary>
    public List<string> ModuleFailures { get; } = [];

    public string? Error { get; set; }

    /// <summary>The peak throughput (MLFFR) over the repetitions, kpps: median, min, max; null when not measured.</summary>
    public (double Median, double Min, double Max, bool AtGeneratorLimit)? PeakKpps =>
        Searches.Count == 0
            ? null
            : (Statistics.Median(Searches.Select(s => s.MlffrKpps)), Searches.Min(s => s.MlffrKpps), Searches.Max(s => s.MlffrKpps), Searches.Any(s => s.Result.LimitedByGenerator));

    /// <summary>
    /// The throughput at saturation over the repetitions whose window saw traffic, kpps: median, min, max,
    /// and whether in any of them the queues never overflowed (the generator, not the containers, was the limit); null when not measured.
    /// </summary>
    public (double Median, double Min, double Max, bool AtGeneratorLimit)? SaturationKpps
    {
        get
        {
            var samples = Saturations.Where(s => s.SawTraffic).ToArray();
            var kpps = samples.Select(s => s.ProcessedRate / 1000).ToArray();
            return kpps.Length == 0 ? null : (Statistics.Median(kpps), kpps.Min(), kpps.Max(), samples.Any(s => !s.QueuesOverflowed));
        }
    }

    /// <summary>What the saturation trials offered (the generator's rate while the containers competed for its CPU), median kpps.</summary>
    public double? SaturationOfferedKpps =>
        Saturations.Count == 0 ? null : Statistics.Median(Saturations.Select(s => s.Trial.OfferedRate / 1000));

    /// <summary>Whether every figure of this count was measured.</summary>
    public bool Complete => Error is null && PeakKpps is not null && SaturationKpps is not null && Memory is { Succeeded: true };
}

/// <summary>Everything one container-count run found, complete or not.</summary>
internal sealed class ContainersResults : RunRecord
{
    public required ContainersOptions Options { get; init; }

    /// <summary>The generator through plain forwarding, with every user's frame in turn.</summary>
    public GeneratorCheck? Generator { get; set; }

    public List<ContainerCountResult> Counts { get; } = [];
}
