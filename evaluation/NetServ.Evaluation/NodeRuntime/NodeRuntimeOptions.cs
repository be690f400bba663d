using System.Text.Json.Nodes;
using NetServ.Evaluation.Mlffr;
using NetServ.Traffic;

namespace NetServ.Evaluation.NodeRuntime;

/// <summary>Everything the node-runtime benchmark can be told; plain defaults, <see cref="Quick"/> for the short run.</summary>
internal sealed record NodeRuntimeOptions
{
    /// <summary>Frame sizes on the wire, FCS included.</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [64, 340];

    /// <summary>
    /// Router configurations, measured in this order in odd repetitions and in the reverse order in even
    /// ones. The default puts each target ratio's two configurations next to each other (C, 4; 4, 5; 5, 6),
    /// so every repetition measures each pair in adjacent searches.
    /// </summary>
    public IReadOnlyList<string> Configurations { get; init; } = ["1", "2", "3", "C", "4", "5", "6"];

    /// <summary>The order of the configurations in <paramref name="repetition"/> (from 1): as given, reversed in even repetitions (A, B, B, A, …), so that a drift of the machine during the run does not favour either side of a pair.</summary>
    public IReadOnlyList<string> ConfigurationOrder(int repetition) =>
        repetition % 2 == 1 ? Configurations : Configurations.Reverse().ToArray();

    public double TrialSeconds { get; init; } = 2;

    public int Repetitions { get; init; } = 3;

    /// <summary>Container counts of the memory measurement.</summary>
    public IReadOnlyList<int> ContainerCounts { get; init; } = [1, 10, 50];

    /// <summary>The container count at which the container environment settings are compared (0: no comparison).</summary>
    public int VariantContainers { get; init; } = 10;

    /// <summary>The parent of the results folder; null for evaluation/results in the repository.</summary>
    public string? Output { get; init; }

    public bool IsQuick { get; init; }

    /// <summary>Search resolution: absolute, in packets per second.</summary>
    public double Resolution { get; init; } = 1_000;

    /// <summary>Search resolution: relative to the rate found.</summary>
    public double RelativeResolution { get; init; } = 0.02;

    /// <summary>The lowest rate searched, packets per second.</summary>
    public double LowRate { get; init; } = 1_000;

    /// <summary>Trials of one search at most.</summary>
    public int MaxTrials { get; init; } = 24;

    /// <summary>How often a failed trial is repeated at the same rate before the rate counts as failed (noise from other work on a shared machine).</summary>
    public int Confirmations { get; init; } = 1;

    /// <summary>A generator falling further below the requested rate makes the trial count as failed.</summary>
    public double RateTolerance { get; init; } = 0.02;

    /// <summary>The warm-up before each search (JIT tiering, caches), uncounted: rate and length.</summary>
    public double WarmupRate { get; init; } = 50_000;

    public double WarmupSeconds { get; init; } = 1;

    /// <summary>recvmmsg batch of the container's reader, and nfq-accept's --batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>NFQUEUE maximum length for both readers (the container's default).</summary>
    public int QueueMaxLength { get; init; } = 4096;

    /// <summary>net.core.netdev_max_backlog during the run (the notes: 1000 lets vCPU stalls break zero loss).</summary>
    public int NetdevMaxBacklog { get; init; } = 10_000;

    public CpuPlacement Placement { get; init; } = CpuPlacement.Default;

    /// <summary>Which generator sends the searches' trials (<c>--generator</c>); the generator check is the paced generator's whatever this says.</summary>
    public TrafficGeneratorChoice Generator { get; init; } = TrafficGeneratorChoice.Paced;

    /// <summary>How long containers settle after they are ready before their memory is read.</summary>
    public double MemorySettleSeconds { get; init; } = 3;

    /// <summary>How long the CPUs are watched before each search to see how busy other work keeps them.</summary>
    public double BusySampleSeconds { get; init; } = 0.5;

    /// <summary>Before each search, wait up to this long for other work on the machine to fall below <see cref="QuietBusyFraction"/> (0: do not wait).</summary>
    public double QuietWaitSeconds { get; init; }

    /// <summary>The busy fraction of all CPUs (from other work) under which the machine counts as quiet.</summary>
    public double QuietBusyFraction { get; init; } = 0.1;

    public bool SkipForwarding { get; init; }

    public bool SkipMemory { get; init; }

    /// <summary>The short version: one repetition, 0.5 s trials, coarse resolution, 1 and 3 containers, no setting comparison.</summary>
    public NodeRuntimeOptions Quick() => this with
    {
        IsQuick = true,
        Repetitions = 1,
        TrialSeconds = 0.5,
        Resolution = 25_000,
        RelativeResolution = 0.25,
        MaxTrials = 5,
        Confirmations = 0,
        // A longer warm-up than the trial's half: the module's packet path (KeepAlive's SIP matching) has
        // time to be compiled and tiered up before 0.5 s zero-loss trials judge it.
        WarmupSeconds = 0.5,
        ContainerCounts = [1, 3],
        VariantContainers = 0,
        MemorySettleSeconds = 0.5,
        BusySampleSeconds = 0.2,
    };

    public void Validate()
    {
        if (Sizes.Count == 0 || Sizes.Any(s => s is < 64 or > 1518))
        {
            throw new ArgumentException("--sizes: frame sizes are 64..1518 bytes on the wire");
        }

        if (Configurations.Count == 0 || Configurations.Any(c => !RouterConfiguration.AllKeys.Contains(c)))
        {
            throw new ArgumentException($"--configurations: choose from {string.Join(',', RouterConfiguration.AllKeys)}");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(TrialSeconds, 0.1, "--trial-seconds");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(TrialSeconds, 60, "--trial-seconds");
        ArgumentOutOfRangeException.ThrowIfLessThan(Repetitions, 1, "--repetitions");
        if (ContainerCounts.Any(c => c is < 1 or > 100))
        {
            throw new ArgumentException("--containers: 1..100 containers (users u000..u099)");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(Confirmations, "--confirmations");
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, "--batch");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BatchSize, 1024, "--batch");
        Placement.Validate(Environment.ProcessorCount);
    }

    /// <summary>The search's bounds, resolution and pass criteria, from <see cref="LowRate"/> up to <paramref name="highRate"/>.</summary>
    public MlffrSearchOptions SearchOptions(double highRate) => new()
    {
        LowRate = LowRate,
        HighRate = highRate,
        Resolution = Resolution,
        RelativeResolution = RelativeResolution,
        RateTolerance = RateTolerance,
        MaxTrials = MaxTrials,
        Confirmations = Confirmations,
    };

    public JsonObject ToJson()
    {
        var json = MeasurementToJson();
        json["sizes"] = new JsonArray(Sizes.Select(s => (JsonNode?)s).ToArray());
        json["configurations"] = new JsonArray(Configurations.Select(c => (JsonNode?)c).ToArray());
        json["containerCounts"] = new JsonArray(ContainerCounts.Select(c => (JsonNode?)c).ToArray());
        json["variantContainers"] = VariantContainers;
        return json;
    }

    /// <summary>How every search and trial is run, for results.json: trials, search, quiet machine, queue readers.</summary>
    public JsonObject MeasurementToJson() => new()
    {
        ["trialSeconds"] = TrialSeconds,
        ["repetitions"] = Repetitions,
        ["quick"] = IsQuick,
        ["search"] = SearchToJson(),
        ["quiet"] = QuietWaitSeconds > 0 ? $"before each search, waited up to {QuietWaitSeconds:0} s for other work to use less than {QuietBusyFraction:0%} of the CPUs" : "no waiting for a quiet machine",
        ["queueReaders"] = new JsonObject { ["batch"] = BatchSize, ["queueMaxLength"] = QueueMaxLength, ["failOpen"] = true },
    };

    /// <summary>The search's settings and criteria for results.json.</summary>
    private JsonObject SearchToJson() => new()
    {
        ["lowRatePps"] = LowRate,
        ["highRate"] = "the generator's unpaced rate for the size, measured at the start",
        ["resolutionPps"] = Resolution,
        ["relativeResolution"] = RelativeResolution,
        ["maxTrials"] = MaxTrials,
        ["confirmations"] = Confirmations,
        ["lossTolerance"] = 0,
        ["rateTolerance"] = RateTolerance,
        ["warmup"] = $"{WarmupRate / 1000:0} kpps for {WarmupSeconds} s before each search, not counted",
        ["confirmation"] = Confirmations > 0 ? $"a failed trial is repeated up to {Confirmations} time(s) at the same rate; the rate passes if any trial at it passes" : "none: one trial per rate",
        ["criterion"] = "zero loss: received (iptables counter at the receiver) equals offered (failed sends included), no packet passed a full queue unprocessed (fail-open), and the generator offered the rate within the tolerance",
    };
}
