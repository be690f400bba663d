using System.Text.Json;
using System.Text.Json.Nodes;
using NetServ.Evaluation.Containers;
using NetServ.Evaluation.Hosting;
using NetServ.Evaluation.Latency;
using NetServ.Evaluation.NodeRuntime;

namespace NetServ.Evaluation.Reporting;

/// <summary>
/// summary.json: the figures of a run under names tools and readers rely on, whichever benchmarks
/// the run held. <c>machine</c> (cpu_model, cores, kernel), <c>mlffr_kpps</c> per frame size and
/// configuration (<c>"1"</c>…<c>"6"</c>, <c>"c_loop"</c>), <c>latency_us</c> per layer (median, p99),
/// <c>containers</c> (count, peak_kpps, saturation_kpps, memory_mb_per_container), and the ratios the
/// performance targets name, and <c>trafficGenerator</c>: the generator each benchmark that ran sent
/// with (the same object as in its results.json). A figure the run did not measure is <c>null</c>; a
/// benchmark it did not run leaves its section <c>null</c>.
/// </summary>
internal static class EvaluationSummary
{
    public const string FileName = "summary.json";

    /// <summary>The configuration keys of <c>mlffr_kpps</c> and <c>latency_us</c>, in order.</summary>
    public static IReadOnlyList<string> Keys { get; } = ["1", "2", "3", "4", "5", "6", "c_loop"];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The key summary.json uses for the router configuration <paramref name="configuration"/> ("C" is the C loop).</summary>
    public static string KeyOf(string configuration) => configuration == "C" ? "c_loop" : configuration;

    /// <summary>The router configuration of the summary key <paramref name="key"/>.</summary>
    public static string ConfigurationOf(string key) => key == "c_loop" ? "C" : key;

    public static JsonObject Build(JsonObject machine, NodeRuntimeResults? nodeRuntime, LayerLatencyResults? latency, ContainersResults? containers)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var mlffr = nodeRuntime is null ? null : Mlffr(nodeRuntime);
        var layers = latency is null ? null : Latency(latency);
        return new JsonObject
        {
            ["machine"] = new JsonObject
            {
                ["cpu_model"] = machine["cpuModel"]?.DeepClone(),
                ["cores"] = machine["cores"]?.DeepClone(),
                ["kernel"] = machine["kernel"]?.DeepClone(),
                ["virtualized"] = machine["virtualized"]?.DeepClone(),
                ["memory_gib"] = machine["memoryGiB"]?.DeepClone(),
                ["dotnet"] = machine["dotnetRuntime"]?.DeepClone(),
            },
            ["mlffr_kpps"] = mlffr,
            ["latency_us"] = layers,
            ["containers"] = containers is null ? null : Containers(containers),
            ["ratios"] = Ratios(mlffr, layers),
            ["ratio_intervals"] = nodeRuntime is null ? null : RatioIntervals(nodeRuntime),
            ["trafficGenerator"] = TrafficGenerators(("node-runtime", nodeRuntime), ("latency", latency), ("containers", containers)),
            ["paper"] = new JsonObject
            {
                ["source"] = PaperReference.Source,
                ["mlffr_kpps"] = PaperReference.Json["mlffr_kpps"]?.DeepClone(),
                ["module_path_added_us"] = PaperReference.KeepAliveExtraDelayMicroseconds,
                ["memory_mb_per_container"] = PaperReference.MemoryPerContainerMb,
            },
        };
    }

    /// <summary>The generator each benchmark that ran sent with, by benchmark (the <c>trafficGenerator</c> of its results.json).</summary>
    private static JsonObject TrafficGenerators(params (string Benchmark, RunRecord? Results)[] benchmarks) =>
        new(benchmarks.Where(b => b.Results is not null).Select(b => KeyValuePair.Create(b.Benchmark, (JsonNode?)b.Results!.TrafficGenerator.ToJson())));

    public static void Write(string folder, JsonObject summary) =>
        File.WriteAllText(Path.Combine(folder, FileName), summary.ToJsonString(Indented) + "\n");

    private static JsonObject Mlffr(NodeRuntimeResults results)
    {
        var bySize = new JsonObject();
        foreach (var size in results.Options.Sizes)
        {
            var row = new JsonObject();
            foreach (var key in Keys)
            {
                row[key] = results.Mlffr(ConfigurationOf(key), size) is { } m ? Math.Round(m.Median, 1) : null;
            }

            bySize[size.ToString(System.Globalization.CultureInfo.InvariantCulture)] = row;
        }

        return bySize;
    }

    private static JsonObject Latency(LayerLatencyResults results)
    {
        var layers = new JsonObject();
        foreach (var key in Keys)
        {
            layers[key] = results.Layer(ConfigurationOf(key)) is { Statistics.Received: > 0 } layer
                ? new JsonObject
                {
                    ["median"] = Math.Round(layer.Statistics.MedianUs, 1),
                    ["p99"] = Math.Round(layer.Statistics.P99Us, 1),
                    ["title"] = layer.Title,
                }
                : null;
        }

        return layers;
    }

    private static JsonArray Containers(ContainersResults results) =>
        new(results.Counts.Select(c => (JsonNode?)new JsonObject
        {
            ["count"] = c.Containers,
            ["peak_kpps"] = c.PeakKpps is { } p ? Math.Round(p.Median, 1) : null,
            ["saturation_kpps"] = c.SaturationKpps is { } s ? Math.Round(s.Median, 1) : null,
            ["memory_mb_per_container"] = c.Memory is { Succeeded: true } m ? Math.Round(m.MeanMb, 2) : null,
            ["complete"] = c.Complete,
        }).ToArray());

    /// <summary>
    /// Each target ratio per size from paired searches, with its 95 % interval and verdict:
    /// <c>{"method": …, "4_over_c_loop": {"64": {"target", "pairs", "perPair", "mean", "median", "ci95Low", "ci95High", "verdict"}, …}, …}</c>.
    /// </summary>
    private static JsonObject RatioIntervals(NodeRuntimeResults results)
    {
        var intervals = new JsonObject { ["method"] = PairedRatio.Method };
        foreach (var target in RatioTarget.All)
        {
            var bySize = new JsonObject();
            foreach (var size in results.Options.Sizes)
            {
                bySize[size.ToString(System.Globalization.CultureInfo.InvariantCulture)] = PairedRatio.Of(results, target, size)?.ToJson();
            }

            intervals[target.Name] = bySize;
        }

        return intervals;
    }

    /// <summary>The ratios of the performance targets, each from figures of this run: (4)/C loop, (5)/(4), (6)/(5) per size, and the latency the module path adds, (6) over (2).</summary>
    private static JsonObject Ratios(JsonObject? mlffr, JsonObject? latency)
    {
        var ratios = new JsonObject();
        foreach (var (name, numerator, denominator) in new[] { ("4_over_c_loop", "4", "c_loop"), ("5_over_4", "5", "4"), ("6_over_5", "6", "5") })
        {
            var bySize = new JsonObject();
            foreach (var (size, row) in mlffr ?? [])
            {
                var n = (double?)row?[numerator];
                var d = (double?)row?[denominator];
                bySize[size] = n is { } a && d is { } b && b > 0 ? Math.Round(a / b, 3) : null;
            }

            ratios[name] = bySize;
        }

        var module = (double?)latency?["6"]?["median"];
        var netfilter = (double?)latency?["2"]?["median"];
        ratios["module_path_added_us"] = module is { } m && netfilter is { } f ? Math.Round(m - f, 1) : null;
        return ratios;
    }
}
