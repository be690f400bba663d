using System.Globalization;
using System.Text.Json.Nodes;
using NetServ.Evaluation.NodeRuntime;

namespace NetServ.Evaluation.Reporting;

/// <summary>One performance target the paper's section 9 names as a ratio of two configurations' MLFFRs.</summary>
/// <param name="Name">Its key in summary.json's <c>ratios</c> ("4_over_c_loop").</param>
/// <param name="Numerator">The configuration above the line.</param>
/// <param name="Denominator">The configuration below it.</param>
/// <param name="Target">The ratio is to be at least this.</param>
/// <param name="Label">How summaries name it.</param>
internal sealed record RatioTarget(string Name, string Numerator, string Denominator, double Target, string Label)
{
    /// <summary>The targets: (4)/(C) ≥ 0.9, (5)/(4) ≥ 0.95, (6)/(5) ≥ 0.8.</summary>
    public static IReadOnlyList<RatioTarget> All { get; } =
    [
        new("4_over_c_loop", "4", "C", ResultsWriter.ContainerTarget, "(4) container / (C) C loop"),
        new("5_over_4", "5", "4", ResultsWriter.ModuleTarget, "(5) NetMonitor / (4) container"),
        new("6_over_5", "6", "5", ResultsWriter.ApplicationTarget, "(6) KeepAlive / (5) NetMonitor"),
    ];
}

/// <summary>Whether a ratio's 95 % confidence interval decides its target.</summary>
internal enum RatioVerdict
{
    /// <summary>The whole interval is at or above the target.</summary>
    Met,

    /// <summary>The whole interval is below the target.</summary>
    NotMet,

    /// <summary>The interval straddles the target, or there are fewer than two pairs to make one.</summary>
    CannotDecide,
}

/// <summary>
/// A target ratio from paired searches: in every repetition the two configurations are measured one
/// right after the other (node-runtime alternates the order of configurations between repetitions),
/// so each repetition gives one ratio from adjacent searches, and drift of the machine between
/// repetitions cancels in it. The interval is Student's t over those per-pair ratios:
/// mean ± t(0.975, n − 1) · s / √n.
/// </summary>
/// <param name="Target">The target.</param>
/// <param name="Size">Frame size on the wire.</param>
/// <param name="Pairs">Repetition and ratio of each pair in which both searches found a rate.</param>
internal sealed record PairedRatio(RatioTarget Target, int Size, IReadOnlyList<(int Repetition, double Ratio)> Pairs)
{
    public const string Method = "paired: per repetition, the ratio of the two configurations' MLFFRs from adjacent searches (the order of configurations alternates between repetitions); 95 % confidence interval = mean ± t(0.975, n−1)·s/√n over those ratios (Student's t); none with fewer than 2 pairs";

    public double Mean => Pairs.Count == 0 ? double.NaN : Pairs.Average(p => p.Ratio);

    public double Median => Statistics.Median(Pairs.Select(p => p.Ratio));

    /// <summary>The 95 % interval, or null with fewer than two pairs.</summary>
    public (double Low, double High)? Interval => Statistics.TInterval95(Pairs.Select(p => p.Ratio).ToArray());

    public RatioVerdict Verdict => Interval switch
    {
        { } i when i.Low >= Target.Target => RatioVerdict.Met,
        { } i when i.High < Target.Target => RatioVerdict.NotMet,
        _ => RatioVerdict.CannotDecide,
    };

    /// <summary>The verdict as summaries say it.</summary>
    public string VerdictText => Verdict switch
    {
        RatioVerdict.Met => "met with confidence",
        RatioVerdict.NotMet => "not met",
        _ => Pairs.Count < 2 ? "cannot decide (fewer than 2 pairs)" : "cannot decide (the interval straddles the target)",
    };

    /// <summary>The ratio at <paramref name="size"/> from every repetition in which both configurations were measured; null when no repetition measured both.</summary>
    public static PairedRatio? Of(NodeRuntimeResults results, RatioTarget target, int size)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(target);
        var pairs = results.Searches
            .Where(s => s.Configuration == target.Denominator && s.Size == size && s.Result.Mlffr > 0)
            .Join(
                results.Searches.Where(s => s.Configuration == target.Numerator && s.Size == size),
                d => d.Repetition,
                n => n.Repetition,
                (d, n) => (n.Repetition, Ratio: n.Result.Mlffr / d.Result.Mlffr))
            .OrderBy(p => p.Repetition)
            .ToArray();
        var measured = results.Searches.Any(s => s.Configuration == target.Numerator && s.Size == size)
            && results.Searches.Any(s => s.Configuration == target.Denominator && s.Size == size);
        return measured ? new PairedRatio(target, size, pairs) : null;
    }

    /// <summary>For results.json and summary.json.</summary>
    public JsonObject ToJson() => new()
    {
        ["target"] = Target.Target,
        ["pairs"] = Pairs.Count,
        ["perPair"] = new JsonArray(Pairs.Select(p => (JsonNode?)Math.Round(p.Ratio, 4)).ToArray()),
        ["mean"] = Round(Mean),
        ["median"] = Round(Median),
        ["ci95Low"] = Interval is { } i ? Math.Round(i.Low, 4) : null,
        ["ci95High"] = Interval is { } j ? Math.Round(j.High, 4) : null,
        ["verdict"] = Verdict switch { RatioVerdict.Met => "met", RatioVerdict.NotMet => "not_met", _ => "cannot_decide" },
    };

    /// <summary>"0.912 [0.871–0.953]", or the mean alone without an interval.</summary>
    public string Describe() => Interval is { } i
        ? string.Create(CultureInfo.InvariantCulture, $"{Mean:0.000} [{i.Low:0.000}–{i.High:0.000}]")
        : Pairs.Count == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{Mean:0.000} (no interval: {Pairs.Count} pair)");

    private static JsonNode? Round(double value) => double.IsFinite(value) ? Math.Round(value, 4) : null;
}
