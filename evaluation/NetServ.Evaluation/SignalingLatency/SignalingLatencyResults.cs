using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetServ.Evaluation.Traffic;
using ScottPlot;

namespace NetServ.Evaluation.SignalingLatency;

/// <summary>Everything a signaling latency run measured, with the machine it ran on.</summary>
internal sealed class SignalingLatencyResults
{
    public required DateTimeOffset Started { get; init; }

    public DateTimeOffset Finished { get; set; }

    public required SignalingLatencyOptions Options { get; init; }

    public required IReadOnlyList<string> Arguments { get; init; }

    public required JsonObject Machine { get; init; }

    public required string LoadAverageAtStart { get; init; }

    public string? LoadAverageAtEnd { get; set; }

    public bool Completed { get; set; }

    public string? StopReason { get; set; }

    public List<string> ForeignNamespacesSeen { get; } = [];

    /// <summary>The namespaces this run created (and removed).</summary>
    public List<string> Namespaces { get; } = [];

    public List<LatencySample> Samples { get; } = [];

    /// <summary>The admin requests of the warm rounds, and every request of the flood phase's calm and flood parts.</summary>
    public List<RequestSample> LoadSamples { get; } = [];

    /// <summary>What the flood offered and what reached the user; null without a flood phase (or before its end).</summary>
    public FloodTraffic? Flood { get; set; }

    /// <summary>Requests of the flood phase that failed, calm part included.</summary>
    public int FloodFailures => LoadSamples.Count(s => s.Error is not null);

    /// <summary>
    /// PROBE toward the user and each node's admin status, per phase: the warm rounds (no traffic, one
    /// request at a time), the calm part (the flood phase's loops, no traffic) and the flood. Times are
    /// of the requests that succeeded.
    /// </summary>
    public IReadOnlyList<RequestSummary> RequestSummaries()
    {
        var summaries = new List<RequestSummary>();
        foreach (var phase in FloodPhase.Phases)
        {
            foreach (var request in FloodPhase.Requests)
            {
                var samples = SamplesOf(phase, request);
                var times = samples.Where(s => s.Error is null).Select(s => s.Milliseconds).ToArray();
                if (samples.Length > 0)
                {
                    summaries.Add(new RequestSummary(
                        phase,
                        request,
                        samples.Length,
                        samples.Length - times.Length,
                        Statistics.Median(times),
                        Statistics.Percentile(times, 99),
                        times.DefaultIfEmpty(double.NaN).Max()));
                }
            }
        }

        return summaries;
    }

    /// <summary>The samples of one request in one phase; the rounds' PROBEs are those toward the user of the warm rounds.</summary>
    public RequestSample[] SamplesOf(string phase, string request) =>
        phase == FloodPhase.Rounds && request == FloodPhase.Probe
            ? Samples.Where(s => s.Operation == "probe" && s.Round > 0).Select(s => new RequestSample(phase, request, 0, s.Milliseconds, null)).ToArray()
            : LoadSamples.Where(s => s.Phase == phase && s.Request == request).ToArray();

    /// <summary>Statistics of one operation over the warm rounds (every round but the first).</summary>
    public LatencySummary? Summary(string operation)
    {
        var warm = Samples.Where(s => s.Operation == operation && s.Round > 0).Select(s => s.Milliseconds).ToArray();
        if (warm.Length == 0)
        {
            return null;
        }

        var cold = Samples.FirstOrDefault(s => s.Operation == operation && s.Round == 0)?.Milliseconds;
        return new LatencySummary(
            operation,
            warm.Length,
            Statistics.Percentile(warm, 0),
            Statistics.Percentile(warm, 10),
            Statistics.Median(warm),
            Statistics.Percentile(warm, 90),
            Statistics.Percentile(warm, 100),
            warm.Average(),
            cold);
    }
}

/// <summary>One request in one phase: how many were sent, how many failed, and milliseconds of those that succeeded (NaN when none did).</summary>
internal sealed record RequestSummary(string Phase, string Request, int Count, int Failures, double Median, double P99, double Max);

/// <summary>Milliseconds over the warm rounds, and the first (cold) round apart.</summary>
internal sealed record LatencySummary(string Operation, int Count, double Min, double P10, double Median, double P90, double Max, double Mean, double? Cold);

/// <summary>Writes a signaling run's folder: results.json, latency.csv, summary.md and latency.png, and with a flood phase flood.csv and flood.png.</summary>
internal static class SignalingLatencyWriter
{
    /// <summary>What the run sends: signaling messages, and no data traffic from a generator.</summary>
    public static TrafficGeneratorUse TrafficGenerator { get; } = TrafficGeneratorUse.None("signaling messages only, no data traffic");

    private static readonly Dictionary<string, string> Titles = new(StringComparer.Ordinal)
    {
        ["setup"] = "SETUP until active on both nodes",
        ["setup-refresh"] = "SETUP refresh",
        ["probe"] = "PROBE round trip",
        ["remove"] = "REMOVE round trip",
        ["setup-b"] = "SETUP toward B until active on both",
        ["setup-refresh-b"] = "SETUP refresh toward B",
        ["probe-b"] = "PROBE toward B",
        ["remove-b"] = "REMOVE toward B",
    };

    public static void WriteAll(SignalingLatencyResults results, string folder)
    {
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "results.json"), Json(results).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(folder, "latency.csv"), Csv(results));
        File.WriteAllText(Path.Combine(folder, "summary.md"), Summary(results));
        if (results.Samples.Any(s => s.Round > 0))
        {
            Plot(results, Path.Combine(folder, "latency.png"));
        }

        if (results.Options.FloodSeconds > 0)
        {
            File.WriteAllText(Path.Combine(folder, "flood.csv"), FloodReport.Csv(results));
            FloodReport.Plot(results, Path.Combine(folder, "flood.png"));
        }
    }

    public static JsonObject Json(SignalingLatencyResults results) => new()
    {
        ["benchmark"] = "signaling-latency",
        ["started"] = results.Started.ToString("O", CultureInfo.InvariantCulture),
        ["finished"] = results.Finished.ToString("O", CultureInfo.InvariantCulture),
        ["completed"] = results.Completed,
        ["stopReason"] = results.StopReason,
        ["trafficGenerator"] = TrafficGenerator.ToJson(),
        ["arguments"] = new JsonArray(results.Arguments.Select(a => (JsonNode?)a).ToArray()),
        ["machine"] = results.Machine.DeepClone(),
        ["loadAverageAtStart"] = results.LoadAverageAtStart,
        ["loadAverageAtEnd"] = results.LoadAverageAtEnd,
        ["foreignNamespaces"] = new JsonArray(results.ForeignNamespacesSeen.Select(n => (JsonNode?)n).ToArray()),
        ["namespaces"] = new JsonArray(results.Namespaces.Select(n => (JsonNode?)n).ToArray()),
        ["path"] = "provider 198.18.1.1 - NetServ node A - plain router - NetServ node B - user 198.18.4.2 (veth, network namespaces)",
        ["module"] = SignalingLatencyBenchmark.Module,
        ["repetitions"] = results.Options.Repetitions,
        ["summary"] = new JsonArray(SignalingLatencyBenchmark.Operations.Select(results.Summary).OfType<LatencySummary>().Select(s => (JsonNode?)new JsonObject
        {
            ["operation"] = s.Operation,
            ["warmRounds"] = s.Count,
            ["minMs"] = Round(s.Min),
            ["p10Ms"] = Round(s.P10),
            ["medianMs"] = Round(s.Median),
            ["p90Ms"] = Round(s.P90),
            ["maxMs"] = Round(s.Max),
            ["meanMs"] = Round(s.Mean),
            ["coldMs"] = s.Cold is { } cold ? Round(cold) : null,
        }).ToArray()),
        ["samples"] = new JsonArray(results.Samples.Select(s => (JsonNode?)new JsonObject
        {
            ["round"] = s.Round,
            ["operation"] = s.Operation,
            ["ms"] = Round(s.Milliseconds),
            ["nodeStatuses"] = new JsonArray(s.NodeStatuses.Select(x => (JsonNode?)x).ToArray()),
        }).ToArray()),
        ["flood"] = FloodReport.Json(results),
    };

    public static string Csv(SignalingLatencyResults results)
    {
        var csv = new StringBuilder("round,operation,ms,node_statuses\n");
        foreach (var s in results.Samples)
        {
            csv.AppendLine(CultureInfo.InvariantCulture, $"{s.Round},{s.Operation},{s.Milliseconds:0.000},{string.Join(' ', s.NodeStatuses)}");
        }

        return csv.ToString();
    }

    public static string Summary(SignalingLatencyResults results)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Signaling latency, {results.Started:yyyy-MM-dd HH:mm}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"`netserv-eval {string.Join(' ', results.Arguments)}` — {(results.Completed ? "complete" : "incomplete: " + results.StopReason)}, {(results.Finished - results.Started).TotalSeconds:0} s.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {results.Machine["cpuModel"]}, {results.Machine["cores"]} CPUs{(results.Machine["virtualized"]?.GetValue<bool>() == true ? " (virtual)" : string.Empty)}, kernel {results.Machine["kernel"]}, {results.Machine["dotnetRuntime"]}. Load average at start {results.LoadAverageAtStart}, at end {results.LoadAverageAtEnd}.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Traffic generator: {TrafficGenerator.Describe()}.");
        if (results.ForeignNamespacesSeen.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Other runs were active on the machine (namespaces {string.Join(", ", results.ForeignNamespacesSeen)}): they share the CPUs and add noise.");
        }

        md.AppendLine();
        md.AppendLine("Path: provider 198.18.1.1 — NetServ node A — a plain router — NetServ node B — end user 198.18.4.2, veth between network namespaces. Every request goes toward the end user in a new GIST session: a Q-mode Query with Router Alert intercepted by A, Response and Confirm, the same again from A to B, the request hop by hop and the response stack back. A SETUP's answer leaves a node only once its container runs the module, so the SETUP round trip is the time from sending the SETUP until NetMonitor is active on both nodes. Signatures are Ed25519; the module package is served by the provider over HTTP and cached by digest on each node after the first round.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"## Milliseconds over {Math.Max(0, results.Options.Repetitions - 1)} warm rounds (the first, cold round apart)");
        md.AppendLine();
        md.AppendLine("| operation | median | p10 | p90 | min | max | mean | first round (cold) |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var s in SignalingLatencyBenchmark.Operations.Select(results.Summary).OfType<LatencySummary>())
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {Titles[s.Operation]} | {s.Median:0.0} | {s.P10:0.0} | {s.P90:0.0} | {s.Min:0.0} | {s.Max:0.0} | {s.Mean:0.0} | {(s.Cold is { } c ? c.ToString("0.0", CultureInfo.InvariantCulture) : "–")} |");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"The first four rows go toward the end user: node B, the last NetServ node, reaches the user without a router (its route to the user has no gateway), so it knows no NetServ node follows and answers at once; a node whose route goes through a router sends its Query on and, when nobody answers, waits out the Query timeout and retries (on these nodes {EndOfPathWait()}). The rows \"toward B\" send the same requests toward node B's own address: the path ends at a NetServ node, and they show the cost of GIST discovery at two hops, signature checks, the download-free install in both containers and the response stack.");
        md.AppendLine();
        md.AppendLine("The paper gives no signaling latency figure to compare with (its section 9 measures the data path).");
        md.AppendLine();
        FloodReport.Summary(results, md);
        md.AppendLine(CultureInfo.InvariantCulture, $"Files: results.json (every sample, machine), latency.csv, latency.png{(results.Options.FloodSeconds > 0 ? ", flood.csv, flood.png" : string.Empty)}.");
        return md.ToString();
    }

    private static void Plot(SignalingLatencyResults results, string path)
    {
        var plot = new Plot();
        var ticks = new List<(double Position, string Label)>();
        var boxes = new List<Box>();
        var index = 0;
        foreach (var s in SignalingLatencyBenchmark.Operations.Select(results.Summary).OfType<LatencySummary>())
        {
            boxes.Add(new Box
            {
                Position = index,
                BoxMin = s.P10,
                BoxMax = s.P90,
                BoxMiddle = s.Median,
                WhiskerMin = s.Min,
                WhiskerMax = s.Max,
            });
            ticks.Add((index, Titles[s.Operation]));
            if (s.Cold is { } cold)
            {
                var marker = plot.Add.Marker(index, cold, MarkerShape.OpenCircle, 9, Colors.OrangeRed);
                if (index == 0)
                {
                    marker.LegendText = "first round (cold)";
                }
            }

            index++;
        }

        var box = plot.Add.Boxes(boxes);
        box.LegendText = "warm rounds: median, box p10–p90, whiskers min–max";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.Select(t => t.Position).ToArray(), ticks.Select(t => t.Label).ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.Title($"Signaling latency through two NetServ nodes ({results.Options.Repetitions} rounds)");
        plot.YLabel("milliseconds");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 900, 520);
    }

    private static double Round(double value) => Math.Round(value, 3);

    /// <summary>How long a node waits for a Query that nobody answers: the timeout, doubled at each retry up to the maximum.</summary>
    private static string EndOfPathWait()
    {
        var signaling = new Testbed.Nodes.NetServNodeOptions().Node.Signaling;
        var waits = Enumerable.Range(0, signaling.QueryRetries + 1).Select(i => Math.Min((long)signaling.QueryTimeoutMs << i, signaling.QueryMaxTimeoutMs)).ToArray();
        return $"{string.Join(" + ", waits)} ms = {waits.Sum() / 1000.0:0.0#} s";
    }
}
