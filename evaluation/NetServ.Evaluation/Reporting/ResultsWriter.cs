using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetServ.Evaluation.Hosting;
using NetServ.Evaluation.Mlffr;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Traffic;

namespace NetServ.Evaluation.Reporting;

/// <summary>Writes a node-runtime run's folder: results.json, CSVs, PNG plots and summary.md.</summary>
internal sealed class ResultsWriter(NodeRuntimeResults results, string folder)
{
    /// <summary>(4)/(C loop): the .NET container against the C limit of the queue path.</summary>
    public const double ContainerTarget = 0.9;

    /// <summary>(5)/(4): NetMonitor against the empty container.</summary>
    public const double ModuleTarget = 0.95;

    /// <summary>(6) KeepAlive over (5) NetMonitor: a real application module against the simplest one (the paper: 0.64).</summary>
    public const double ApplicationTarget = 0.8;

    public const double MemoryTargetMb = 20;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public void WriteAll()
    {
        EvaluationSummary.Write(folder, EvaluationSummary.Build(results.Machine, results, null, null));
        Directory.CreateDirectory(folder);
        WriteJson(folder, ToJson());
        File.WriteAllText(Path.Combine(folder, "mlffr.csv"), MlffrCsv());
        File.WriteAllText(Path.Combine(folder, "trials.csv"), TrialsCsv());
        File.WriteAllText(Path.Combine(folder, "memory.csv"), MemoryCsv());
        File.WriteAllText(Path.Combine(folder, "memory-containers.csv"), MemoryContainersCsv());
        foreach (var size in results.Options.Sizes.Where(s => results.Searches.Any(r => r.Size == s)))
        {
            Plots.Mlffr(results, size, Path.Combine(folder, $"mlffr-{size}B.png"));
        }

        if (PairedRatios().Count > 0)
        {
            Plots.Ratios(PairedRatios(), Path.Combine(folder, "ratios.png"));
        }

        if (results.Memory.Any(m => m.Succeeded))
        {
            Plots.Memory(results, Path.Combine(folder, "memory.png"), MemoryTargetMb);
            Plots.MemoryVariants(results, Path.Combine(folder, "memory-settings.png"), MemoryTargetMb);
        }

        File.WriteAllText(Path.Combine(folder, "summary.md"), Summary());
    }

    public JsonObject ToJson()
    {
        var options = results.Options;
        var mlffr = new JsonArray();
        foreach (var key in options.Configurations)
        {
            foreach (var size in options.Sizes)
            {
                if (results.Mlffr(key, size) is not { } m)
                {
                    continue;
                }

                mlffr.Add(new JsonObject
                {
                    ["configuration"] = key,
                    ["title"] = results.ConfigurationTitles.GetValueOrDefault(key, key),
                    ["sizeBytes"] = size,
                    ["medianKpps"] = Round(m.Median),
                    ["minKpps"] = Round(m.Min),
                    ["maxKpps"] = Round(m.Max),
                    ["repetitionsKpps"] = new JsonArray(results.Searches.Where(s => s.Configuration == key && s.Size == size).Select(s => (JsonNode?)Round(s.MlffrKpps)).ToArray()),
                    ["atGeneratorLimit"] = m.AtGeneratorLimit,
                    ["paperKpps"] = PaperReference.Mlffr(key, size),
                });
            }
        }

        var json = results.RunJson("node-runtime");
        json["machine"] = Machine();
        json["options"] = options.ToJson();
        json["configurations"] = new JsonObject(results.ConfigurationTitles.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        json["generator"] = Generator();
        json["mlffr"] = mlffr;
        json["ratios"] = Ratios();
        json["searches"] = new JsonArray(results.Searches.Select(s => (JsonNode?)Search(s)).ToArray());
        json["containersAfterMeasurement"] = new JsonArray(results.ConfigurationReports.Select(r => (JsonNode?)new JsonObject
        {
            ["configuration"] = r.Configuration,
            ["repetition"] = r.Repetition,
            ["container"] = r.Description.DeepClone(),
        }).ToArray());
        json["memory"] = Memory();
        json["paper"] = PaperReference.Json.DeepClone();
        results.AddNotesAndErrors(json);
        return json;
    }

    private JsonObject Machine()
    {
        var machine = results.MachineJson(results.Options.Placement);
        machine["busyWithOtherWorkBeforeSearchesPercent"] = SearchRecord.BusyBefore(results.Searches);
        return machine;
    }

    private JsonArray Generator() => new(results.GeneratorChecks.Select(c => (JsonNode?)GeneratorJson(c)).ToArray());

    /// <summary>A generator check as results.json records it: always the paced generator's, whichever generator sent the trials (<c>trafficGenerator</c>).</summary>
    internal static JsonObject GeneratorJson(GeneratorCheck c) => new()
    {
        ["checkedGenerator"] = PacedTrafficGenerator.DriverName,
        ["sizeBytes"] = c.Size,
        ["bytesHandedToInterface"] = c.Size - 4,
        ["unpacedOfferedKpps"] = Round(c.Unpaced.OfferedRate / 1000),
        ["unpacedRefused"] = c.Unpaced.Failed,
        ["unpacedReceivedKpps"] = Round(c.UnpacedReceivedRate / 1000),
        ["searchHighBoundKpps"] = Round(c.MaxRate / 1000),
        ["pacedRequestedKpps"] = Round(c.PacedRate / 1000),
        ["pacedOfferedKpps"] = Round(c.Paced.OfferedRate / 1000, 2),
        ["pacedOfferedErrorPercent"] = Round(c.PacedOfferedError * 100, 3),
        ["pacedReceivedKpps"] = Round(c.PacedReceivedRate / 1000, 2),
        ["pacedReceivedErrorPercent"] = Round(c.PacedReceivedError * 100, 3),
        ["pacedLost"] = c.Paced.Offered - c.PacedReceived,
        ["pacedMaxLagMs"] = Round(c.Paced.MaxLag.TotalMilliseconds, 3),
        ["meetsTargets"] = c.Unpaced.OfferedRate >= 500_000 && Math.Abs(c.PacedReceivedError) <= 0.02,
        ["targets"] = "≥ 500 kpps unpaced; a paced rate held within 2 % as counted at the receiver",
    };

    /// <summary>Every target ratio at every size that measured both of its configurations.</summary>
    internal IReadOnlyList<PairedRatio> PairedRatios() =>
        RatioTarget.All.SelectMany(t => results.Options.Sizes.Select(size => PairedRatio.Of(results, t, size))).OfType<PairedRatio>().ToArray();

    private void AppendPairedRatios(StringBuilder md)
    {
        var paired = PairedRatios();
        if (paired.Count == 0)
        {
            return;
        }

        md.AppendLine("## Ratios from paired searches, with 95 % confidence intervals");
        md.AppendLine();
        md.AppendLine("| ratio | size | target | pairs | per pair | mean [95 % CI] | median | verdict |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var p in paired)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {p.Target.Label} | {p.Size} B | ≥ {p.Target.Target:0.00} | {p.Pairs.Count} | {string.Join(", ", p.Pairs.Select(x => x.Ratio.ToString("0.000", CultureInfo.InvariantCulture)))} | {p.Describe()} | {(p.Pairs.Count > 0 ? p.Median.ToString("0.000", CultureInfo.InvariantCulture) : "–")} | {p.VerdictText} |");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Method: {PairedRatio.Method}. Met with confidence: the whole interval at or above the target; not met: the whole interval below it; cannot decide: it straddles the target.");
        md.AppendLine();
        md.AppendLine("![ratios with 95 % confidence intervals](ratios.png)");
        md.AppendLine();
    }

    private JsonObject Ratios()
    {
        JsonObject Ratio(string numerator, string denominator, double target)
        {
            var perSize = new JsonObject();
            foreach (var size in results.Options.Sizes)
            {
                var ratio = results.Ratio(numerator, denominator, size);
                var paired = RatioTarget.All.FirstOrDefault(t => t.Numerator == numerator && t.Denominator == denominator) is { } named
                    ? PairedRatio.Of(results, named, size)
                    : null;
                perSize[size.ToString(CultureInfo.InvariantCulture)] = ratio is { } r
                    ? new JsonObject { ["value"] = Round(r, 3), ["met"] = r >= target, ["paired"] = paired?.ToJson() }
                    : null;
            }

            return new JsonObject { ["target"] = target, ["bySize"] = perSize, ["pairedMethod"] = PairedRatio.Method };
        }

        return new JsonObject
        {
            ["4/C"] = Ratio("4", "C", ContainerTarget),
            ["5/4"] = Ratio("5", "4", ModuleTarget),
            ["6/5"] = Ratio("6", "5", ApplicationTarget),
            ["3/C"] = Ratio("3", "C", ContainerTarget),
        };
    }

    /// <summary>A search with every trial as results.json records it.</summary>
    internal static JsonObject Search(SearchRecord s) => new()
    {
        ["configuration"] = s.Configuration,
        ["sizeBytes"] = s.Size,
        ["repetition"] = s.Repetition,
        ["mlffrKpps"] = Round(s.MlffrKpps),
        ["lowestFailureKpps"] = s.Result.LowestFailure is { } f ? Round(f / 1000) : null,
        ["highBoundKpps"] = Round(s.HighRate / 1000),
        ["atGeneratorLimit"] = s.Result.LimitedByGenerator,
        ["generatorCeilingKpps"] = s.Result.GeneratorCeiling is { } ceiling ? Round(ceiling / 1000, 3) : null,
        ["unresolved"] = s.Result.Unresolved,
        ["seconds"] = Math.Round(s.Duration.TotalSeconds, 1),
        ["machineBusyBeforePercent"] = Math.Round(s.MachineBusyBefore * 100),
        ["trials"] = new JsonArray(s.Result.Steps.Select(step => (JsonNode?)new JsonObject
        {
            ["rateKpps"] = Round(step.Trial.Rate / 1000, 3),
            ["attempt"] = step.Attempt,
            ["requested"] = step.Trial.Requested,
            ["offered"] = step.Trial.Offered,
            ["failedSends"] = step.Trial.FailedSends,
            ["received"] = step.Trial.Received,
            ["bypassed"] = step.Trial.Bypassed,
            ["lost"] = step.Trial.Lost,
            ["offeredKpps"] = Round(step.Trial.OfferedRate / 1000, 3),
            ["outcome"] = step.Outcome.ToString(),
            ["details"] = step.Trial.Details,
            ["diagnostics"] = step.Trial.Diagnostics is { } d ? new JsonObject
            {
                ["readerMicrosecondsPerPacket"] = d.ReaderMicrosecondsPerPacket is { } us ? Round(us, 3) : null,
                ["readerPacketsPerBatch"] = d.ReaderPacketsPerBatch is { } batch ? Round(batch, 1) : null,
                ["readerOnCpuMs"] = d.ReaderOnCpu is { } on ? Round(on.TotalMilliseconds, 0) : null,
                ["readerWaitingMs"] = d.ReaderWaiting is { } wait ? Round(wait.TotalMilliseconds, 0) : null,
                ["generatorOnCpuMs"] = d.GeneratorOnCpu is { } generatorOn ? Round(generatorOn.TotalMilliseconds, 0) : null,
                ["generatorWaitingMs"] = d.GeneratorWaiting is { } generatorWait ? Round(generatorWait.TotalMilliseconds, 0) : null,
            } : null,
        }).ToArray()),
    };

    private JsonObject Memory()
    {
        var samples = new JsonArray();
        foreach (var m in results.Memory)
        {
            samples.Add(new JsonObject
            {
                ["variant"] = m.Variant.ToJson(),
                ["containers"] = m.Containers,
                ["succeeded"] = m.Succeeded,
                ["error"] = m.Error,
                ["startSeconds"] = Math.Round(m.StartTime.TotalSeconds, 1),
                ["pssMb"] = m.PerContainer.Count == 0 ? null : new JsonObject
                {
                    ["mean"] = Round(m.MeanMb, 2),
                    ["median"] = Round(m.MedianMb, 2),
                    ["max"] = Round(m.MaxMb, 2),
                    ["min"] = Round(m.MinMb, 2),
                    ["meanAnon"] = Round(m.MeanAnonMb, 2),
                    ["meanFile"] = Round(m.MeanFileMb, 2),
                    ["meanPrivate"] = Round(m.MeanPrivateMb, 2),
                    ["meanAfterCollect"] = Round(m.MeanAfterCollectMb, 2),
                },
                ["meetsTarget"] = m.Succeeded ? m.MaxMb <= MemoryTargetMb : null,
                ["perContainer"] = new JsonArray(m.PerContainer.Select(c => (JsonNode?)new JsonObject
                {
                    ["user"] = c.User,
                    ["pid"] = c.Pid,
                    ["pssBytes"] = c.PssBytes,
                    ["pssAnonBytes"] = c.PssAnonBytes,
                    ["pssFileBytes"] = c.PssFileBytes,
                    ["rssBytes"] = c.RssBytes,
                    ["privateBytes"] = c.PrivateBytes,
                    ["statusPssBytes"] = c.StatusPssBytes,
                    ["gcHeapBytes"] = c.GcHeapBytes,
                    ["gcCommittedBytes"] = c.GcCommittedBytes,
                    ["pssAfterCollectBytes"] = c.PssAfterCollectBytes,
                }).ToArray()),
            });
        }

        return new JsonObject
        {
            ["targetMbPerContainer"] = MemoryTargetMb,
            ["measure"] = "PSS from /proc/<pid>/smaps_rollup of each ready, idle container (no module), read by the benchmark; status pssBytes is the container's own reading",
            ["samples"] = samples,
        };
    }

    private string MlffrCsv()
    {
        var csv = new StringBuilder("configuration,title,size_bytes,median_kpps,min_kpps,max_kpps,repetitions_kpps,at_generator_limit,paper_kpps\n");
        foreach (var key in results.Options.Configurations)
        {
            foreach (var size in results.Options.Sizes)
            {
                if (results.Mlffr(key, size) is not { } m)
                {
                    continue;
                }

                var repetitions = string.Join(';', results.Searches.Where(s => s.Configuration == key && s.Size == size).Select(s => F(s.MlffrKpps)));
                csv.Append(CultureInfo.InvariantCulture, $"{key},{Quote(results.ConfigurationTitles.GetValueOrDefault(key, key))},{size},{F(m.Median)},{F(m.Min)},{F(m.Max)},{repetitions},{(m.AtGeneratorLimit ? "true" : "false")},{(PaperReference.Mlffr(key, size) is { } p ? F(p) : string.Empty)}\n");
            }
        }

        return csv.ToString();
    }

    private string TrialsCsv()
    {
        var csv = new StringBuilder("configuration,size_bytes,repetition,trial,attempt,rate_kpps,requested,offered,failed_sends,received,bypassed,lost,offered_kpps,outcome\n");
        foreach (var s in results.Searches)
        {
            foreach (var step in s.Result.Steps)
            {
                var t = step.Trial;
                csv.Append(CultureInfo.InvariantCulture, $"{s.Configuration},{s.Size},{s.Repetition},{step.Index},{step.Attempt},{F(t.Rate / 1000, "0.###")},{t.Requested},{t.Offered},{t.FailedSends},{t.Received},{t.Bypassed},{t.Lost},{F(t.OfferedRate / 1000, "0.###")},{step.Outcome}\n");
            }
        }

        return csv.ToString();
    }

    private string MemoryCsv()
    {
        var csv = new StringBuilder("variant,environment,containers,mean_pss_mb,median_pss_mb,max_pss_mb,min_pss_mb,mean_private_mb,mean_after_collect_mb,target_mb,met,error\n");
        foreach (var m in results.Memory)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{Quote(m.Variant.Name)},{Quote(m.Variant.EnvironmentText)},{m.Containers},{F(m.MeanMb, "0.00")},{F(m.MedianMb, "0.00")},{F(m.MaxMb, "0.00")},{F(m.MinMb, "0.00")},{F(m.MeanPrivateMb, "0.00")},{F(m.MeanAfterCollectMb, "0.00")},{F(MemoryTargetMb)},{(m.Succeeded && m.MaxMb <= MemoryTargetMb ? "true" : "false")},{Quote(m.Error ?? string.Empty)}\n");
        }

        return csv.ToString();
    }

    private string MemoryContainersCsv()
    {
        var csv = new StringBuilder("variant,containers,user,pid,pss_bytes,pss_anon_bytes,pss_file_bytes,private_bytes,rss_bytes,gc_heap_bytes,gc_committed_bytes,pss_after_collect_bytes\n");
        foreach (var m in results.Memory)
        {
            foreach (var c in m.PerContainer)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{Quote(m.Variant.Name)},{m.Containers},{c.User},{c.Pid},{c.PssBytes},{c.PssAnonBytes},{c.PssFileBytes},{c.PrivateBytes},{c.RssBytes},{c.GcHeapBytes},{c.GcCommittedBytes},{c.PssAfterCollectBytes}\n");
            }
        }

        return csv.ToString();
    }

    private string Summary()
    {
        var options = results.Options;
        var md = new StringBuilder();
        AppendRunHeader(md, "Node-runtime benchmark", results, options, results.Searches, "configuration");
        if (results.GeneratorChecks.Count > 0)
        {
            md.AppendLine("## Generator check (the paced generator, whichever generator sent the trials)");
            md.AppendLine();
            md.AppendLine("| size | unpaced offered | received | paced check | offered | received at receiver |");
            md.AppendLine("|---|---|---|---|---|---|");
            foreach (var c in results.GeneratorChecks)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {c.Size} B | {c.Unpaced.OfferedRate / 1000:0.0} kpps | {c.UnpacedReceivedRate / 1000:0.0} kpps | {c.PacedRate / 1000:0} kpps | {c.Paced.OfferedRate / 1000:0.00} kpps ({c.PacedOfferedError:+0.00%;-0.00%}) | {c.PacedReceivedRate / 1000:0.00} kpps ({c.PacedReceivedError:+0.00%;-0.00%}) |");
            }

            md.AppendLine();
        }

        if (results.Searches.Count > 0)
        {
            md.AppendLine("## MLFFR (kpps): median [min–max]");
            md.AppendLine();
            md.Append("| configuration |");
            foreach (var size in options.Sizes)
            {
                md.Append(CultureInfo.InvariantCulture, $" {size} B | paper {size} B |");
            }

            md.AppendLine();
            md.AppendLine("|---|" + string.Concat(options.Sizes.Select(_ => "---|---|")));
            foreach (var key in options.Configurations)
            {
                md.Append(CultureInfo.InvariantCulture, $"| ({key}) {results.ConfigurationTitles.GetValueOrDefault(key, key)} |");
                foreach (var size in options.Sizes)
                {
                    md.Append(results.Mlffr(key, size) is { } m
                        ? string.Create(CultureInfo.InvariantCulture, $" {m.Median:0.0} [{m.Min:0.0}–{m.Max:0.0}]{(m.AtGeneratorLimit ? " ≥ (generator limit)" : string.Empty)} |")
                        : " – |");
                    md.Append(PaperReference.Mlffr(key, size) is { } p ? string.Create(CultureInfo.InvariantCulture, $" {p:0} |") : " – |");
                }

                md.AppendLine();
            }

            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Paper: {PaperReference.Source}. The C loop (C) is not in the paper: it is nfq-accept, the limit of the NFQUEUE path on this machine.");
            md.AppendLine();
            md.AppendLine("## Ratios");
            md.AppendLine();
            md.AppendLine("| ratio | target | " + string.Join(" | ", options.Sizes.Select(s => $"{s} B")) + " |");
            md.AppendLine("|---|---|" + string.Concat(options.Sizes.Select(_ => "---|")));
            foreach (var (numerator, denominator, target, label) in new[] { ("4", "C", ContainerTarget, "(4) container / (C) C loop"), ("5", "4", ModuleTarget, "(5) NetMonitor / (4) container"), ("6", "5", ApplicationTarget, "(6) KeepAlive / (5) NetMonitor"), ("3", "C", ContainerTarget, "(3) no module layer / (C) C loop (for reference)") })
            {
                md.Append(CultureInfo.InvariantCulture, $"| {label} | ≥ {target:0.00} |");
                foreach (var size in options.Sizes)
                {
                    md.Append(results.Ratio(numerator, denominator, size) is { } r
                        ? string.Create(CultureInfo.InvariantCulture, $" {r:0.000} {(r >= target ? "**met**" : "**not met**")} |")
                        : " – |");
                }

                md.AppendLine();
            }

            md.AppendLine();
            AppendPairedRatios(md);
        }

        AppendQueueCosts(md);

        if (results.Memory.Count > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## Memory per container (PSS, MB; target ≤ {MemoryTargetMb:0} MB each)");
            md.AppendLine();
            md.AppendLine("| setting | environment | containers | mean | median | max | after GC.Collect (mean) | private (mean) | target |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var m in results.Memory)
            {
                md.AppendLine(m.Succeeded
                    ? string.Create(CultureInfo.InvariantCulture, $"| {m.Variant.Name} | `{m.Variant.EnvironmentText}` | {m.Containers} | {m.MeanMb:0.0} | {m.MedianMb:0.0} | {m.MaxMb:0.0} | {m.MeanAfterCollectMb:0.0} | {m.MeanPrivateMb:0.0} | {(m.MaxMb <= MemoryTargetMb ? "met" : "not met")} |")
                    : $"| {m.Variant.Name} | `{m.Variant.EnvironmentText}` | {m.Containers} | failed: {m.Error} | | | | | |");
            }

            md.AppendLine();
            if (PaperReference.MemoryPerContainerMb is { } paperMb)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"The paper's containers (JVM + OSGi) took about {paperMb:0} MB each while busy.");
                md.AppendLine();
            }
        }

        foreach (var report in results.ConfigurationReports.Where(r => r.Description["memory"]?["pssBytes"] is not null).GroupBy(r => r.Configuration).Select(g => g.Last()))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Container of configuration ({report.Configuration}) after its searches (busy): PSS {report.Description["memory"]!["pssBytes"]!.GetValue<long>() / 1024.0 / 1024.0:0.0} MB, {report.Description["packets"]?["received"]} packets received.");
        }

        AppendNotesAndFiles(md, results, "results.json (everything, every trial), mlffr.csv, trials.csv, memory.csv, memory-containers.csv, mlffr-*B.png, memory.png, memory-settings.png; raw/ holds the node and C loop logs");
        return md.ToString();
    }

    /// <summary>The end of a run's summary.md: its notes and errors (first lines), then what the folder holds.</summary>
    internal static void AppendNotesAndFiles(StringBuilder md, RunRecord results, string files)
    {
        if (results.Errors.Count > 0 || results.Notes.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Notes and errors");
            md.AppendLine();
            foreach (var line in results.Notes.Concat(results.Errors.Select(e => "error: " + e.Split('\n')[0])))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {line}");
            }
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Files: {files}.");
    }

    /// <summary>Writes results.json (indented) into <paramref name="folder"/>.</summary>
    internal static void WriteJson(string folder, JsonObject json) =>
        File.WriteAllText(Path.Combine(folder, "results.json"), json.ToJsonString(Indented) + "\n");

    /// <summary>
    /// The start of a run's summary.md: title, command and how the run ended, the machine and what
    /// else ran on it, CPU placement, sysctls, and how the searches were run.
    /// </summary>
    internal static void AppendRunHeader(StringBuilder md, string title, RunRecord results, NodeRuntimeOptions options, IReadOnlyCollection<SearchRecord> searches, string measured)
    {
        ArgumentNullException.ThrowIfNull(results);
        var busy = searches.Count == 0
            ? "no search ran"
            : string.Create(CultureInfo.InvariantCulture, $"CPUs busy with other work before the searches: median {Statistics.Median(searches.Select(s => s.MachineBusyBefore)):0%}, max {searches.Max(s => s.MachineBusyBefore):0%}");
        results.AppendSummaryHeader(md, title, busy);
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"CPU placement (identical for every {measured}): {options.Placement}.");
        foreach (var (key, previous, value) in results.Sysctls)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"`{key}` = {value} during the run ({previous} before, restored after).");
        }

        md.AppendLine(CultureInfo.InvariantCulture, $"Search: trials of {options.TrialSeconds} s, {options.Repetitions} repetition(s), resolution max({options.Resolution / 1000:0.#} kpps, {options.RelativeResolution:0.#%}), from the generator's unpaced rate down to {options.LowRate / 1000:0.#} kpps{(options.Confirmations > 0 ? $"; a failed trial is repeated {options.Confirmations} time(s) at the same rate before the rate counts as failed ({searches.Sum(s => s.Result.Steps.Count(x => x.Attempt > 1 && x.Passed))} of {searches.Sum(s => s.Result.Steps.Count(x => x.Attempt > 1))} repeats passed)" : string.Empty)}; zero loss counted at the receiver's iptables counter against every packet offered (refused sends included), packets that passed a full queue unprocessed (fail-open) counted as lost. Queue readers: batch {options.BatchSize}, queue length {options.QueueMaxLength}.");
        md.AppendLine();
    }

    /// <summary>
    /// What the queue path cost near each MLFFR: medians over the passing trials within 15 % below the
    /// search's result, from the reader's and the generator's scheduler statistics.
    /// </summary>
    private void AppendQueueCosts(StringBuilder md)
    {
        var rows = new List<string>();
        foreach (var key in results.Options.Configurations)
        {
            foreach (var size in results.Options.Sizes)
            {
                var near = results.Searches
                    .Where(s => s.Configuration == key && s.Size == size)
                    .SelectMany(s => s.Result.Steps.Where(step => step.Passed && step.Trial.Rate >= 0.85 * s.Result.Mlffr).Select(step => step.Trial))
                    .Where(t => t.Diagnostics?.ReaderMicrosecondsPerPacket is not null)
                    .ToArray();
                if (near.Length == 0)
                {
                    continue;
                }

                string Median(Func<TrialResult, double?> value, string format)
                {
                    var values = near.Select(value).OfType<double>().ToArray();
                    return values.Length == 0 ? "–" : Statistics.Median(values).ToString(format, CultureInfo.InvariantCulture);
                }

                rows.Add($"| ({key}) | {size} B | {near.Length} | {Median(t => t.Diagnostics!.ReaderMicrosecondsPerPacket, "0.00")} | {Median(t => t.Diagnostics!.ReaderPacketsPerBatch, "0.0")} | " +
                    $"{Median(t => t.Diagnostics!.ReaderOnCpu?.TotalSeconds / t.Duration.TotalSeconds, "0%")} | {Median(t => t.Diagnostics!.ReaderWaiting?.TotalSeconds / t.Duration.TotalSeconds, "0%")} | " +
                    $"{Median(t => t.Diagnostics!.GeneratorOnCpu?.TotalSeconds / t.Duration.TotalSeconds, "0%")} |");
            }
        }

        if (rows.Count == 0)
        {
            return;
        }

        md.AppendLine("## Where the queue path's time goes");
        md.AppendLine();
        md.AppendLine("Medians over the passing trials within 15 % below each MLFFR. CPU per packet is the reader thread's time on its CPU (the kernel's work in its system calls included: receive, verdict, reinjection and forwarding of the packet) per packet it received; the shares are of the trial's length, on the CPU the reader shares with the generator.");
        md.AppendLine();
        md.AppendLine("| configuration | size | trials | reader CPU per packet (µs) | packets per receive | reader on CPU | reader waiting for CPU | generator on CPU |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            md.AppendLine(row);
        }

        md.AppendLine();
    }

    internal static double Round(double value, int digits = 1) => double.IsFinite(value) ? Math.Round(value, digits) : 0;

    internal static string F(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);

    internal static string Quote(string text) => text.Contains(',', StringComparison.Ordinal) || text.Contains('"', StringComparison.Ordinal) ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
}
