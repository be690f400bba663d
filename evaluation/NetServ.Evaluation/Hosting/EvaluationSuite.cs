using NetServ.Orchestrator.Commands;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using NetServ.Evaluation.Containers;
using NetServ.Evaluation.Latency;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Evaluation.Reporting;
using NetServ.Evaluation.Traffic;
using Spectre.Console;

namespace NetServ.Evaluation.Hosting;

/// <summary>What the whole evaluation runs: the three benchmarks' options, and which of them.</summary>
internal sealed record EvaluationSuiteOptions
{
    public NodeRuntimeOptions NodeRuntime { get; init; } = new();

    public LayerLatencyOptions Latency { get; init; } = new();

    public ContainersOptions Containers { get; init; } = new();

    /// <summary>The benchmarks to run, in order: node-runtime, latency, containers.</summary>
    public IReadOnlyList<string> Benchmarks { get; init; } = AllBenchmarks;

    public string? Output { get; init; }

    public static IReadOnlyList<string> AllBenchmarks { get; } = ["node-runtime", "latency", "containers"];

    /// <summary>The full evaluation: every configuration at 64 and 340 bytes, latency per layer, 1 to 100 containers.</summary>
    public static EvaluationSuiteOptions Full()
    {
        var measurement = new NodeRuntimeOptions { QuietWaitSeconds = 60 };
        return new EvaluationSuiteOptions
        {
            NodeRuntime = measurement,
            Latency = new LayerLatencyOptions { Configurations = ["1", "2", "C", "4", "5", "6"], QuietWaitSeconds = 60 },

            // With a hundred readers beside the generator on one CPU a reader can wait over a second for it:
            // the node's default hang timeout would take busy modules out (see evaluation/README.md).
            Containers = new ContainersOptions { Counts = [1, 10, 50, 100], Measurement = measurement with { Repetitions = 2 }, HangTimeoutMs = 5000 },
        };
    }

    /// <summary>A short evaluation of a few minutes: every benchmark in its quick form.</summary>
    public static EvaluationSuiteOptions Quick() => new()
    {
        NodeRuntime = new NodeRuntimeOptions().Quick() with { Sizes = [64, 340], VariantContainers = 0, ContainerCounts = [1, 3] },
        Latency = new LayerLatencyOptions { Configurations = ["1", "2", "C", "4", "5", "6"] }.Quick(),
        Containers = new ContainersOptions().Quick(),
    };

    public void Validate()
    {
        if (Benchmarks.Count == 0 || Benchmarks.Any(b => !AllBenchmarks.Contains(b)))
        {
            throw new ArgumentException($"benchmarks are {string.Join(", ", AllBenchmarks)}");
        }

        // Only what runs: --generator click is an error for latency, not for a run that leaves latency out.
        foreach (var benchmark in Benchmarks)
        {
            Action validate = benchmark switch
            {
                "node-runtime" => NodeRuntime.Validate,
                "latency" => Latency.Validate,
                _ => Containers.Validate,
            };
            validate();
        }
    }
}

/// <summary>
/// The paper's whole evaluation in one run: node-runtime (Figures 12(a), 12(b) and memory),
/// latency per layer (Figure 13) and many containers (Figure 14), each in its own folder inside one
/// results folder, then the run's summary.json, summary.md and the four figures beside them. A
/// benchmark that fails is recorded and the next one still runs.
/// </summary>
internal sealed class EvaluationSuite(EvaluationSuiteOptions options, IAnsiConsole console)
{
    /// <summary>The figures copied to the run's folder: source folder prefix, file, and the name it gets.</summary>
    private static readonly (string Benchmark, string File, string Figure, string Title)[] Figures =
    [
        ("node-runtime", "mlffr-64B.png", "figure-12a-mlffr-64B.png", "Figure 12(a): MLFFR, 64-byte frames"),
        ("node-runtime", "mlffr-340B.png", "figure-12b-mlffr-340B.png", "Figure 12(b): MLFFR, 340-byte frames"),
        ("node-runtime", "ratios.png", "ratios-confidence.png", "Target ratios from paired searches, 95 % confidence intervals"),
        ("latency", "latency.png", "figure-13-latency.png", "Figure 13: latency per layer"),
        ("containers", "containers-throughput.png", "figure-14-containers-throughput.png", "Figure 14: throughput against the number of containers"),
        ("containers", "containers-memory.png", "figure-14-containers-memory.png", "Figure 14: memory per container"),
    ];

    public async Task<(string Folder, bool Completed)> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        options.Validate();
        var started = DateTimeOffset.Now;
        var folder = RunRecord.CreateFolder(options.Output, started, "evaluation");
        Directory.Delete(Path.Combine(folder, "raw"));
        console.Heading("[bold]NetServ evaluation (paper section 9)[/]");
        console.MarkupLine($"results: [blue]{Markup.Escape(folder)}[/]; benchmarks: {Markup.Escape(string.Join(", ", options.Benchmarks))}");

        NodeRuntimeResults? nodeRuntime = null;
        LayerLatencyResults? latency = null;
        ContainersResults? containers = null;
        var parts = new List<(string Benchmark, string? Folder, bool Completed, string? Error)>();
        for (var i = 0; i < options.Benchmarks.Count; i++)
        {
            var benchmark = options.Benchmarks[i];
            console.Heading($"[bold]{i + 1}/{options.Benchmarks.Count}: {benchmark}[/]");
            try
            {
                switch (benchmark)
                {
                    case "node-runtime":
                        var (f1, r1) = await new NodeRuntimeBenchmark(options.NodeRuntime with { Output = folder }, console).RunAsync(arguments, cancellationToken).ConfigureAwait(false);
                        nodeRuntime = r1;
                        parts.Add((benchmark, f1, r1.Completed, r1.StopReason));
                        break;
                    case "latency":
                        var (f2, r2) = await new LayerLatencyBenchmark(options.Latency with { Output = folder }, console).RunAsync(arguments, cancellationToken).ConfigureAwait(false);
                        latency = r2;
                        parts.Add((benchmark, f2, r2.Completed && r2.Errors.Count == 0, r2.StopReason ?? (r2.Errors.Count > 0 ? r2.Errors[0].Split('\n')[0] : null)));
                        break;
                    default:
                        var (f3, r3) = await new ContainersBenchmark(options.Containers with { Measurement = options.Containers.Measurement with { Output = folder } }, console).RunAsync(arguments, cancellationToken).ConfigureAwait(false);
                        containers = r3;
                        parts.Add((benchmark, f3, r3.Completed, r3.StopReason));
                        break;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The benchmark wrote what it had into its own folder; the evaluation goes on with the next one.
                console.MarkupLine($"[red]{Markup.Escape(benchmark)} failed:[/] {Markup.Escape(e.Message)}");
                parts.Add((benchmark, null, false, e.Message));
            }
            finally
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    Finish(folder, started, arguments, parts, nodeRuntime, latency, containers);
                }
            }
        }

        Finish(folder, started, arguments, parts, nodeRuntime, latency, containers);
        return (folder, parts.All(p => p.Completed));
    }

    private void Finish(
        string folder,
        DateTimeOffset started,
        string[] arguments,
        List<(string Benchmark, string? Folder, bool Completed, string? Error)> parts,
        NodeRuntimeResults? nodeRuntime,
        LayerLatencyResults? latency,
        ContainersResults? containers)
    {
        var machine = (RunRecord?)nodeRuntime ?? (RunRecord?)latency ?? containers;
        var summary = EvaluationSummary.Build(machine?.Machine ?? MachineInfo.Describe(), nodeRuntime, latency, containers);
        summary["runs"] = new JsonArray(parts.Select(p => (JsonNode?)new JsonObject
        {
            ["benchmark"] = p.Benchmark,
            ["folder"] = p.Folder is null ? null : Path.GetFileName(p.Folder),
            ["completed"] = p.Completed,
            ["error"] = p.Error,
        }).ToArray());
        EvaluationSummary.Write(folder, summary);

        var figures = new List<(string File, string Title)>();
        foreach (var (benchmark, file, figure, title) in Figures)
        {
            var source = parts.FirstOrDefault(p => p.Benchmark == benchmark).Folder is { } sub ? Path.Combine(sub, file) : null;
            if (source is not null && File.Exists(source))
            {
                File.Copy(source, Path.Combine(folder, figure), overwrite: true);
                figures.Add((figure, title));
            }
        }

        File.WriteAllText(Path.Combine(folder, "summary.md"), SummaryMarkdown(summary, started, arguments, parts, figures));
        console.MarkupLine($"wrote [blue]{Markup.Escape(folder)}[/]: summary.json, summary.md, {figures.Count} figure(s)");
    }

    /// <summary>The run's readable summary: what ran, the MLFFR table beside the paper's, the ratios, latency per layer, containers, and the figures.</summary>
    internal static string SummaryMarkdown(
        JsonObject summary,
        DateTimeOffset started,
        IReadOnlyList<string> arguments,
        IReadOnlyList<(string Benchmark, string? Folder, bool Completed, string? Error)> parts,
        IReadOnlyList<(string File, string Title)> figures)
    {
        var md = new StringBuilder();
        var machine = summary["machine"];
        md.AppendLine(CultureInfo.InvariantCulture, $"# NetServ evaluation, {started:yyyy-MM-dd HH:mm}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"`netserv-eval {string.Join(' ', arguments)}` on {machine?["cpu_model"]}, {machine?["cores"]} CPUs, kernel {machine?["kernel"]}, {machine?["dotnet"]}.");
        md.AppendLine();
        foreach (var (benchmark, folder, completed, error) in parts)
        {
            var link = folder is null ? benchmark : $"[{benchmark}]({Path.GetFileName(folder)}/summary.md)";
            var generator = TrafficGeneratorUse.FromJson(summary["trafficGenerator"]?[benchmark]) is { } use ? $"; traffic generator: {use.Describe()}" : string.Empty;
            md.AppendLine(CultureInfo.InvariantCulture, $"- {link}: {(completed ? "complete" : $"**not complete**: {error}")}{generator}");
        }

        if (summary["mlffr_kpps"] is JsonObject mlffr)
        {
            md.AppendLine();
            md.AppendLine("## MLFFR (kpps), this machine against the paper");
            md.AppendLine();
            md.AppendLine("| size | " + string.Join(" | ", EvaluationSummary.Keys.Select(k => $"({k})")) + " |");
            md.AppendLine("|---|" + string.Concat(EvaluationSummary.Keys.Select(_ => "---|")));
            foreach (var (size, row) in mlffr)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {size} B | {string.Join(" | ", EvaluationSummary.Keys.Select(k => Value(row?[k])))} |");
                var paper = summary["paper"]?["mlffr_kpps"]?[size];
                md.AppendLine(CultureInfo.InvariantCulture, $"| {size} B, paper | {string.Join(" | ", EvaluationSummary.Keys.Select(k => Value(paper?[k])))} |");
            }
        }

        if (summary["ratios"] is JsonObject ratios)
        {
            md.AppendLine();
            md.AppendLine("## Performance targets (ratios measured in this run)");
            md.AppendLine();
            foreach (var (name, target, paper) in new[] { ("4_over_c_loop", 0.9, "about 0.5"), ("5_over_4", 0.95, "1.00 at 64 B, 0.95 at 340 B"), ("6_over_5", 0.8, "0.64 at 340 B") })
            {
                foreach (var (size, value) in ratios[name]?.AsObject() ?? [])
                {
                    var v = (double?)value;
                    md.AppendLine(CultureInfo.InvariantCulture, $"- ({name.Replace("_over_", ")/(", StringComparison.Ordinal)}) at {size} B: {(v is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) : "not measured")} (target ≥ {target:0.00}, paper {paper}){(v is { } y ? (y >= target ? " — met" : " — **not met**") : string.Empty)}");
                }
            }

            if (summary["ratio_intervals"] is JsonObject intervals)
            {
                md.AppendLine();
                md.AppendLine("Paired (each ratio from adjacent searches of one repetition), mean [95 % confidence interval] and verdict:");
                md.AppendLine();
                foreach (var (name, bySize) in intervals.Where(p => p.Value is JsonObject))
                {
                    foreach (var (size, paired) in bySize!.AsObject().Where(p => p.Value is not null))
                    {
                        var low = (double?)paired!["ci95Low"];
                        var high = (double?)paired["ci95High"];
                        var verdict = (string?)paired["verdict"] switch
                        {
                            "met" => "met with confidence",
                            "not_met" => "**not met**",
                            _ => low is null ? "cannot decide (fewer than 2 pairs)" : "cannot decide (the interval straddles the target)",
                        };
                        md.AppendLine(CultureInfo.InvariantCulture, $"- ({name.Replace("_over_", ")/(", StringComparison.Ordinal)}) at {size} B: {Value3(paired["mean"])}{(low is { } l && high is { } h ? string.Create(CultureInfo.InvariantCulture, $" [{l:0.000}–{h:0.000}]") : string.Empty)} from {paired["pairs"]} pair(s), target ≥ {Value3(paired["target"])}: {verdict}");
                    }
                }

                md.AppendLine();
                md.AppendLine(CultureInfo.InvariantCulture, $"Method: {intervals["method"]}.");
                md.AppendLine();
            }

            var added = (double?)ratios["module_path_added_us"];
            md.AppendLine(CultureInfo.InvariantCulture, $"- latency added by the module path, (6) over (2): {(added is { } a ? $"{a:0.0} µs" : "not measured")} (paper: {summary["paper"]?["module_path_added_us"]} µs)");
        }

        if (summary["latency_us"] is JsonObject latency)
        {
            md.AppendLine();
            md.AppendLine("## One-way latency per layer (µs)");
            md.AppendLine();
            md.AppendLine("| layer | median | p99 |");
            md.AppendLine("|---|---|---|");
            foreach (var (key, layer) in latency)
            {
                if (layer is not null)
                {
                    md.AppendLine(CultureInfo.InvariantCulture, $"| ({key}) {layer["title"]} | {Value(layer["median"])} | {Value(layer["p99"])} |");
                }
            }
        }

        if (summary["containers"] is JsonArray containers)
        {
            md.AppendLine();
            md.AppendLine("## Many containers");
            md.AppendLine();
            md.AppendLine("| containers | peak kpps | at saturation kpps | PSS per busy container MB |");
            md.AppendLine("|---|---|---|---|");
            foreach (var c in containers)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {c?["count"]} | {Value(c?["peak_kpps"])} | {Value(c?["saturation_kpps"])} | {Value(c?["memory_mb_per_container"])} |");
            }
        }

        if (figures.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Figures");
            foreach (var (file, title) in figures)
            {
                md.AppendLine();
                md.AppendLine(CultureInfo.InvariantCulture, $"![{title}]({file})");
            }
        }

        return md.ToString();
    }

    private static string Value3(JsonNode? node) => node is null ? "–" : ((double)node).ToString("0.000", CultureInfo.InvariantCulture);

    private static string Value(JsonNode? node) => node is null ? "–" : ((double)node).ToString("0.#", CultureInfo.InvariantCulture);
}
