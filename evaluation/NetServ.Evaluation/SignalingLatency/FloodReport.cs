using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ScottPlot;

namespace NetServ.Evaluation.SignalingLatency;

/// <summary>The flood phase's part of a signaling run's folder: in results.json and summary.md, flood.csv and flood.png.</summary>
internal static class FloodReport
{
    private static readonly Dictionary<string, string> Requests = new(StringComparer.Ordinal)
    {
        [FloodPhase.Probe] = "PROBE toward the user",
        [FloodPhase.AdminA] = "admin status of A",
        [FloodPhase.AdminB] = "admin status of B",
    };

    private static readonly Dictionary<string, (string Title, Color Color)> Phases = new(StringComparer.Ordinal)
    {
        [FloodPhase.Rounds] = ("rounds (one request at a time)", Color.FromHex("#bbbbbb")),
        [FloodPhase.Calm] = ("same loops, no traffic", Color.FromHex("#2ca02c")),
        [FloodPhase.Flood] = ("during the flood", Color.FromHex("#d62728")),
    };

    public static JsonObject? Json(SignalingLatencyResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Options.FloodSeconds <= 0)
        {
            return null;
        }

        var traffic = results.Flood;
        return new JsonObject
        {
            ["requestedKpps"] = results.Options.FloodRate / 1000,
            ["seconds"] = results.Options.FloodSeconds,
            ["calmSeconds"] = results.Options.CalmSeconds,
            ["adminPauseMs"] = results.Options.AdminPause.TotalMilliseconds,
            ["nodeIngressRps"] = results.Options.NodeIngressRps.ToString("x", CultureInfo.InvariantCulture),
            ["traffic"] = traffic is null ? null : new JsonObject
            {
                ["wireBytes"] = traffic.WireBytes,
                ["requested"] = traffic.Requested,
                ["offered"] = traffic.Offered,
                ["refusedAtProvider"] = traffic.Refused,
                ["offeredKpps"] = Round(traffic.OfferedRate / 1000),
                ["elapsedSeconds"] = Round(traffic.ElapsedSeconds),
                ["received"] = traffic.Received,
                ["receivedKpps"] = Round(traffic.ReceivedRate / 1000),
                ["modulePacketsA"] = traffic.ModulePacketsA,
                ["modulePacketsB"] = traffic.ModulePacketsB,
                ["backlogDrops"] = traffic.BacklogDrops,
                ["generatorLimited"] = traffic.GeneratorLimited,
                ["stoppedByDeadline"] = traffic.StoppedByDeadline,
                ["maxLagMs"] = Round(traffic.MaxLagMilliseconds),
                ["generatorCpu"] = traffic.Cpu,
                ["pacing"] = traffic.Pacing.ToString().ToLowerInvariant(),
            },
            ["failures"] = results.FloodFailures,
            ["summary"] = new JsonArray(results.RequestSummaries().Select(s => (JsonNode?)new JsonObject
            {
                ["phase"] = s.Phase,
                ["request"] = s.Request,
                ["count"] = s.Count,
                ["failures"] = s.Failures,
                ["medianMs"] = Round(s.Median),
                ["p99Ms"] = Round(s.P99),
                ["maxMs"] = Round(s.Max),
            }).ToArray()),
            ["samples"] = new JsonArray(results.LoadSamples.Select(s => (JsonNode?)new JsonObject
            {
                ["phase"] = s.Phase,
                ["request"] = s.Request,
                ["atSeconds"] = Round(s.AtSeconds),
                ["ms"] = Round(s.Milliseconds),
                ["error"] = s.Error,
            }).ToArray()),
        };
    }

    public static string Csv(SignalingLatencyResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var csv = new StringBuilder("phase,request,at_s,ms,error\n");
        foreach (var s in results.LoadSamples)
        {
            csv.AppendLine(CultureInfo.InvariantCulture, $"{s.Phase},{s.Request},{s.AtSeconds:0.000},{s.Milliseconds:0.000},\"{s.Error?.Replace("\"", "\"\"", StringComparison.Ordinal)}\"");
        }

        return csv.ToString();
    }

    /// <summary>The summary's section on the flood phase; nothing without one.</summary>
    public static void Summary(SignalingLatencyResults results, StringBuilder md)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(md);
        var options = results.Options;
        if (options.FloodSeconds <= 0)
        {
            return;
        }

        md.AppendLine(CultureInfo.InvariantCulture, $"## Answering during a {options.FloodSeconds:0.#} s flood of {options.FloodRate / 1000:0.#} kpps");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"After the rounds, NetMonitor is installed toward the user again (a filter for UDP to port {FloodPhase.Port} toward 198.18.4.0/24 on both nodes). Then PROBEs of the status go toward the user back to back, each in a new GIST session, and each node's admin socket is asked for its status in a loop ({options.AdminPause.TotalMilliseconds:0} ms between requests): first {options.CalmSeconds:0.#} s without traffic, then while the provider sends {options.FloodWireBytes}-byte UDP frames to the user at {options.FloodRate / 1000:0.#} kpps from a paced raw-socket generator (its own thread, pinned to CPU {options.FloodCpu}; node A's receive work on eth0 steered to the other CPUs, RPS mask {options.NodeIngressRps:x}), bounded in packets (rate × seconds) and in time, through both nodes' NFQUEUE and NetMonitor. A PROBE succeeds when both nodes answer 200 within the request timeout ({options.RequestTimeout.TotalSeconds:0} s); an admin request when the node returns its status. A datagram lost on the way costs a retransmission: the client's and the nodes' Queries are sent again with doubling timeouts, up to six times toward a destination a peer answered for in the last 30 s (GIST's KnownPeerQueryRetries).");
        md.AppendLine();
        if (results.Flood is { } traffic)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Flood: {traffic.Offered} packets offered in {traffic.ElapsedSeconds:0.0} s = {traffic.OfferedRate / 1000:0.0} kpps ({(traffic.GeneratorLimited ? "**generator-limited**: short of the asked rate" : "the asked rate")}; {traffic.Refused} refused by the kernel at the provider, A's input backlog full); the user received {traffic.Received} = {traffic.ReceivedRate / 1000:0.0} kpps ({(traffic.Offered > 0 ? 100.0 * traffic.Received / traffic.Offered : 0):0.#} % of the offered). NetMonitor read {traffic.ModulePacketsA} of them from its queue on A and {traffic.ModulePacketsB} on B; the rest passed a node without its module (the queue is fail-open when full) or was dropped on the way. The kernel's per-CPU input backlogs, which every datagram crossing a veth waits in (signaling as much as the flood), dropped {traffic.BacklogDrops} packets, refused sends included: a PROBE whose datagram is lost there takes a retransmission longer.");
        }
        else
        {
            md.AppendLine("The flood phase did not finish: no traffic figures.");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"**Failures: {results.FloodFailures}.**");
        md.AppendLine();
        md.AppendLine("| request | phase | count | failed | median ms | p99 ms | max ms |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var s in results.RequestSummaries())
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {Requests[s.Request]} | {Phases[s.Phase].Title} | {s.Count} | {s.Failures} | {s.Median:0.0} | {s.P99:0.0} | {s.Max:0.0} |");
        }

        md.AppendLine();
        md.AppendLine("\"rounds\" are the warm rounds above (PROBE toward the user; the admin status requests that check the modules after each SETUP and REMOVE), one request at a time. The calm part runs the same loops as the flood, so the difference between its row and the flood's is the flood's alone. Every sample, with its error if any, is in flood.csv and results.json; flood.png draws them.");
        md.AppendLine();
    }

    /// <summary>Boxes per request and phase on a log scale: median, box p10–p90, whiskers min–p99, a dot at the max.</summary>
    public static void Plot(SignalingLatencyResults results, string path)
    {
        ArgumentNullException.ThrowIfNull(results);
        var summaries = results.RequestSummaries();
        if (!summaries.Any(s => s.Phase == FloodPhase.Flood))
        {
            return;
        }

        var plot = new Plot();
        var phases = FloodPhase.Phases;
        var requests = FloodPhase.Requests;
        foreach (var (phase, p) in phases.Select((x, i) => (x, i)))
        {
            var boxes = new List<Box>();
            var maxima = new List<Coordinates>();
            foreach (var (request, r) in requests.Select((x, i) => (x, i)))
            {
                var times = results.SamplesOf(phase, request).Where(s => s.Error is null).Select(s => Math.Log10(s.Milliseconds)).ToArray();
                if (times.Length == 0)
                {
                    continue;
                }

                var position = (r * (phases.Length + 1)) + p;
                boxes.Add(new Box
                {
                    Position = position,
                    BoxMin = Statistics.Percentile(times, 10),
                    BoxMax = Statistics.Percentile(times, 90),
                    BoxMiddle = Statistics.Median(times),
                    WhiskerMin = times.Min(),
                    WhiskerMax = Statistics.Percentile(times, 99),
                });
                maxima.Add(new Coordinates(position, times.Max()));
            }

            if (boxes.Count == 0)
            {
                continue;
            }

            var series = plot.Add.Boxes(boxes);
            series.FillColor = Phases[phase].Color;
            series.LegendText = Phases[phase].Title;
            var dots = plot.Add.ScatterPoints(maxima);
            dots.Color = Colors.Black;
            dots.MarkerShape = MarkerShape.OpenCircle;
            dots.MarkerSize = 7;
            if (p == phases.Length - 1)
            {
                dots.LegendText = "max";
            }
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            requests.Select((_, r) => (double)((r * (phases.Length + 1)) + 1)).ToArray(), requests.Select(r => Requests[r]).ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => Math.Pow(10, y).ToString("0.###", CultureInfo.InvariantCulture),
        };
        plot.Axes.Margins(bottom: 0.05, top: 0.2);
        var options = results.Options;
        plot.Title($"PROBE and admin requests without and during a {options.FloodSeconds:0.#} s flood of {options.FloodRate / 1000:0.#} kpps\nmedian, box p10–p90, whiskers min–p99, circle max");
        plot.YLabel("milliseconds (log scale)");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 900, 560);
    }

    /// <summary>Three decimals; null for NaN (no successful request), which JSON cannot hold.</summary>
    private static double? Round(double value) => double.IsNaN(value) ? null : Math.Round(value, 3);
}
