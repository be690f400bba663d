using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Evaluation.Reporting;

namespace NetServ.Evaluation.Latency;

/// <summary>
/// Writes a latency run's folder: results.json (everything but the packets), latency.csv (one row a
/// configuration), summary.md, latency.png (Figure 13), and raw/samples.csv (every packet, not committed).
/// </summary>
internal sealed class LayerLatencyWriter(LayerLatencyResults results, string folder)
{
    /// <summary>The configuration whose packets pass through a module: the module path of Figure 13 until (6) KeepAlive exists.</summary>
    public const string ModuleConfiguration = "5";

    /// <summary>The paper's module bar: KeepAlive processing SIP keep-alives.</summary>
    public const string KeepAliveConfiguration = "6";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public void WriteAll()
    {
        EvaluationSummary.Write(folder, EvaluationSummary.Build(results.Machine, null, results, null));
        Directory.CreateDirectory(Path.Combine(folder, "raw"));
        File.WriteAllText(Path.Combine(folder, "results.json"), ToJson().ToJsonString(Indented) + "\n");
        File.WriteAllText(Path.Combine(folder, "latency.csv"), SummaryCsv());
        WriteSamples(Path.Combine(folder, "raw", "samples.csv"));
        if (results.Layers.Any(l => l.Statistics.Received > 0))
        {
            Plots.Latency(results, Path.Combine(folder, "latency.png"));
        }

        File.WriteAllText(Path.Combine(folder, "summary.md"), Summary());
    }

    public JsonObject ToJson() => results.ToJson("latency", Machine(), new JsonObject
    {
        ["options"] = results.Options.ToJson(),
        ["layers"] = new JsonArray(results.Layers.Select(l => (JsonNode?)Layer(l)).ToArray()),
        ["paper"] = new JsonObject
        {
            ["keepAliveExtraDelayUs"] = PaperReference.KeepAliveExtraDelayMicroseconds,
            ["comparedWith"] = "unprocessed packets transiting the node (the paper's configuration 2)",
            ["source"] = PaperReference.Source,
            ["note"] = PaperReference.Json["latency"]?["note"]?.DeepClone(),
        },
    });

    /// <summary>One row a configuration.</summary>
    public string SummaryCsv()
    {
        var csv = new StringBuilder("configuration,title,sent,received,lost,loss_percent,min_us,p10_us,median_us,p90_us,p99_us,max_us,mean_us,added_vs_1_us,added_vs_2_us,receiver_socket_delay_median_us,queue_matched,queue_bypassed,cpus_busy_before_percent\n");
        foreach (var l in results.Layers)
        {
            var s = l.Statistics;
            csv.Append(CultureInfo.InvariantCulture, $"{l.Key},{Quote(l.Title)},{s.Sent},{s.Received},{s.Lost},{F(s.Loss * 100, "0.###")},{F(s.MinUs)},{F(s.P10Us)},{F(s.MedianUs)},{F(s.P90Us)},{F(s.P99Us)},{F(s.MaxUs)},{F(s.MeanUs)},");
            csv.Append(CultureInfo.InvariantCulture, $"{F(results.AddedUs(l.Key, "1"))},{F(results.AddedUs(l.Key, "2"))},{F(l.SocketDelayMedianUs)},{l.QueueMatched?.ToString(CultureInfo.InvariantCulture)},{l.Bypassed?.ToString(CultureInfo.InvariantCulture)},{F(l.MachineBusyBefore * 100, "0")}\n");
        }

        return csv.ToString();
    }

    /// <summary>summary.md: the table, the comparison with the paper, and how the numbers were taken.</summary>
    public string Summary()
    {
        var options = results.Options;
        var md = new StringBuilder();
        var busy = results.Layers.Count == 0
            ? string.Create(CultureInfo.InvariantCulture, $"CPUs {results.MachineBusyAtStart:0%} busy with other work at the start")
            : string.Create(CultureInfo.InvariantCulture, $"CPUs busy with other work just before the measurements: median {Statistics.Median(results.Layers.Select(l => l.MachineBusyBefore)):0%}, max {results.Layers.Max(l => l.MachineBusyBefore):0%}");
        results.AppendSummaryHeader(md, "Latency per layer (the paper's Figure 13)", busy);
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Method: {options.Packets} UDP packets of {options.WireBytes} B on the wire per configuration at {options.Rate:0} packets/s, after an uncounted warm-up of {options.WarmupSeconds:0.##} s; each carries its sequence number and its CLOCK_REALTIME send time, taken just before send() in the sender's namespace; the receiver's kernel stamps it as it enters the receiver's stack (SO_TIMESTAMPNS); latency = receive − send. A packet not received {options.DrainSeconds:0.##} s after the last send counts as lost. {(options.QuietWaitSeconds > 0 ? $"Before each measurement the run waited up to {options.QuietWaitSeconds:0} s for other work to use less than {options.QuietBusyFraction:0%} of the CPUs. " : string.Empty)}Sender thread on CPU {options.Placement.GeneratorCpu}, receiving thread on CPU {options.ReceiverCpu}, queue readers (container, C loop) on CPU {options.Placement.ReaderCpu}; softirq (RPS) of the router's ingress on {CpuPlacement.Cpus(options.Placement.RouterIngressRps)}, of the receiver on {CpuPlacement.Cpus(options.Placement.ReceiverRps)}, of the other interfaces on {CpuPlacement.Cpus(options.Placement.OtherRps)}; identical for every configuration.");
        md.AppendLine();
        md.AppendLine("## One-way latency through the router (µs)");
        md.AppendLine();
        md.AppendLine("| configuration | received | loss | median | p10 | p90 | p99 | max | added vs (1) | added vs (2) | CPUs busy before |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var l in results.Layers)
        {
            var s = l.Statistics;
            md.AppendLine(CultureInfo.InvariantCulture, $"| ({l.Key}) {l.Title} | {s.Received}/{s.Sent} | {s.Loss:0.0#%} | {F(s.MedianUs)} | {F(s.P10Us)} | {F(s.P90Us)} | {F(s.P99Us)} | {F(s.MaxUs)} | {Added(results.AddedUs(l.Key, "1"))} | {Added(results.AddedUs(l.Key, "2"))} | {l.MachineBusyBefore:0%} |");
        }

        md.AppendLine();
        AppendPaperComparison(md);
        AppendChecks(md);
        md.AppendLine("Files: results.json (machine, options, statistics and a histogram per configuration), latency.csv (one row a configuration), latency.png (Figure 13: median per layer, whiskers p10–p90); raw/samples.csv holds every packet (not committed).");
        return md.ToString();
    }

    private static string Added(double? microseconds) => microseconds is { } v ? v.ToString("+0.0;−0.0;0.0", CultureInfo.InvariantCulture) : "–";

    private static string F(double? value, string format = "0.0") => value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : string.Empty;

    private static string Quote(string text) => text.Contains(',', StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal) ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;

    private static JsonObject Layer(LayerMeasurement l)
    {
        var s = l.Statistics;
        var run = l.Run;
        return new JsonObject
        {
            ["configuration"] = l.Key,
            ["title"] = l.Title,
            ["sent"] = s.Sent,
            ["received"] = s.Received,
            ["lost"] = s.Lost,
            ["lossPercent"] = Round(s.Loss * 100, 3),
            ["latencyUs"] = new JsonObject
            {
                ["min"] = Round(s.MinUs),
                ["p10"] = Round(s.P10Us),
                ["median"] = Round(s.MedianUs),
                ["p90"] = Round(s.P90Us),
                ["p99"] = Round(s.P99Us),
                ["max"] = Round(s.MaxUs),
                ["mean"] = Round(s.MeanUs),
            },
            ["receiverSocketDelayMedianUs"] = Round(l.SocketDelayMedianUs),
            ["cpusBusyWithOtherWorkBeforePercent"] = Round(l.MachineBusyBefore * 100, 0),
            ["histogram"] = new JsonObject
            {
                ["binsPerDecade"] = l.Histogram.BinsPerDecade,
                ["notPositive"] = l.Histogram.NotPositive,
                ["bins"] = new JsonArray(l.Histogram.Bins.Select(b => (JsonNode?)new JsonObject { ["fromUs"] = Round(b.FromUs, 2), ["toUs"] = Round(b.ToUs, 2), ["count"] = b.Count }).ToArray()),
            },
            ["sender"] = new JsonObject
            {
                ["sendFailures"] = run.SendFailures,
                ["elapsedSeconds"] = Round(run.Elapsed.TotalSeconds, 3),
                ["maxLagMs"] = Round(run.MaxLag.TotalMilliseconds, 3),
                ["stoppedByDeadline"] = run.StoppedByDeadline,
                ["allocatedBytes"] = run.SenderAllocatedBytes,
            },
            ["receiver"] = new JsonObject
            {
                ["duplicates"] = run.Duplicates,
                ["reordered"] = run.Reordered,
                ["foreign"] = run.Foreign,
                ["untimestamped"] = run.Untimestamped,
                ["allocatedBytes"] = run.ReceiverAllocatedBytes,
            },
            ["warmup"] = l.Warmup is { } w ? new JsonObject { ["sent"] = w.Sent, ["received"] = w.Received } : null,
            ["queue"] = l.QueueMatched is null ? null : new JsonObject { ["matched"] = l.QueueMatched, ["delivered"] = l.QueueDelivered, ["bypassed"] = l.Bypassed },
            ["router"] = l.Router?.DeepClone(),
        };
    }

    private static double Round(double value, int digits = 1) => double.IsFinite(value) ? Math.Round(value, digits) : 0;

    private JsonObject Machine()
    {
        var machine = results.MachineJson();
        machine["placement"] = results.Options.Placement.ToJson();
        machine["senderCpu"] = results.Options.Placement.GeneratorCpu;
        machine["receiverCpu"] = results.Options.ReceiverCpu;
        return machine;
    }

    private void AppendPaperComparison(StringBuilder md)
    {
        md.AppendLine("## Against the paper");
        md.AppendLine();
        var paper = PaperReference.KeepAliveExtraDelayMicroseconds;
        md.AppendLine(CultureInfo.InvariantCulture, $"The paper (section 9.2, Figure 13) gives one number: packets processed by the KeepAlive module incur {(paper is { } p ? $"{p:0} µs" : "(missing)")} of delay compared to unprocessed packets, i.e. those transiting the node through the packet filter alone (its configuration 2); and transit without a module adds very little over plain forwarding.");
        md.AppendLine();
        md.AppendLine("| module path | this run | paper |");
        md.AppendLine("|---|---|---|");
        // NetMonitor's row stays when KeepAlive was not measured, with the paper's KeepAlive bar beside it.
        foreach (var key in results.Layer(KeepAliveConfiguration) is null ? new[] { ModuleConfiguration } : [KeepAliveConfiguration, ModuleConfiguration])
        {
            var module = results.Layer(key);
            var title = module is null ? "(5) NetMonitor" : $"({module.Key}) {module.Title}";
            var reference = paper is not { } p2 ? "–" : key == KeepAliveConfiguration ? $"{p2:0} µs" : $"{p2:0} µs ((6) KeepAlive vs (2))";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {title}, added vs (2) unprocessed | {Microseconds(results.AddedUs(key, "2"))} | {reference} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {title}, added vs (1) plain forwarding | {Microseconds(results.AddedUs(key, "1"))} | – |");
        }

        md.AppendLine(CultureInfo.InvariantCulture, $"| (2) packet filter, added vs (1) | {Microseconds(results.AddedUs("2", "1"))} | \"very small\" |");
        md.AppendLine();
        md.AppendLine(results.Layer(KeepAliveConfiguration) is null
            ? "(6) KeepAlive, the paper's module bar, was not measured in this run; NetMonitor (5) stands for the module path."
            : "(6) KeepAlive runs with address swapping disabled and every packet is a SIP NOTIFY keep-alive with the send stamp as its body, so each one is matched and its reply built, as in the paper's measurement.");
        md.AppendLine();
    }

    private static string Microseconds(double? value) => value is { } v ? $"{Added(v)} µs" : "–";

    private void AppendChecks(StringBuilder md)
    {
        var lines = new List<string>();
        foreach (var l in results.Layers)
        {
            if (l.Bypassed is > 0)
            {
                lines.Add($"({l.Key}): {l.Bypassed} packets passed the queue unprocessed (fail-open): their latency is not the layer's.");
            }

            if (l.Statistics.Loss > 0.05)
            {
                lines.Add($"({l.Key}): {l.Statistics.Loss:0.#%} of the packets were lost.");
            }

            if (l.Run.Untimestamped > 0 || l.Histogram.NotPositive > 0)
            {
                lines.Add($"({l.Key}): {l.Run.Untimestamped} packets without a kernel timestamp, {l.Histogram.NotPositive} with a latency of zero or less (a clock step?).");
            }
        }

        lines.AddRange(results.Notes);
        lines.AddRange(results.Errors.Select(e => "error: " + e.Split('\n')[0]));
        if (lines.Count == 0)
        {
            return;
        }

        md.AppendLine("## Notes and errors");
        md.AppendLine();
        foreach (var line in lines)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {line}");
        }

        md.AppendLine();
    }

    /// <summary>Every packet of every configuration: sequence, times (CLOCK_REALTIME ns) and latency; a packet that did not arrive has empty receive times.</summary>
    private void WriteSamples(string path)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("configuration,sequence,sent_ns,kernel_received_ns,user_received_ns,latency_us");
        foreach (var l in results.Layers)
        {
            var run = l.Run;
            for (var i = 0; i < run.Sent; i++)
            {
                writer.WriteLine(run.Arrived(i)
                    ? string.Create(CultureInfo.InvariantCulture, $"{l.Key},{i},{run.SentNanoseconds[i]},{run.KernelReceivedNanoseconds[i]},{run.UserReceivedNanoseconds[i]},{(run.KernelReceivedNanoseconds[i] - run.SentNanoseconds[i]) / 1000.0:0.###}")
                    : string.Create(CultureInfo.InvariantCulture, $"{l.Key},{i},,,,"));
            }
        }
    }
}
