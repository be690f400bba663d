using System.Text.Json.Nodes;

namespace NetServ.Evaluation.OpenFlow;

/// <summary>The openflow benchmark's settings: frame, flows, the NetServ node counts measured, and the MLFFR search.</summary>
internal sealed record OpenFlowOptions
{
    /// <summary>The node counts measured by default: none on the flow path, one, two.</summary>
    public static readonly int[] DefaultNodeCounts = [0, 1, 2];

    /// <summary>Frame size on the wire in bytes, FCS included.</summary>
    public int WireBytes { get; init; } = 64;

    /// <summary>NetServ nodes on the flow path, one configuration each, in order.</summary>
    public int[] NodeCounts { get; init; } = DefaultNodeCounts;

    /// <summary>UDP flows the traffic is spread over (source ports 7000 on): two nodes share them by the controller's hash.</summary>
    public int Flows { get; init; } = 8;

    /// <summary>Length of one trial in seconds.</summary>
    public double TrialSeconds { get; init; } = 1;

    /// <summary>Searches per configuration; the median is reported with min and max.</summary>
    public int Repetitions { get; init; } = 3;

    /// <summary>The search's first (highest) rate, packets per second.</summary>
    public double HighRate { get; init; } = 300_000;

    /// <summary>Absolute search resolution, packets per second.</summary>
    public double Resolution { get; init; } = 1_000;

    /// <summary>Search resolution relative to the rate.</summary>
    public double RelativeResolution { get; init; } = 0.02;

    /// <summary>Trials per search at most once a rate has passed.</summary>
    public int MaxTrials { get; init; } = 24;

    /// <summary>Repeats of a failed trial before its rate counts as failed.</summary>
    public int Confirmations { get; init; } = 1;

    /// <summary>CPU of the generator's sending thread.</summary>
    public int GeneratorCpu { get; init; }

    /// <summary>The folder the results folder is created in (default evaluation/results).</summary>
    public string? Output { get; init; }

    /// <summary>Whether this is the short --quick form.</summary>
    public bool IsQuick { get; init; }

    /// <summary>The short form for tests: one search per configuration, 0.3 s trials, at most 5 trials, a coarse resolution.</summary>
    public OpenFlowOptions Quick() => this with
    {
        IsQuick = true,
        TrialSeconds = 0.3,
        Repetitions = 1,
        HighRate = 100_000,
        RelativeResolution = 0.1,
        MaxTrials = 5,
        Confirmations = 0,
    };

    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (WireBytes is < 64 or > 1518)
        {
            throw new ArgumentException("--size: 64..1518 bytes on the wire");
        }

        if (NodeCounts.Length == 0 || NodeCounts.Any(n => n is < 0 or > 2) || NodeCounts.Distinct().Count() != NodeCounts.Length)
        {
            throw new ArgumentException("--nodes: distinct node counts out of 0, 1 and 2");
        }

        if (Flows is < 1 or > 256)
        {
            throw new ArgumentException("--flows: 1..256");
        }

        if (TrialSeconds is <= 0 or > 60 || Repetitions is < 1 or > 20)
        {
            throw new ArgumentException("--trial-seconds: over 0 and at most 60; --repetitions: 1..20");
        }

        if (HighRate is < 2_000 or > 5_000_000)
        {
            throw new ArgumentException("--high-kpps: 2..5000");
        }
    }

    /// <summary>The options as results.json records them.</summary>
    public JsonObject ToJson() => new()
    {
        ["quick"] = IsQuick,
        ["wireBytes"] = WireBytes,
        ["nodeCounts"] = new JsonArray(NodeCounts.Select(n => (JsonNode?)n).ToArray()),
        ["flows"] = Flows,
        ["trialSeconds"] = TrialSeconds,
        ["repetitions"] = Repetitions,
        ["highKpps"] = HighRate / 1000,
        ["resolutionKpps"] = Resolution / 1000,
        ["relativeResolution"] = RelativeResolution,
        ["maxTrials"] = MaxTrials,
        ["confirmations"] = Confirmations,
        ["generatorCpu"] = GeneratorCpu,
    };
}
