using System.Text.Json.Nodes;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Evaluation.Traffic;

namespace NetServ.Evaluation.Containers;

/// <summary>
/// Everything the container-count benchmark can be told: its own settings, and the measurement
/// settings it shares with node-runtime (trials, search, placement, queue readers, quiet machine).
/// </summary>
internal sealed record ContainersOptions
{
    /// <summary>Container counts (users) measured, in this order.</summary>
    public IReadOnlyList<int> Counts { get; init; } = [1, 10, 25, 50, 100];

    /// <summary>Frame size on the wire, FCS included.</summary>
    public int Size { get; init; } = 64;

    /// <summary>How trials and searches run; its sizes, configurations and memory settings are not used here.</summary>
    public NodeRuntimeOptions Measurement { get; init; } = new();

    /// <summary>The rate offered in the saturation trial (packets per second); null for the generator's maximum.</summary>
    public double? SaturationRate { get; init; }

    /// <summary>
    /// The part of the saturation trial over which the containers' processing rate is measured, as
    /// fractions of its length: after the queues have filled, before the generator stops.
    /// </summary>
    public (double Start, double End) SaturationWindow { get; init; } = (0.3, 0.9);

    /// <summary>Length of the trial at the peak rate during which each container's memory is read.</summary>
    public double MemoryTrialSeconds { get; init; } = 3;

    /// <summary>How long a module may hold one packet before its container takes it out as hung; null for the node's default.</summary>
    public int? HangTimeoutMs { get; init; }

    /// <summary>Warm-up packets per container at least, before each search (JIT tiering of every container's reader).</summary>
    public int WarmupPacketsPerContainer { get; init; } = 1000;

    public bool IsQuick => Measurement.IsQuick;

    /// <summary>The parent of the results folder; null for evaluation/results in the repository.</summary>
    public string? Output => Measurement.Output;

    /// <summary>
    /// Why Click cannot send this run's trials, or null when it can: with more than one container every trial
    /// spreads over one flow a container, and a Click run sends one flow.
    /// </summary>
    public string? ClickCannot => Counts.Count > 0 && Counts.Max() > 1
        ? "the containers benchmark spreads every trial over several flows (one UDP destination port a container), and a Click run sends one flow; Click can measure --counts 1 alone"
        : null;

    /// <summary>The short version: node-runtime's quick measurement, 1 and 3 containers, a 1 s memory trial.</summary>
    public ContainersOptions Quick() => this with
    {
        Measurement = Measurement.Quick(),
        Counts = [1, 3],
        MemoryTrialSeconds = 1,
        WarmupPacketsPerContainer = 200,
    };

    /// <summary>The warm-up before a search with <paramref name="containers"/> containers: long enough for each to see its packets.</summary>
    public double WarmupSeconds(int containers) =>
        Math.Max(Measurement.WarmupSeconds, (double)containers * WarmupPacketsPerContainer / Measurement.WarmupRate);

    public void Validate()
    {
        if (Counts.Count == 0 || Counts.Any(c => c is < 1 or > UserShare.MaxUsers))
        {
            throw new ArgumentException($"--counts: 1..{UserShare.MaxUsers} containers (users u000..u{UserShare.MaxUsers - 1:D3})");
        }

        if (Size is < 64 or > 1518)
        {
            throw new ArgumentException("--size: frame sizes are 64..1518 bytes on the wire");
        }

        if (SaturationRate is <= 0)
        {
            throw new ArgumentException("--saturation-kpps must be positive");
        }

        if (SaturationWindow.Start is < 0 or >= 1 || SaturationWindow.End <= SaturationWindow.Start || SaturationWindow.End > 1)
        {
            throw new ArgumentException("the saturation window lies inside the trial: 0 <= start < end <= 1");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MemoryTrialSeconds, 0.5, "--memory-trial-seconds");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MemoryTrialSeconds, 60, "--memory-trial-seconds");
        ArgumentOutOfRangeException.ThrowIfNegative(WarmupPacketsPerContainer);
        if (HangTimeoutMs is < 100 or > 600_000)
        {
            throw new ArgumentException("--hang-timeout-ms: 100..600000");
        }

        Measurement.Validate();
        if (ClickCannot is { } why)
        {
            _ = TrafficGeneratorUse.PacedBecause(Measurement.Generator, why);
        }
    }

    public JsonObject ToJson()
    {
        var json = Measurement.MeasurementToJson();
        json["counts"] = new JsonArray(Counts.Select(c => (JsonNode?)c).ToArray());
        json["sizeBytes"] = Size;
        json["module"] = $"{NodeContainer.NetMonitorModule} in every container, installed through the admin API; user u<i> filters UDP to port {BenchPath.Port}+i in {UserShare.Destination}";
        json["traffic"] = "the generator cycles through one frame per user (UDP to the user's port): every container gets an equal share of every trial";
        json["saturation"] = new JsonObject
        {
            ["offeredKpps"] = SaturationRate is { } rate ? (JsonNode)(rate / 1000) : "the generator's maximum (unpaced rate through plain forwarding at the start)",
            ["window"] = $"{SaturationWindow.Start:0%}–{SaturationWindow.End:0%} of the trial",
            ["measure"] = "packets the containers gave a verdict per second inside the window (the kernel's id sequences minus packets waiting, over the users' queues), while the queues are full; the rate at the receiver's interface over the same window, and the trial's totals (bypassed: matched but never handed to a container), beside it",
        };
        json["memory"] = new JsonObject
        {
            ["trialSeconds"] = MemoryTrialSeconds,
            ["measure"] = "PSS (and private memory) from /proc/<pid>/smaps_rollup of every container process, read once while the containers process the peak (median MLFFR) rate",
        };
        json["warmupPacketsPerContainer"] = WarmupPacketsPerContainer;
        json["hangTimeoutMs"] = HangTimeoutMs is { } hang ? hang : new Testbed.Nodes.NetServNodeOptions().Node.Containers.HangTimeoutMs;
        json["containerLimits"] = "the node's defaults as in node-runtime: 256 MB memory, 1 CPU per container (cgroup), reader thread on the queue reader CPU";
        return json;
    }
}
