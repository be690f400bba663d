using NetServ.Orchestrator.Commands;
using System.Globalization;
using System.Net;
using NetServ.Evaluation.Hosting;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Evaluation.Traffic;
using NetServ.Networking;
using NetServ.Testbed.Linux;
using NetServ.Traffic;
using Spectre.Console;

namespace NetServ.Evaluation.Latency;

/// <summary>
/// The latency benchmark (the paper's Figure 13): one-way latency through the router of the
/// sender — router — receiver path in each router configuration, at a low paced rate, from send
/// times carried in the packets and the receiver kernel's timestamps. Writes a results folder.
/// Everything it creates (namespaces, rules, processes) is removed, also on failure and Ctrl-C.
/// </summary>
internal sealed class LayerLatencyBenchmark(LayerLatencyOptions options, IAnsiConsole console)
{
    /// <summary>Runs the benchmark; returns the results folder. Throws <see cref="OperationCanceledException"/> after cleaning up when stopped.</summary>
    public async Task<(string Folder, LayerLatencyResults Results)> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        options.Validate();
        if (Prerequisites.Missing("ip", "iptables", "nsenter") is { } missing)
        {
            throw new InvalidOperationException(missing);
        }

        var started = DateTimeOffset.Now;
        var folder = RunRecord.CreateFolder(options.Output, started, "latency");
        var results = new LayerLatencyResults
        {
            Started = started,
            Options = options,
            Arguments = arguments,
            Machine = MachineInfo.Describe(),
            TrafficGenerator = options.TrafficGenerator,
        };
        await results.SampleMachineAsync(cancellationToken).ConfigureAwait(false);
        console.Heading("[bold]NetServ latency per layer (Figure 13)[/]");
        console.MarkupLine($"results: [blue]{Markup.Escape(folder)}[/]");
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{options.Packets} packets of {options.WireBytes} B at {options.Rate:0}/s per configuration ({string.Join(", ", options.Configurations)}); sender CPU {options.Placement.GeneratorCpu}, receiver CPU {options.ReceiverCpu}; load average {results.LoadAverageAtStart}, CPUs {results.MachineBusyAtStart:0%} busy with other work")));
        GeneratorOption.Announce(console, results.TrafficGenerator);
        await results.RunAsync(
            folder,
            console,
            () => MeasureAllAsync(results, Path.Combine(folder, "raw"), cancellationToken),
            () => new LayerLatencyWriter(results, folder).WriteAll(),
            cancellationToken).ConfigureAwait(false);

        return (folder, results);
    }

    private async Task MeasureAllAsync(LayerLatencyResults results, string raw, CancellationToken cancellationToken)
    {
        RouterConfiguration.EnsureBuilt(options.Configurations);
        using var path = BenchPath.Create(options.Placement);
        results.ForeignNamespacesSeen.AddRange(MachineInfo.ForeignNamespaces(path.Id));
        if (results.ForeignNamespacesSeen.Count > 0)
        {
            console.MarkupLine($"[yellow]other namespaces on the machine (other runs share the CPUs):[/] {Markup.Escape(string.Join(' ', results.ForeignNamespacesSeen))}");
        }

        using var probe = LatencyProbe.Open(
            new IPEndPoint(IPAddress.Parse(BenchPath.SenderAddress), BenchPath.SourcePort),
            new IPEndPoint(IPAddress.Parse(BenchPath.ReceiverAddress), BenchPath.Port),
            path.Sender,
            path.Receiver);
        var context = new ConfigurationContext(path, raw, options.BatchSize, options.QueueMaxLength);
        foreach (var key in options.Configurations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var configuration = RouterConfiguration.Create(key);
            console.Heading($"[bold]({key}) {Markup.Escape(configuration.Title)}[/]");
            var error = await configuration.MeasureAsync(
                context,
                results,
                $"configuration {key}",
                async () => results.Layers.Add(await MeasureAsync(probe, configuration, cancellationToken).ConfigureAwait(false)),
                cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                console.MarkupLine($"[red]configuration {key} failed:[/] {Markup.Escape(error)}");
            }
        }

        console.Heading("one-way latency through the router, µs");
        console.Write(SummaryTable(results));
    }

    /// <summary>The console's table: one row a configuration.</summary>
    public static Table SummaryTable(LayerLatencyResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var table = new Table().AddColumns("configuration", "received", "median", "p90", "p99", "max", "added vs (1)");
        foreach (var l in results.Layers)
        {
            var s = l.Statistics;
            table.AddRow(
                Markup.Escape($"({l.Key}) {l.Title}"),
                $"{s.Received}/{s.Sent}",
                F(s.MedianUs),
                F(s.P90Us),
                F(s.P99Us),
                F(s.MaxUs),
                results.AddedUs(l.Key) is { } added ? added.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) : "–");
        }

        return table;
    }

    private static string F(double value) => double.IsFinite(value) ? value.ToString("0.0", CultureInfo.InvariantCulture) : "–";

    private async Task<LayerMeasurement> MeasureAsync(LatencyProbe probe, RouterConfiguration configuration, CancellationToken cancellationToken)
    {
        var request = new LatencyRequest(options.Rate, options.Packets, TimeSpan.FromSeconds((options.Seconds * 1.5) + 1))
        {
            PayloadBytes = options.PayloadBytes,
            SenderCpu = options.Placement.GeneratorCpu,
            ReceiverCpu = options.ReceiverCpu,
            Drain = TimeSpan.FromSeconds(options.DrainSeconds),
        };
        if (configuration.Payload == UdpPayloadKind.SipKeepAlive)
        {
            // KeepAlive must see keep-alives: a SIP NOTIFY whose body is the stamp.
            request = request with
            {
                PayloadTemplate = SipKeepAliveMessage.Build(Ipv4Address.Parse(BenchPath.SenderAddress), BenchPath.SourcePort, Ipv4Address.Parse(BenchPath.ReceiverAddress), BenchPath.Port, options.PayloadBytes, LatencyStamp.Length),
                StampOffset = options.PayloadBytes - LatencyStamp.Length,
            };
        }

        // Other work on the machine (and the configuration's own start) settles before the warm-up and the measurement.
        var busy = CpuLoad.WaitForQuiet(TimeSpan.FromSeconds(options.BusySampleSeconds), options.QuietBusyFraction, TimeSpan.FromSeconds(options.QuietWaitSeconds), console, cancellationToken);
        LatencyRun? warmup = null;
        if (options.WarmupSeconds > 0)
        {
            var packets = (int)Math.Max(1, Math.Round(options.Rate * options.WarmupSeconds));
            warmup = await RunAsync(probe, request with { Packets = packets, MaxDuration = TimeSpan.FromSeconds((options.WarmupSeconds * 1.5) + 1) }, "warm-up", cancellationToken).ConfigureAwait(false);
        }

        var before = configuration.Queue?.Read();
        var run = await RunAsync(probe, request, "measure", cancellationToken).ConfigureAwait(false);
        var after = configuration.Queue?.Read();
        var router = await configuration.DescribeAsync(cancellationToken).ConfigureAwait(false);
        var layer = LayerMeasurement.From(configuration.Key, configuration.Title, run, warmup, before, after, router, options.HistogramBinsPerDecade) with { MachineBusyBefore = busy };

        var s = layer.Statistics;
        console.MarkupLine(Markup.Escape(string.Create(
            CultureInfo.InvariantCulture,
            $"  ({layer.Key}) other work {busy:0%} of the CPUs; received {s.Received}/{s.Sent} (warm-up {warmup?.Received}/{warmup?.Sent}): median {s.MedianUs:0.0} µs, p10 {s.P10Us:0.0}, p90 {s.P90Us:0.0}, p99 {s.P99Us:0.0}, max {s.MaxUs:0.0}; receiver socket delay {layer.SocketDelayMedianUs:0.0} µs{(layer.QueueMatched is { } m ? $"; queue matched {m}, bypassed {layer.Bypassed}" : string.Empty)}")));
        return layer;
    }

    /// <summary>One probe run with a progress bar of the packets sent.</summary>
    private async Task<LatencyRun> RunAsync(LatencyProbe probe, LatencyRequest request, string label, CancellationToken cancellationToken)
    {
        LatencyRun? run = null;
        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(string.Create(CultureInfo.InvariantCulture, $"  {label}: {request.Packets} packets"), maxValue: request.Packets);
                var running = Task.Run(() => probe.Run(request, cancellationToken), CancellationToken.None);
                while (!running.IsCompleted)
                {
                    task.Value = probe.SentSoFar;
                    await Task.WhenAny(running, Task.Delay(100, CancellationToken.None)).ConfigureAwait(false);
                }

                run = await running.ConfigureAwait(false);
                task.Value = request.Packets;
            }).ConfigureAwait(false);

        // A stopped run still returns what it saw; the benchmark ends here and cleans up.
        cancellationToken.ThrowIfCancellationRequested();
        return run!;
    }
}
