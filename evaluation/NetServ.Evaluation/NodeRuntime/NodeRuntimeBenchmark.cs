using System.Diagnostics;
using System.Globalization;
using NetServ.Evaluation.Hosting;
using NetServ.Evaluation.Mlffr;
using NetServ.Evaluation.Reporting;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;
using NetServ.Testbed.Traffic;
using Spectre.Console;

namespace NetServ.Evaluation.NodeRuntime;

/// <summary>
/// The node-runtime benchmark (paper section 9): the MLFFR of each router configuration at each
/// frame size, RFC 2544 style, with identical CPU placement, repeated; then memory per container
/// at several container counts and with several runtime settings. Writes a results folder.
/// Everything it creates (namespaces, rules, processes, sysctls) is undone, also on failure and Ctrl-C.
/// </summary>
internal sealed class NodeRuntimeBenchmark(NodeRuntimeOptions options, IAnsiConsole console)
{
    private const string BacklogSysctl = "net.core.netdev_max_backlog";

    /// <summary>Runs the benchmark; returns the results folder. Throws <see cref="OperationCanceledException"/> after cleaning up when stopped.</summary>
    public async Task<(string Folder, NodeRuntimeResults Results)> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        options.Validate();
        CheckPrerequisites();
        var started = DateTimeOffset.Now;
        var folder = RunRecord.CreateFolder(options.Output, started, "node-runtime");
        var raw = Path.Combine(folder, "raw");
        var results = new NodeRuntimeResults
        {
            Started = started,
            Options = options,
            Arguments = arguments,
            Machine = MachineInfo.Describe(),
        };
        await results.SampleMachineAsync(cancellationToken).ConfigureAwait(false);
        console.Write(new Rule("[bold]NetServ node-runtime benchmark[/]").LeftJustified());
        console.MarkupLine($"results: [blue]{Markup.Escape(folder)}[/]");
        console.MarkupLine($"machine: {Markup.Escape($"{results.Machine["cpuModel"]}, {results.Machine["cores"]} CPUs, kernel {results.Machine["kernel"]}, {results.Machine["dotnetRuntime"]}")}; load average {results.LoadAverageAtStart}, CPUs {results.MachineBusyAtStart:0%} busy with other work");
        console.MarkupLine($"placement: {Markup.Escape(options.Placement.ToString())}");

        await results.RunAsync(
            folder,
            console,
            async () =>
            {
                var settings = new SystemSettings();
                try
                {
                    settings.Set(BacklogSysctl, options.NetdevMaxBacklog.ToString(CultureInfo.InvariantCulture));
                    console.MarkupLine($"sysctl {BacklogSysctl}: {settings.Changed[^1].Previous} → {options.NetdevMaxBacklog} for the run");
                    if (!options.SkipForwarding)
                    {
                        await RunForwardingAsync(results, raw, cancellationToken).ConfigureAwait(false);
                    }

                    if (!options.SkipMemory)
                    {
                        await RunMemoryAsync(results, raw, cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    results.Sysctls.AddRange(settings.Changed);
                    settings.Dispose();
                }
            },
            () => new ResultsWriter(results, folder).WriteAll(),
            cancellationToken).ConfigureAwait(false);
        return (folder, results);
    }

    private static void CheckPrerequisites()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("the benchmark needs root: it creates network namespaces, netfilter rules and cgroups, and sets sysctls");
        }

        foreach (var tool in new[] { "ip", "iptables", "nsenter", "sysctl" })
        {
            if (CommandRunner.FindOnPath(tool) is null)
            {
                throw new InvalidOperationException($"{tool} is missing (./lab build installs what is needed)");
            }
        }
    }

    private async Task RunForwardingAsync(NodeRuntimeResults results, string raw, CancellationToken cancellationToken)
    {
        using var bench = ForwardingBench.Create(options.Placement);
        results.ForeignNamespacesSeen.AddRange(MachineInfo.ForeignNamespaces(bench.Path.Id));
        if (results.ForeignNamespacesSeen.Count > 0)
        {
            console.MarkupLine($"[yellow]other namespaces on the machine (other runs share the CPUs):[/] {Markup.Escape(string.Join(' ', results.ForeignNamespacesSeen))}");
        }

        RouterConfiguration.EnsureBuilt(options.Configurations);
        console.Write(new Rule("generator").LeftJustified());
        foreach (var size in options.Sizes)
        {
            var check = CheckGenerator(bench, size, cancellationToken);
            results.GeneratorChecks.Add(check);
            console.MarkupLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{size} B: unpaced {check.Unpaced.OfferedRate / 1000:0.0} kpps offered ({check.Unpaced.Failed} refused), {check.UnpacedReceivedRate / 1000:0.0} kpps received; " +
                $"paced at {check.PacedRate / 1000:0} kpps: offered {check.Paced.OfferedRate / 1000:0.00} kpps ({check.PacedOfferedError:+0.00%;-0.00%}), received {check.PacedReceivedRate / 1000:0.00} kpps ({check.PacedReceivedError:+0.00%;-0.00%})"));
        }

        var context = new ConfigurationContext(bench.Path, raw, options.BatchSize, options.QueueMaxLength);
        for (var repetition = 1; repetition <= options.Repetitions; repetition++)
        {
            foreach (var key in options.Configurations)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var configuration = RouterConfiguration.Create(key);
                results.ConfigurationTitles[key] = configuration.Title;
                console.Write(new Rule($"[bold]({key}) {Markup.Escape(configuration.Title)}[/] — repetition {repetition}/{options.Repetitions}").LeftJustified());
                var error = await configuration.MeasureAsync(
                    context,
                    results,
                    $"configuration {key}, repetition {repetition}",
                    async () =>
                    {
                        foreach (var size in options.Sizes)
                        {
                            var high = results.GeneratorChecks.First(c => c.Size == size).MaxRate;
                            results.Searches.Add(Search(bench, configuration, size, repetition, high, cancellationToken));
                        }

                        if (await configuration.DescribeAsync(cancellationToken).ConfigureAwait(false) is { } description)
                        {
                            results.ConfigurationReports.Add((key, repetition, description));
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
                if (error is not null)
                {
                    console.MarkupLine($"[red]configuration {key} failed:[/] {Markup.Escape(error)}");
                }
            }
        }

        console.Write(new Rule("MLFFR, kpps: median [[min–max]]").LeftJustified());
        console.Write(SummaryTable(results));
    }

    /// <summary>
    /// Samples how busy other work keeps the CPUs and, with <see cref="NodeRuntimeOptions.QuietWaitSeconds"/>,
    /// waits for it to fall below the threshold. Returns the last busy fraction.
    /// </summary>
    private double WaitForQuiet(CancellationToken cancellationToken) =>
        CpuLoad.WaitForQuiet(TimeSpan.FromSeconds(options.BusySampleSeconds), options.QuietBusyFraction, TimeSpan.FromSeconds(options.QuietWaitSeconds), console, cancellationToken);

    private GeneratorCheck CheckGenerator(ForwardingBench bench, int size, CancellationToken cancellationToken)
    {
        var frame = bench.Frame(size);
        var seconds = Math.Max(0.5, options.TrialSeconds);

        // The best of three unpaced runs: a burst of other work during one must not lower every search's high bound.
        GeneratorResult? unpaced = null;
        long unpacedReceived = 0;
        for (var run = 0; run < 3; run++)
        {
            WaitForQuiet(cancellationToken);
            bench.WaitUntilQuiet(null, cancellationToken);
            bench.ReceiverCounter.Zero();
            var result = bench.Generator.Run(
                frame,
                new GeneratorRequest(0, (long)(3_000_000 * seconds), TimeSpan.FromSeconds(seconds)) { Cpu = options.Placement.GeneratorCpu, Nice = options.Placement.GeneratorNice, Pacing = options.Placement.GeneratorPacing, MaxBatch = bench.GeneratorBatch },
                cancellationToken);
            bench.WaitUntilQuiet(null, cancellationToken);
            var received = bench.ReceiverCounter.Read();
            if (unpaced is null || result.OfferedRate > unpaced.OfferedRate)
            {
                unpaced = result;
                unpacedReceived = received;
            }
        }

        ArgumentNullException.ThrowIfNull(unpaced);

        // The pacing check runs where plain forwarding loses nothing, well below the generator's maximum.
        WaitForQuiet(cancellationToken);
        var rate = Math.Round(Math.Min(200_000, unpaced.OfferedRate / 2) / 1000) * 1000;
        var (trial, paced) = bench.RunTrial(frame, rate, seconds, null, cancellationToken);
        return new GeneratorCheck(size, unpaced, unpacedReceived, rate, paced, trial.Received);
    }

    private SearchRecord Search(ForwardingBench bench, RouterConfiguration configuration, int size, int repetition, double high, CancellationToken cancellationToken)
    {
        var frame = bench.Frame(size);
        var busy = WaitForQuiet(cancellationToken);

        var watch = Stopwatch.StartNew();

        // Uncounted warm-up: the JIT tiers the container's reader up, caches and neighbour entries fill.
        var warmupRate = Math.Min(options.WarmupRate, high / 2);
        var (warmup, _) = bench.RunTrial(frame, warmupRate, options.WarmupSeconds, configuration.Queue, cancellationToken);
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"  {size} B warm-up {warmupRate / 1000:0} kpps: offered {warmup.Offered}, received {warmup.Received}, bypassed {warmup.Bypassed}")));

        var searchOptions = new MlffrSearchOptions
        {
            LowRate = options.LowRate,
            HighRate = high,
            Resolution = options.Resolution,
            RelativeResolution = options.RelativeResolution,
            RateTolerance = options.RateTolerance,
            MaxTrials = options.MaxTrials,
            Confirmations = options.Confirmations,
        };
        var search = new MlffrSearch(searchOptions);
        search.TrialCompleted += step => console.MarkupLine(TrialLine(size, step));
        var result = search.Run(rate => bench.RunTrial(frame, rate, options.TrialSeconds, configuration.Queue, cancellationToken).Trial, cancellationToken);
        var record = new SearchRecord(configuration.Key, size, repetition, high, result, watch.Elapsed, busy);
        var limit = result.LimitedByGenerator ? " (the generator's maximum: the router kept up)" : string.Empty;
        console.MarkupLine($"  [bold]=> ({configuration.Key}) {size} B: MLFFR {record.MlffrKpps:0.0} kpps[/]{Markup.Escape(limit)} after {result.Steps.Count} trials, {watch.Elapsed.TotalSeconds:0} s");
        return record;
    }

    private async Task RunMemoryAsync(NodeRuntimeResults results, string raw, CancellationToken cancellationToken)
    {
        BuildOutputs.EnsureNode();
        var memory = new MemoryBenchmark(options, line => console.MarkupLine("  " + Markup.Escape(line)), raw);
        console.Write(new Rule("memory per container (PSS)").LeftJustified());
        foreach (var count in options.ContainerCounts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Memory.Add(await MeasureAsync(memory, MemoryVariant.Baseline, count, cancellationToken).ConfigureAwait(false));
        }

        if (options.VariantContainers <= 0)
        {
            return;
        }

        var baseline = results.Memory.FirstOrDefault(m => m.Variant == MemoryVariant.Baseline && m.Containers == options.VariantContainers && m.Succeeded)
            ?? await MeasureAsync(memory, MemoryVariant.Baseline, options.VariantContainers, cancellationToken).ConfigureAwait(false);
        if (!results.Memory.Contains(baseline))
        {
            results.Memory.Add(baseline);
        }

        var helpful = new List<MemoryVariant>();
        foreach (var variant in MemoryVariant.Candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sample = await MeasureAsync(memory, variant, options.VariantContainers, cancellationToken).ConfigureAwait(false);
            results.Memory.Add(sample);
            if (sample.Succeeded && baseline.Succeeded && sample.MeanMb < baseline.MeanMb - 0.25)
            {
                helpful.Add(variant);
            }
        }

        if (helpful.Count > 1)
        {
            results.Memory.Add(await MeasureAsync(memory, MemoryVariant.Combine(helpful), options.VariantContainers, cancellationToken).ConfigureAwait(false));
        }
    }

    private async Task<MemorySample> MeasureAsync(MemoryBenchmark memory, MemoryVariant variant, int containers, CancellationToken cancellationToken)
    {
        console.MarkupLine($"[bold]{Markup.Escape(variant.Name)}[/], {containers} container(s): {Markup.Escape(variant.EnvironmentText)}");
        var sample = await memory.MeasureAsync(variant, containers, cancellationToken).ConfigureAwait(false);
        console.MarkupLine(sample.Succeeded
            ? string.Create(CultureInfo.InvariantCulture, $"  PSS per container: mean {sample.MeanMb:0.0} MB, median {sample.MedianMb:0.0} MB, max {sample.MaxMb:0.0} MB (after a collection: mean {sample.MeanAfterCollectMb:0.0} MB)")
            : $"  [red]{Markup.Escape(sample.Error ?? "failed")}[/]");
        return sample;
    }

    private static string TrialLine(int size, SearchStep step)
    {
        var t = step.Trial;
        var colour = step.Passed ? "green" : "red";
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"  {size} B trial {step.Index,2}{(step.Attempt > 1 ? " (again)" : string.Empty)}: {t.Rate / 1000,7:0.0} kpps → offered {t.Offered,8} (at {t.OfferedRate / 1000:0.0} kpps, {t.FailedSends} refused), received {t.Received,8}, lost {t.Lost}{(t.Bypassed > 0 ? $" ({t.Bypassed} bypassed the queue)" : string.Empty)}");
        return $"{Markup.Escape(text)} [{colour}]{step.Outcome.ToString().ToLowerInvariant()}[/]";
    }

    private Table SummaryTable(NodeRuntimeResults results)
    {
        var table = new Table().AddColumn("configuration");
        foreach (var size in options.Sizes)
        {
            table.AddColumn($"{size} B");
            table.AddColumn($"paper {size} B");
        }

        foreach (var key in options.Configurations)
        {
            var cells = new List<string> { Markup.Escape($"({key}) {results.ConfigurationTitles.GetValueOrDefault(key, key)}") };
            foreach (var size in options.Sizes)
            {
                cells.Add(results.Mlffr(key, size) is { } m ? Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{m.Median:0.0} [{m.Min:0.0}–{m.Max:0.0}]{(m.AtGeneratorLimit ? " ≥" : string.Empty)}")) : "–");
                cells.Add(PaperReference.Mlffr(key, size) is { } p ? p.ToString(CultureInfo.InvariantCulture) : "–");
            }

            table.AddRow(cells.ToArray());
        }

        return table;
    }
}
