using NetServ.Orchestrator.Commands;
using System.Globalization;
using NetServ.Evaluation.Hosting;
using NetServ.Evaluation.Reporting;
using NetServ.Evaluation.Traffic;
using NetServ.Testbed.Nodes;
using NetServ.Traffic;
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
    private readonly SearchRunner _searches = new(options, console);

    /// <summary>Runs the benchmark; returns the results folder. Throws <see cref="OperationCanceledException"/> after cleaning up when stopped.</summary>
    public async Task<(string Folder, NodeRuntimeResults Results)> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        options.Validate();
        var results = new NodeRuntimeResults { Options = options, Arguments = arguments };
        var folder = await BenchmarkRun.RunAsync(
            "node-runtime",
            "NetServ node-runtime benchmark",
            options.Output,
            options.NetdevMaxBacklog,
            results,
            console,
            async (raw, token) =>
            {
                console.MarkupLine($"placement: {Markup.Escape(options.Placement.ToString())}");
                if (!options.SkipForwarding)
                {
                    await RunForwardingAsync(results, raw, token).ConfigureAwait(false);
                }
                else
                {
                    results.TrafficGenerator = TrafficGeneratorUse.None("--skip-forwarding: memory only");
                }

                if (!options.SkipMemory)
                {
                    await RunMemoryAsync(results, raw, token).ConfigureAwait(false);
                }
            },
            (r, f) => new ResultsWriter(r, f).WriteAll(),
            cancellationToken).ConfigureAwait(false);
        return (folder, results);
    }

    private async Task RunForwardingAsync(NodeRuntimeResults results, string raw, CancellationToken cancellationToken)
    {
        using var bench = ForwardingBench.Create(options.Placement);
        BenchmarkRun.NoteNamespaces(results, bench.Path.Id, console);
        results.TrafficGenerator = _searches.UseGenerator(bench, null, cancellationToken);

        RouterConfiguration.EnsureBuilt(options.Configurations);
        console.Heading("generator");
        foreach (var size in options.Sizes)
        {
            var check = bench.CheckGenerator(UdpFrameSet.Of(bench.Frame(size)), size, Math.Max(0.5, options.TrialSeconds), () => _searches.WaitForQuiet(cancellationToken), cancellationToken);
            results.GeneratorChecks.Add(check);
            console.MarkupLine(Markup.Escape(check.Describe()));
        }

        var context = new ConfigurationContext(bench.Path, raw, options.BatchSize, options.QueueMaxLength);
        for (var repetition = 1; repetition <= options.Repetitions; repetition++)
        {
            foreach (var key in options.ConfigurationOrder(repetition))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var configuration = RouterConfiguration.Create(key);
                results.ConfigurationTitles[key] = configuration.Title;
                console.Heading($"[bold]({key}) {Markup.Escape(configuration.Title)}[/] — repetition {repetition}/{options.Repetitions}");
                var error = await configuration.MeasureAsync(
                    context,
                    results,
                    $"configuration {key}, repetition {repetition}",
                    async () =>
                    {
                        foreach (var size in options.Sizes)
                        {
                            if (!ForwardingBench.Fits(configuration.Payload, size))
                            {
                                NoteSkipped(results, key, size, repetition);
                                continue;
                            }

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

        console.Heading("MLFFR, kpps: median [[min–max]]");
        console.Write(SummaryTable(results));
    }


    /// <summary>Notes (once per run) that configuration <paramref name="key"/>'s traffic does not fit frames of <paramref name="size"/> bytes.</summary>
    private void NoteSkipped(NodeRuntimeResults results, string key, int size, int repetition)
    {
        var note = string.Create(CultureInfo.InvariantCulture, $"configuration {key} is not measured at {size} B: a SIP NOTIFY keep-alive does not fit the frame (the paper measured configuration 6 with 340-byte SIP packets only)");
        if (repetition == 1)
        {
            results.Notes.Add(note);
            console.MarkupLine($"  [grey]{Markup.Escape(note)}[/]");
        }
    }

    private SearchRecord Search(ForwardingBench bench, RouterConfiguration configuration, int size, int repetition, double high, CancellationToken cancellationToken)
    {
        var (result, duration, busy) = _searches.Run(bench, UdpFrameSet.Of(bench.Frame(size, configuration.Payload)), configuration.Queue, $"{size} B", high, options.WarmupSeconds, cancellationToken);
        var record = new SearchRecord(configuration.Key, size, repetition, high, result, duration, busy);
        var limit = result.LimitedByGenerator ? " (the generator's maximum: the router kept up)" : string.Empty;
        console.MarkupLine($"  [bold]=> ({configuration.Key}) {size} B: MLFFR {record.MlffrKpps:0.0} kpps[/]{Markup.Escape(limit)} after {result.Steps.Count} trials, {duration.TotalSeconds:0} s");
        return record;
    }

    private async Task RunMemoryAsync(NodeRuntimeResults results, string raw, CancellationToken cancellationToken)
    {
        BuildOutputs.EnsureNode();
        var memory = new MemoryBenchmark(options, line => console.MarkupLine("  " + Markup.Escape(line)), raw);
        console.Heading("memory per container (PSS)");
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
