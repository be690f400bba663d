using NetServ.Orchestrator.Commands;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetServ.Evaluation.Reporting;
using Spectre.Console;

namespace NetServ.Evaluation.Hosting;

/// <summary>
/// The whole evaluation run several times (<c>netserv-eval all --runs N</c>), each run in its own
/// folder inside one <c>&lt;yyyyMMdd-HHmmss&gt;-evaluation-runs</c> folder, then comparison.json and
/// comparison.md and comparison.png: every target ratio (the mean of its paired ratios) in each run, the median
/// across runs, and whether the runs agree within ±10 % of each other.
/// </summary>
internal sealed class RepeatedEvaluation(EvaluationSuiteOptions options, int runs, IAnsiConsole console)
{
    public async Task<(string Folder, bool Completed)> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 2);
        var started = DateTimeOffset.Now;
        var parent = RunRecord.CreateFolder(options.Output, started, "evaluation-runs");
        Directory.Delete(Path.Combine(parent, "raw"));
        var folders = new List<string>();
        var completed = true;
        try
        {
            for (var run = 1; run <= runs; run++)
            {
                console.Heading($"[bold]run {run}/{runs}[/]");
                var (folder, done) = await new EvaluationSuite(options with { Output = parent }, console).RunAsync(arguments, cancellationToken).ConfigureAwait(false);
                folders.Add(folder);
                completed &= done;
            }
        }
        finally
        {
            // Also after Ctrl-C: the runs that finished are compared.
            WriteComparison(parent, folders, started, arguments, console);
        }

        return (parent, completed);
    }

    /// <summary>
    /// Compares the runs in <paramref name="folders"/> that finished (those with a summary.json) and
    /// writes comparison.json, comparison.md and comparison.png into <paramref name="parent"/>.
    /// </summary>
    public static void WriteComparison(string parent, IReadOnlyList<string> folders, DateTimeOffset started, IReadOnlyList<string> arguments, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(folders);
        ArgumentNullException.ThrowIfNull(console);
        var summaries = folders
            .Where(f => File.Exists(Path.Combine(f, EvaluationSummary.FileName)))
            .Select(f => (Path.GetFileName(f), JsonNode.Parse(File.ReadAllText(Path.Combine(f, EvaluationSummary.FileName)))!.AsObject()))
            .ToArray();
        var comparison = Compare(summaries);
        File.WriteAllText(Path.Combine(parent, "comparison.json"), comparison.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Plots.RunComparison(comparison["ratios"]!.AsObject(), Path.Combine(parent, "comparison.png"));
        File.WriteAllText(Path.Combine(parent, "comparison.md"), Markdown(comparison, started, arguments));
        console.MarkupLine($"wrote [blue]{Markup.Escape(parent)}[/]: comparison.json, comparison.md, comparison.png");
    }

    /// <summary>How far apart the runs' figures may be, relative to the smallest, for the runs to agree: every one within ±10 % of every other.</summary>
    public const double Agreement = 0.10;

    /// <summary>
    /// For each target ratio and size: each run's figure (the mean of its paired ratios, or the ratio
    /// of medians when a run has no pairs), its interval and verdict, the median across runs, and
    /// <c>withinTenPercent</c>: every run's figure within ±10 % of every other ((max − min) ≤ 10 % of min).
    /// </summary>
    public static JsonObject Compare(IReadOnlyList<(string Folder, JsonObject Summary)> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var ratios = new JsonObject();
        foreach (var target in RatioTarget.All)
        {
            var bySize = new JsonObject();
            var sizes = summaries.SelectMany(s => s.Summary["ratios"]?[target.Name]?.AsObject().Select(p => p.Key) ?? []).Distinct();
            foreach (var size in sizes)
            {
                var perRun = new JsonArray();
                var values = new List<double>();
                var pooled = new List<double>();
                foreach (var (folder, summary) in summaries)
                {
                    var paired = summary["ratio_intervals"]?[target.Name]?[size];
                    var value = (double?)paired?["mean"] ?? (double?)summary["ratios"]?[target.Name]?[size];
                    if (value is { } v)
                    {
                        values.Add(v);
                    }

                    pooled.AddRange(paired?["perPair"]?.AsArray().Select(r => (double)r!) ?? []);

                    perRun.Add(new JsonObject
                    {
                        ["run"] = folder,
                        ["ratio"] = value,
                        ["ci95Low"] = paired?["ci95Low"]?.DeepClone(),
                        ["ci95High"] = paired?["ci95High"]?.DeepClone(),
                        ["verdict"] = paired?["verdict"]?.DeepClone(),
                    });
                }

                if (values.Count == 0)
                {
                    continue;
                }

                var median = Statistics.Median(values);
                bySize[size] = new JsonObject
                {
                    ["target"] = target.Target,
                    ["runs"] = perRun,
                    ["medianAcrossRuns"] = Math.Round(median, 4),
                    ["spread"] = Math.Round((values.Max() - values.Min()) / values.Min(), 4),
                    ["withinTenPercent"] = values.Count >= 2 && values.Max() - values.Min() <= Agreement * values.Min(),
                    ["pooled"] = pooled.Count == 0
                        ? null
                        : new PairedRatio(target, int.Parse(size, CultureInfo.InvariantCulture), pooled.Select((r, i) => (i + 1, r)).ToArray()).ToJson(),
                };
            }

            ratios[target.Name] = bySize;
        }

        return new JsonObject
        {
            ["runs"] = new JsonArray(summaries.Select(s => (JsonNode?)s.Folder).ToArray()),
            ["agreement"] = "every run's ratio within ±10 % of every other: (max − min) ≤ 10 % of min",
            ["pooledMethod"] = "every run's per-pair ratios taken together, one interval over all of them: mean ± t(0.975, n−1)·s/√n (the pairs of different runs are independent repetitions of the same measurement)",
            ["ratios"] = ratios,
        };
    }

    internal static string Markdown(JsonObject comparison, DateTimeOffset started, IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# NetServ evaluation, repeated ({started:yyyy-MM-dd HH:mm})");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"`netserv-eval {string.Join(' ', arguments)}`: {comparison["runs"]!.AsArray().Count} run(s), {string.Join(", ", comparison["runs"]!.AsArray().Select(r => $"[{r}]({r}/summary.md)"))}.");
        md.AppendLine();
        md.AppendLine("Each run's figure is the mean of its paired ratios with the 95 % confidence interval; the runs agree when every figure is within ±10 % of every other (spread = (max − min) / min ≤ 10 %). The last column takes every run's pairs together: one interval over all of them, and its verdict.");
        md.AppendLine();
        md.AppendLine("![each run's ratios, their median and the target](comparison.png)");
        md.AppendLine();
        md.AppendLine("| ratio | size | target | runs: mean [95 % CI] verdict | median across runs | spread | within ±10 % | all pairs pooled: mean [95 % CI] verdict |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var (name, bySize) in comparison["ratios"]!.AsObject())
        {
            foreach (var (size, row) in bySize!.AsObject())
            {
                var runs = string.Join("; ", row!["runs"]!.AsArray().Select(r => r!["ratio"] is null ? "–" :
                    string.Create(CultureInfo.InvariantCulture, $"{(double)r["ratio"]!:0.000}{(r["ci95Low"] is { } l && r["ci95High"] is { } h ? $" [{(double)l:0.000}–{(double)h:0.000}]" : string.Empty)}{(r["verdict"] is { } v ? $" {v}" : string.Empty)}")));
                md.AppendLine(CultureInfo.InvariantCulture, $"| ({name.Replace("_over_", ")/(", StringComparison.Ordinal)}) | {size} B | ≥ {(double)row["target"]!:0.00} | {runs} | {(double)row["medianAcrossRuns"]!:0.000} | {(double)row["spread"]!:0.0%} | {((bool)row["withinTenPercent"]! ? "yes" : "**no**")} | {Pooled(row["pooled"])} |");
            }
        }

        return md.ToString();
    }

    private static string Pooled(JsonNode? pooled) => pooled is null
        ? "–"
        : string.Create(
            CultureInfo.InvariantCulture,
            $"{(double)pooled["mean"]!:0.000}{(pooled["ci95Low"] is { } l && pooled["ci95High"] is { } h ? $" [{(double)l:0.000}–{(double)h:0.000}]" : string.Empty)} from {(int)pooled["pairs"]!} pairs: {(string?)pooled["verdict"] switch { "met" => "**met with confidence**", "not_met" => "**not met**", _ => "cannot decide" }}");
}
