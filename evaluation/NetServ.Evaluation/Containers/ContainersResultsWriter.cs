using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Evaluation.Reporting;
using static NetServ.Evaluation.Reporting.ResultsWriter;

namespace NetServ.Evaluation.Containers;

/// <summary>Writes a container-count run's folder: results.json, containers.csv, summary.md and the Figure 14 plots.</summary>
internal sealed class ContainersResultsWriter(ContainersResults results, string folder)
{
    /// <summary>The most PSS one container may take at the largest count.</summary>
    public const double MemoryTargetMb = ResultsWriter.MemoryTargetMb;

    /// <summary>The container count the memory target is stated for.</summary>
    public const int MemoryTargetContainers = 100;

    public void WriteAll()
    {
        EvaluationSummary.Write(folder, EvaluationSummary.Build(results.Machine, null, null, results));
        Directory.CreateDirectory(folder);
        WriteJson(folder, ToJson());
        File.WriteAllText(Path.Combine(folder, "containers.csv"), Csv());
        if (results.Counts.Any(c => c.PeakKpps is not null || c.SaturationKpps is not null))
        {
            ContainerPlots.Throughput(results, Path.Combine(folder, "containers-throughput.png"));
        }

        if (results.Counts.Any(c => c.Memory is { Succeeded: true }))
        {
            ContainerPlots.Memory(results, Path.Combine(folder, "containers-memory.png"), MemoryTargetMb);
            ContainerPlots.TotalMemory(results, Path.Combine(folder, "containers-memory-total.png"));
        }

        File.WriteAllText(Path.Combine(folder, "summary.md"), Summary());
    }

    public JsonObject ToJson()
    {
        var json = results.RunJson("containers");
        var machine = results.MachineJson(results.Options.Measurement.Placement);
        machine["busyWithOtherWorkBeforeSearchesPercent"] = SearchRecord.BusyBefore(results.Counts.SelectMany(c => c.Searches).ToArray());
        json["machine"] = machine;
        json["options"] = results.Options.ToJson();
        json["generator"] = results.Generator is { } g ? GeneratorJson(g) : null;
        json["counts"] = new JsonArray(results.Counts.Select(c => (JsonNode?)Count(c)).ToArray());
        json["targets"] = new JsonObject
        {
            ["memoryMbPerContainer"] = MemoryTargetMb,
            ["atContainers"] = MemoryTargetContainers,
            ["met"] = MemoryTargetMet(results),
        };
        json["paper"] = PaperReference.Json["containers"]?.DeepClone();
        results.AddNotesAndErrors(json);
        return json;
    }

    /// <summary>The summary.md text.</summary>
    public string Summary()
    {
        var options = results.Options;
        var md = new StringBuilder();
        AppendRunHeader(md, "Container-count benchmark (paper Figure 14)", results, options.Measurement, results.Counts.SelectMany(c => c.Searches).ToArray(), "container count");
        md.AppendLine(CultureInfo.InvariantCulture, $"Every container runs NetMonitor, installed through the admin API; user u<i> may claim {UserShare.Destination} and its filter selects UDP to port {BenchPath.Port}+i there. The generator cycles through one {options.Size}-byte frame per user, so every trial spreads its packets evenly over all containers. Containers have the node's default limits (256 MB, 1 CPU each); a module that holds a packet longer than {options.HangTimeoutMs ?? new Testbed.Nodes.NetServNodeOptions().Node.Containers.HangTimeoutMs} ms is taken out of the packet path as hung{(options.HangTimeoutMs is null ? " (the node's default)" : string.Empty)}.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"**Peak** is the MLFFR (zero loss, no packet past a full queue unprocessed). **Saturation** is what the containers processed (verdicts per second, from the kernel's queue counters) over {options.SaturationWindow.Start:0%}–{options.SaturationWindow.End:0%} of a trial offering {(options.SaturationRate is { } rate ? string.Create(CultureInfo.InvariantCulture, $"{rate / 1000:0} kpps") : "the generator's maximum")}; the generator shares its CPU with every container's reader, so what it managed to offer is given beside it, and where the queues never overflowed the containers kept up with it (≥). **Memory** is each container's PSS (/proc/<pid>/smaps_rollup) read during a {options.MemoryTrialSeconds:0.#} s trial at the peak rate.");
        md.AppendLine();
        md.Append(Table(results));
        md.AppendLine();
        foreach (var count in results.Counts.Where(c => c.Error is not null))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"**{Plural(count.Containers, "container")} incomplete**: {count.Error!.Split('\n')[0]}");
            md.AppendLine();
        }

        var paperMb = PaperReference.MemoryPerContainerMb;
        var largest = results.Counts.Where(c => c.Memory is { Succeeded: true }).MaxBy(c => c.Containers);
        if (largest is not null)
        {
            var at = largest.Containers == MemoryTargetContainers ? $"at {MemoryTargetContainers} containers" : $"at {largest.Containers} containers (the largest count measured; the target is stated for {MemoryTargetContainers})";
            md.AppendLine(CultureInfo.InvariantCulture, $"Memory target ≤ {MemoryTargetMb:0} MB per container {at}: max {largest.Memory!.MaxMb:0.0} MB, mean {largest.Memory.MeanMb:0.0} MB — **{(largest.Memory.MaxMb <= MemoryTargetMb ? "met" : "not met")}**.");
            md.AppendLine();
        }

        md.AppendLine(CultureInfo.InvariantCulture, $"Paper (Figure 14, {PaperReference.Source}): up to 100 containers running KeepAlive; total throughput decreases gradually with the count, saturation below peak, memory proportional to the count at about {paperMb:0} MB per JVM container while busy.");
        md.AppendLine();
        if (results.Generator is { } g)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Generator check (the paced generator through plain forwarding, cycling through every user's frame): {g.Describe()}.");
            md.AppendLine();
        }

        foreach (var count in results.Counts.Where(c => c.Counts.Count > 0))
        {
            var monitored = count.Counts.Select(c => c.NetMonitorPackets ?? 0).ToArray();
            md.AppendLine(CultureInfo.InvariantCulture, $"- {Plural(count.Containers, "container")}: node up with every module installed after {count.SetupTime.TotalSeconds:0.0} s; NetMonitor counted {monitored.Min()}–{monitored.Max()} packets per container; netservd PSS {count.NodePssBytes / 1048576.0:0.0} MB{(count.MemoryReadUnderLoad ? string.Empty : "; the memory trial ended before every container was read")}.");
        }

        AppendNotesAndFiles(md, results, "results.json (everything, every trial), containers.csv, containers-throughput.png, containers-memory.png, containers-memory-total.png; raw/ holds the node logs");
        return md.ToString();
    }

    /// <summary>The table of summary.md: one row per container count.</summary>
    public static string Table(ContainersResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var md = new StringBuilder();
        md.AppendLine("| containers | peak (MLFFR), kpps | saturation, kpps | offered at saturation, kpps | PSS per container, MB: mean | max | all containers, MB | paper, MB per container |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        var paper = PaperReference.MemoryPerContainerMb is { } p ? string.Create(CultureInfo.InvariantCulture, $"~{p:0}") : "–";
        foreach (var c in results.Counts)
        {
            var memory = c.Memory is { Succeeded: true } m
                ? string.Create(CultureInfo.InvariantCulture, $"{m.MeanMb:0.0} | {m.MaxMb:0.0} | {m.PerContainer.Sum(x => x.PssBytes) / 1048576.0:0}")
                : "– | – | –";
            var offered = c.SaturationOfferedKpps is { } o ? o.ToString("0.0", CultureInfo.InvariantCulture) : "–";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {c.Containers}{(c.Error is null ? string.Empty : " (incomplete)")} | {PeakText(c)} | {SaturationText(c)} | {offered} | {memory} | {paper} |");
        }

        return md.ToString();
    }

    /// <summary>The peak as a table cell: median [min–max], ≥ where the generator was the limit.</summary>
    public static string PeakText(ContainerCountResult count)
    {
        ArgumentNullException.ThrowIfNull(count);
        return count.PeakKpps is { } p
            ? string.Create(CultureInfo.InvariantCulture, $"{p.Median:0.0}{Range(count.Searches.Count, p.Min, p.Max)}{(p.AtGeneratorLimit ? " ≥ (generator limit)" : string.Empty)}")
            : "–";
    }

    /// <summary>The saturation throughput as a table cell: median [min–max].</summary>
    public static string SaturationText(ContainerCountResult count)
    {
        ArgumentNullException.ThrowIfNull(count);
        return count.SaturationKpps is { } s
            ? string.Create(CultureInfo.InvariantCulture, $"{s.Median:0.0}{Range(count.Saturations.Count(x => x.SawTraffic), s.Min, s.Max)}{(s.AtGeneratorLimit ? " ≥ (queues never full)" : string.Empty)}")
            : "–";
    }

    /// <summary>Whether the memory target holds at the largest count measured; null without a memory figure.</summary>
    public static bool? MemoryTargetMet(ContainersResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return results.Counts.Where(c => c.Memory is { Succeeded: true }).MaxBy(c => c.Containers) is { } largest ? largest.Memory!.MaxMb <= MemoryTargetMb : null;
    }

    /// <summary>"1 container", "3 containers".</summary>
    public static string Plural(int count, string noun) => string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}");

    private static string Range(int values, double min, double max) =>
        values > 1 ? string.Create(CultureInfo.InvariantCulture, $" [{min:0.0}–{max:0.0}]") : string.Empty;

    private static JsonObject Count(ContainerCountResult c)
    {
        var memory = c.Memory;
        return new JsonObject
        {
            ["containers"] = c.Containers,
            ["complete"] = c.Complete,
            ["error"] = c.Error,
            ["module_failures"] = new JsonArray(c.ModuleFailures.Select(f => (JsonNode?)f).ToArray()),
            ["node"] = c.NodeName,
            ["setup_seconds"] = Round(c.SetupTime.TotalSeconds),
            ["peak_kpps"] = c.PeakKpps is { } p ? Round(p.Median) : null,
            ["peak_kpps_min"] = c.PeakKpps is { } p1 ? Round(p1.Min) : null,
            ["peak_kpps_max"] = c.PeakKpps is { } p2 ? Round(p2.Max) : null,
            ["peak_at_generator_limit"] = c.PeakKpps?.AtGeneratorLimit,
            ["saturation_kpps"] = c.SaturationKpps is { } s ? Round(s.Median) : null,
            ["saturation_kpps_min"] = c.SaturationKpps is { } s1 ? Round(s1.Min) : null,
            ["saturation_kpps_max"] = c.SaturationKpps is { } s2 ? Round(s2.Max) : null,
            ["saturation_at_generator_limit"] = c.SaturationKpps?.AtGeneratorLimit,
            ["saturation_offered_kpps"] = c.SaturationOfferedKpps is { } o ? Round(o) : null,
            ["memory_mb_per_container"] = memory is { PerContainer.Count: > 0 } ? new JsonObject
            {
                ["mean"] = Round(memory.MeanMb, 2),
                ["max"] = Round(memory.MaxMb, 2),
                ["min"] = Round(memory.MinMb, 2),
                ["median"] = Round(memory.MedianMb, 2),
                ["mean_private"] = Round(memory.MeanPrivateMb, 2),
                ["mean_anon"] = Round(memory.MeanAnonMb, 2),
                ["mean_file"] = Round(memory.MeanFileMb, 2),
            } : null,
            ["memory_mb_all_containers"] = memory is { PerContainer.Count: > 0 } ? Round(memory.PerContainer.Sum(m => m.PssBytes) / 1048576.0) : null,
            ["memory_measured"] = memory?.Succeeded ?? false,
            ["memory_error"] = memory?.Error,
            ["memory_trial_kpps"] = Round(c.MemoryTrialRate / 1000),
            ["memory_read_under_load"] = c.MemoryReadUnderLoad,
            ["netservd_pss_mb"] = Round(c.NodePssBytes / 1048576.0, 2),
            ["high_rate_kpps"] = Round(c.HighRate / 1000),
            ["per_container"] = new JsonArray(c.Counts.Select(x => (JsonNode?)new JsonObject
            {
                ["user"] = x.User,
                ["pid"] = x.Pid,
                ["received"] = x.Received,
                ["netmonitor_packets"] = x.NetMonitorPackets,
                ["pss_bytes"] = memory?.PerContainer.FirstOrDefault(m => m.User == x.User)?.PssBytes,
                ["private_bytes"] = memory?.PerContainer.FirstOrDefault(m => m.User == x.User)?.PrivateBytes,
            }).ToArray()),
            ["saturation_trials"] = new JsonArray(c.Saturations.Select(s => (JsonNode?)new JsonObject
            {
                ["repetition"] = s.Repetition,
                ["offered_kpps"] = Round(s.Trial.OfferedRate / 1000),
                ["offered"] = s.Trial.Offered,
                ["refused"] = s.Trial.FailedSends,
                ["received"] = s.Trial.Received,
                ["bypassed"] = s.Trial.Bypassed,
                ["window_seconds"] = Round(s.WindowSeconds, 3),
                ["window_saw_traffic"] = s.SawTraffic,
                ["queues_overflowed"] = s.QueuesOverflowed,
                ["processed_kpps"] = Round(s.ProcessedRate / 1000),
                ["received_kpps"] = Round(s.ReceivedRate / 1000),
                ["details"] = s.Trial.Details,
            }).ToArray()),
            ["searches"] = new JsonArray(c.Searches.Select(s => (JsonNode?)Search(s)).ToArray()),
        };
    }

    private string Csv()
    {
        var csv = new StringBuilder("containers,peak_kpps,peak_min_kpps,peak_max_kpps,peak_at_generator_limit,saturation_kpps,saturation_min_kpps,saturation_max_kpps,saturation_offered_kpps,memory_mean_mb,memory_max_mb,memory_private_mean_mb,memory_all_containers_mb,netservd_pss_mb,setup_seconds,error\n");
        foreach (var c in results.Counts)
        {
            string Value(double? value, string format = "0.0") => value is { } v ? F(v, format) : string.Empty;
            var memory = c.Memory is { Succeeded: true } m ? m : null;
            csv.Append(CultureInfo.InvariantCulture, $"{c.Containers},{Value(c.PeakKpps?.Median)},{Value(c.PeakKpps?.Min)},{Value(c.PeakKpps?.Max)},{(c.PeakKpps?.AtGeneratorLimit == true ? "true" : "false")},");
            csv.Append(CultureInfo.InvariantCulture, $"{Value(c.SaturationKpps?.Median)},{Value(c.SaturationKpps?.Min)},{Value(c.SaturationKpps?.Max)},{Value(c.SaturationOfferedKpps)},");
            csv.Append(CultureInfo.InvariantCulture, $"{Value(memory?.MeanMb, "0.00")},{Value(memory?.MaxMb, "0.00")},{Value(memory?.MeanPrivateMb, "0.00")},{Value(memory?.PerContainer.Sum(x => x.PssBytes) / 1048576.0)},{F(c.NodePssBytes / 1048576.0, "0.00")},{F(c.SetupTime.TotalSeconds)},{Quote(c.Error?.Split('\n')[0] ?? string.Empty)}\n");
        }

        return csv.ToString();
    }
}
