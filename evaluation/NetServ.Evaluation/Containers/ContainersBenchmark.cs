using NetServ.Orchestrator.Commands;
using System.Diagnostics;
using System.Globalization;
using NetServ.Evaluation.Hosting;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Evaluation.Reporting;
using NetServ.Testbed.Nodes;
using NetServ.Traffic;
using Spectre.Console;

namespace NetServ.Evaluation.Containers;

/// <summary>
/// The container-count benchmark (the paper's Figure 14): netservd on the router with N users, each
/// user's container running NetMonitor with a filter for that user's share of the traffic, and the
/// generator spreading every trial evenly over all N. For each N: the peak throughput (MLFFR, RFC 2544
/// search), the throughput at saturation (what the containers process while the most is offered),
/// and each container's memory while it processes the peak rate. Placement, limits and trials are
/// those of node-runtime. Everything it creates is removed, also on failure and Ctrl-C.
/// </summary>
internal sealed class ContainersBenchmark(ContainersOptions options, IAnsiConsole console)
{
    /// <summary>Configuration 5 of the paper's section 9, the one every container here runs.</summary>
    private const string Configuration = "5";

    private readonly SearchRunner _searches = new(options.Measurement, console);

    /// <summary>Runs the benchmark; returns the results folder. Throws <see cref="OperationCanceledException"/> after cleaning up when stopped.</summary>
    public async Task<(string Folder, ContainersResults Results)> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        options.Validate();
        var results = new ContainersResults { Options = options, Arguments = arguments };
        var folder = await BenchmarkRun.RunAsync(
            "containers",
            "NetServ container-count benchmark (paper Figure 14)",
            options.Output,
            options.Measurement.NetdevMaxBacklog,
            results,
            console,
            (raw, token) => MeasureAsync(results, raw, token),
            (r, f) => new ContainersResultsWriter(r, f).WriteAll(),
            cancellationToken).ConfigureAwait(false);
        return (folder, results);
    }

    private async Task MeasureAsync(ContainersResults results, string raw, CancellationToken cancellationToken)
    {
        var measurement = options.Measurement;
        console.MarkupLine($"placement: {Markup.Escape(measurement.Placement.ToString())}");
        BuildOutputs.EnsureNode();
        BuildOutputs.EnsurePackage("NetServ.Apps.NetMonitor", "applications/NetMonitor");

        var most = UserShare.Assign(options.Counts.Max());
        using var bench = ForwardingBench.Create(measurement.Placement, most[^1].Port);

        // A hundred full queues hold hundreds of thousands of packets: draining them takes seconds.
        bench.QuietTimeout = TimeSpan.FromSeconds(60);
        BenchmarkRun.NoteNamespaces(results, bench.Path.Id, console);
        results.TrafficGenerator = _searches.UseGenerator(bench, options.ClickCannot, cancellationToken);

        console.Heading("generator");
        var frames = bench.Frames(options.Size, most.Select(u => u.Port).ToArray());
        results.Generator = bench.CheckGenerator(frames, options.Size, Math.Max(0.5, measurement.TrialSeconds), () => _searches.WaitForQuiet(cancellationToken), cancellationToken);
        console.MarkupLine(Markup.Escape($"{results.Generator.Describe()} (cycling through {frames.Count} frames, UDP ports {most[0].Port}–{most[^1].Port})"));

        var context = new ConfigurationContext(bench.Path, raw, measurement.BatchSize, measurement.QueueMaxLength);
        context = options.HangTimeoutMs is { } hang ? context with { HangTimeoutMs = hang } : context;
        foreach (var count in options.Counts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = new ContainerCountResult(count) { HighRate = results.Generator.MaxRate };
            results.Counts.Add(result);
            console.Heading($"[bold]{ContainersResultsWriter.Plural(count, "container")}[/], NetMonitor in each");
            Action<string> progress = _ => { };
            var node = new NodeContainer(NodeContainer.Layer.NetMonitor, UserShare.Assign(count)) { Progress = line => progress(line) };
            try
            {
                await console.Status().StartAsync($"starting netservd with {count} containers", async status =>
                {
                    progress = line => status.Status(Markup.Escape(line));
                    var watch = Stopwatch.StartNew();
                    await node.StartAsync(context, cancellationToken).ConfigureAwait(false);
                    result.SetupTime = watch.Elapsed;
                }).ConfigureAwait(false);
                progress = _ => { };
                result.NodeName = node.Node?.Options.Node.NodeName;
                console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"  {ContainersResultsWriter.Plural(count, "container")} ready with NetMonitor, {ContainersResultsWriter.Plural(count, "filter rule")}, after {result.SetupTime.TotalSeconds:0.0} s"));
                await MeasureCountAsync(bench, node, result, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException && e is not OutOfMemoryException)
            {
                // One count failing (a node that does not come up in time) does not void the others.
                result.Error = e.Message;
                results.Errors.Add($"{count} containers: {e.Message}");
                console.MarkupLine($"[red]{count} containers failed:[/] {Markup.Escape(e.Message)}");
            }
            finally
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }

            // A node that leaves anything behind would falsify the next count: stop.
            bench.Path.EnsureRouterClean();
        }

        console.Heading("container count: peak and saturation throughput (kpps), memory per container (MB)");
        console.Write(SummaryTable(results));
    }

    private async Task MeasureCountAsync(ForwardingBench bench, NodeContainer node, ContainerCountResult result, CancellationToken cancellationToken)
    {
        var measurement = options.Measurement;
        var frames = bench.Frames(options.Size, node.Users.Select(u => u.Port).ToArray());
        var label = $"N={result.Containers}";
        for (var repetition = 1; repetition <= measurement.Repetitions; repetition++)
        {
            var (search, duration, busy) = _searches.Run(bench, frames, node.Queue, label, result.HighRate, options.WarmupSeconds(result.Containers), cancellationToken);
            var record = new SearchRecord(Configuration, options.Size, repetition, result.HighRate, search, duration, busy);
            result.Searches.Add(record);
            var limit = search.LimitedByGenerator ? " (the generator's maximum: the node kept up)" : string.Empty;
            console.MarkupLine($"  [bold]=> {ContainersResultsWriter.Plural(result.Containers, "container")}, repetition {repetition}/{measurement.Repetitions}: peak {record.MlffrKpps:0.0} kpps[/]{Markup.Escape(limit)} after {search.Steps.Count} trials, {duration.TotalSeconds:0} s");

            var saturation = Saturate(bench, frames, node, repetition, options.SaturationRate ?? result.HighRate, cancellationToken);
            result.Saturations.Add(saturation);
            if (await ModulesFailedAsync(node, result, $"repetition {repetition}", cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            console.MarkupLine(Markup.Escape(string.Create(
                CultureInfo.InvariantCulture,
                $"  => saturation: offered {saturation.Trial.OfferedRate / 1000:0.0} kpps; over {saturation.WindowSeconds:0.00} s inside the trial the containers processed {saturation.ProcessedRate / 1000:0.0} kpps, the receiver got {saturation.ReceivedRate / 1000:0.0} kpps; over the whole trial {saturation.Trial.Bypassed} packets passed full queues unprocessed")));
            if (!saturation.SawTraffic)
            {
                console.MarkupLine("  [yellow]no traffic arrived during the window (the generator started late): this saturation trial is left out[/]");
            }
        }

        var peak = result.PeakKpps!.Value.Median * 1000;
        await ReadMemoryUnderLoadAsync(bench, frames, node, result, Math.Max(measurement.LowRate, peak), cancellationToken).ConfigureAwait(false);
        result.Counts = await node.CountsAsync(cancellationToken).ConfigureAwait(false);
        if (await ModulesFailedAsync(node, result, "the memory trial", cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var monitored = result.Counts.Select(c => c.NetMonitorPackets ?? 0).ToArray();
        console.MarkupLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  NetMonitor counted {monitored.Min()}–{monitored.Max()} packets per container ({monitored.Sum()} in all): the traffic was spread over every container"));
    }

    /// <summary>
    /// Whether the node has taken a module out of the packet path (hung) or lost a container: from then
    /// on fewer than N containers process their share, so this count's measurement ends there, marked.
    /// </summary>
    private async Task<bool> ModulesFailedAsync(NodeContainer node, ContainerCountResult result, string when, CancellationToken cancellationToken)
    {
        var failures = await node.FailuresAsync(cancellationToken).ConfigureAwait(false);
        if (failures.Count == 0)
        {
            return false;
        }

        result.ModuleFailures.AddRange(failures);
        result.Counts = await node.CountsAsync(cancellationToken).ConfigureAwait(false);
        result.Error = $"the node reported {failures.Count} module or container failure(s) by the end of {when} (hang timeout {node.HangTimeoutMs} ms), so fewer than {result.Containers} containers processed their share; the measurement of this count stopped there. First: {failures[^1]}";
        console.MarkupLine($"  [red]{Markup.Escape(result.Error)}[/]");
        return true;
    }

    /// <summary>
    /// Offers <paramref name="rate"/> for a trial and reads the kernel's queue counters (and the receiver's)
    /// at the start and the end of the options' window inside it.
    /// </summary>
    private SaturationSample Saturate(ForwardingBench bench, UdpFrameSet frames, NodeContainer node, int repetition, double rate, CancellationToken cancellationToken)
    {
        var probe = node.KernelQueues ?? throw new InvalidOperationException("the node's queues are not known");
        var seconds = options.Measurement.TrialSeconds;
        WindowCounters start = default, end = default;

        // The node's own probe around the trial (its containers' counts), the kernel's inside it.
        var trial = bench.RunTrial(frames, rate, seconds, node.Queue, cancellationToken, token =>
        {
            var begin = Stopwatch.GetTimestamp();
            SleepUntil(begin, options.SaturationWindow.Start * seconds, token);
            start = ReadWindow(bench, probe);
            SleepUntil(begin, options.SaturationWindow.End * seconds, token);
            end = ReadWindow(bench, probe);
        });
        return new SaturationSample(repetition, trial, start, end);
    }

    /// <summary>Reads every container's memory (and netservd's) a third into a trial at <paramref name="rate"/>.</summary>
    private async Task ReadMemoryUnderLoadAsync(ForwardingBench bench, UdpFrameSet frames, NodeContainer node, ContainerCountResult result, double rate, CancellationToken cancellationToken)
    {
        var containers = await node.CountsAsync(cancellationToken).ConfigureAwait(false);
        var nodePid = node.Node?.Pid ?? 0;
        var seconds = options.MemoryTrialSeconds;
        var measured = new List<ContainerMemory>();
        var readFor = TimeSpan.Zero;
        var sent = bench.RunTrial(frames, rate, seconds, node.KernelQueues, cancellationToken, token =>
        {
            var begin = Stopwatch.GetTimestamp();
            SleepUntil(begin, seconds / 3, token);
            measured.AddRange(containers.Select(c => ContainerMemory.Read(c.User, c.Pid)));
            result.NodePssBytes = MemoryBenchmark.SmapsRollup(nodePid).GetValueOrDefault("Pss");
            readFor = Stopwatch.GetElapsedTime(begin);
        });
        result.MemoryTrialRate = rate;
        result.MemoryReadUnderLoad = readFor < sent.Duration;
        var error = measured.All(m => m.PssBytes > 0) ? null : $"{measured.Count(m => m.PssBytes > 0)} of {containers.Count} containers could be measured";
        result.Memory = new MemorySample(MemoryVariant.Baseline, result.Containers, measured, result.SetupTime, error);
        console.MarkupLine(result.Memory.Succeeded
            ? string.Create(CultureInfo.InvariantCulture, $"  => memory at {rate / 1000:0.0} kpps: PSS per container mean {result.Memory.MeanMb:0.0} MB, max {result.Memory.MaxMb:0.0} MB (private mean {result.Memory.MeanPrivateMb:0.0} MB); netservd {result.NodePssBytes / 1048576.0:0.0} MB{(result.MemoryReadUnderLoad ? string.Empty : "; [yellow]the trial ended before every container was read[/]")}")
            : $"  [red]{Markup.Escape(error ?? "memory not measured")}[/]");
    }

    private static WindowCounters ReadWindow(ForwardingBench bench, KernelQueueProbe probe)
    {
        // Two /proc files read in this process, back to back: no program is started while the window is timed.
        var before = Stopwatch.GetTimestamp();
        var (handed, waiting) = probe.Totals();
        var received = bench.ReceivedOnInterface();
        var after = Stopwatch.GetTimestamp();
        return new WindowCounters(before + ((after - before) / 2), handed, waiting, received);
    }

    private static void SleepUntil(long begin, double seconds, CancellationToken cancellationToken)
    {
        var remaining = TimeSpan.FromSeconds(seconds) - Stopwatch.GetElapsedTime(begin);
        if (remaining > TimeSpan.Zero)
        {
            cancellationToken.WaitHandle.WaitOne(remaining);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private static Table SummaryTable(ContainersResults results)
    {
        var table = new Table().AddColumns("containers", "peak (MLFFR)", "saturation", "PSS per container: mean", "max", "paper");
        foreach (var count in results.Counts)
        {
            table.AddRow(
                count.Containers.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(ContainersResultsWriter.PeakText(count)),
                Markup.Escape(ContainersResultsWriter.SaturationText(count)),
                count.Memory is { Succeeded: true } m ? m.MeanMb.ToString("0.0", CultureInfo.InvariantCulture) : "–",
                count.Memory is { Succeeded: true } n ? n.MaxMb.ToString("0.0", CultureInfo.InvariantCulture) : "–",
                PaperReference.MemoryPerContainerMb is { } paper ? $"~{paper:0} MB" : "–");
        }

        return table;
    }
}
