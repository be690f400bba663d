using System.CommandLine;
using System.Globalization;
using NetServ.Evaluation.Containers;
using NetServ.Evaluation.Hosting;
using NetServ.Evaluation.Latency;
using NetServ.Evaluation.Mlffr;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Evaluation.OpenFlow;
using NetServ.Evaluation.SignalingLatency;
using NetServ.Evaluation.Traffic;
using NetServ.Orchestrator.Commands;
using NetServ.Testbed.Linux;
using NetServ.Traffic;
using Spectre.Console;

namespace NetServ.Evaluation;

/// <summary>The netserv-eval command line: all (the whole evaluation in one folder), node-runtime (the section 9 benchmark), latency (latency per layer, Figure 13), containers (Figure 14), signaling (latency of SETUP, PROBE, REMOVE), openflow (NetServ on OpenFlow, section 10) and generator (a check of the traffic generator).</summary>
internal static class EvaluationCli
{
    public static async Task<int> RunAsync(string[] args, IAnsiConsole? console = null, CancellationToken cancellationToken = default)
    {
        console ??= CommandConsole.Create(Console.Out);
        var root = new RootCommand("netserv-eval: the evaluation of NetServ for .NET (paper sections 9 and 10). Needs root.");
        root.Subcommands.Add(AllCommand(console, cancellationToken));
        root.Subcommands.Add(NodeRuntimeCommand(console, cancellationToken));
        root.Subcommands.Add(LatencyCommand(console, cancellationToken));
        root.Subcommands.Add(ContainersCommand(console, cancellationToken));
        root.Subcommands.Add(SignalingCommand(console, cancellationToken));
        root.Subcommands.Add(OpenFlowCommand(console, cancellationToken));
        root.Subcommands.Add(GeneratorCommand(console, cancellationToken));
        root.Subcommands.Add(CompareCommand(console));

        // The runs handle Ctrl-C and SIGTERM themselves: they must clean up, however long that takes.
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, cancellationToken).ConfigureAwait(false);
    }

    private static Command AllCommand(IAnsiConsole console, CancellationToken outer)
    {
        var quick = new Option<bool>("--quick") { Description = "a short evaluation of a few minutes: every benchmark in its --quick form" };
        var output = new Option<string?>("--output") { Description = "the folder in which the results folder <yyyyMMdd-HHmmss>-evaluation is created (default evaluation/results)" };
        var benchmarks = new Option<string>("--benchmarks") { Description = "which benchmarks, in order (default node-runtime,latency,containers)" };
        var trialSeconds = new Option<double?>("--trial-seconds") { Description = "length of one MLFFR trial (default 2)" };
        var repetitions = new Option<int?>("--repetitions") { Description = "searches per configuration and size (default 3; 2 for containers)" };
        var counts = new Option<string>("--counts") { Description = "container counts of the containers benchmark (default 1,10,50,100)" };
        var quietWait = new Option<double?>("--quiet-wait") { Description = "before each measurement, wait up to this many seconds for other work to calm down (default 60; 0 in --quick)" };
        var generator = GeneratorOption.Create(
            "traffic generator of each benchmark: paced (default), click (Click on the sender, an error naming the node where it has none; latency's timestamped packets and containers' several flows a trial are beyond Click, so click is an error where they run) "
            + "or auto (Click where a benchmark can use it and the sender has it, paced elsewhere, said on the console); NETSERV_CLICK names the click executable");
        var runs = new Option<int?>("--runs") { Description = "run the whole evaluation this many times, each in its own folder, then compare the target ratios across runs (comparison.json, comparison.md, comparison.png; default 1)" };
        var command = new Command("all", "the paper's whole evaluation in one results folder: node-runtime (Figure 12), latency per layer (Figure 13) and containers (Figure 14), then summary.json, summary.md and the figures")
        {
            quick, output, benchmarks, trialSeconds, repetitions, counts, quietWait, generator, runs,
        };
        command.SetAction((parse, token) => RunBenchmarkAsync(
            console,
            "all",
            () =>
            {
                var options = parse.GetValue(quick) ? EvaluationSuiteOptions.Quick() : EvaluationSuiteOptions.Full();
                var wait = parse.GetValue(quietWait);
                var choice = GeneratorOption.Parse(parse.GetValue(generator));
                NodeRuntimeOptions Measurement(NodeRuntimeOptions m) => m with
                {
                    TrialSeconds = parse.GetValue(trialSeconds) ?? m.TrialSeconds,
                    Repetitions = parse.GetValue(repetitions) ?? m.Repetitions,
                    QuietWaitSeconds = wait ?? m.QuietWaitSeconds,
                    Generator = choice,
                };
                options = options with
                {
                    Output = parse.GetValue(output) is { } o ? Path.GetFullPath(o) : null,
                    Benchmarks = parse.GetValue(benchmarks) is { } b ? b.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : options.Benchmarks,
                    NodeRuntime = Measurement(options.NodeRuntime),
                    Latency = options.Latency with { QuietWaitSeconds = wait ?? options.Latency.QuietWaitSeconds, Generator = choice },
                    Containers = options.Containers with
                    {
                        Measurement = Measurement(options.Containers.Measurement),
                        Counts = parse.GetValue(counts) is { } c ? Integers(c, "--counts") : options.Containers.Counts,
                    },
                };
                if (parse.GetValue(runs) is < 1 or > 20)
                {
                    throw new ArgumentException("--runs: 1..20");
                }

                options.Validate();
                return options;
            },
            async (options, stop) => parse.GetValue(runs) is int n and > 1
                ? (await new RepeatedEvaluation(options, n, console).RunAsync(Arguments(parse), stop).ConfigureAwait(false)).Completed
                : (await new EvaluationSuite(options, console).RunAsync(Arguments(parse), stop).ConfigureAwait(false)).Completed,
            token,
            outer));
        return command;
    }

    private static Command NodeRuntimeCommand(IAnsiConsole console, CancellationToken outer)
    {
        var sizes = new Option<string>("--sizes") { Description = "frame sizes on the wire in bytes, FCS included (default 64,340)" };
        var containers = new Option<string>("--containers") { Description = "container counts of the memory measurement (default 1,10,50)" };
        var quick = new Option<bool>("--quick") { Description = "a very short run: 1 repetition, 0.5 s trials, coarse resolution, 1 and 3 containers" };
        var configurations = new Option<string>("--configurations") { Description = "router configurations to measure, in order (default 1,2,C,3,4,5)" };
        var variantContainers = new Option<int?>("--variant-containers") { Description = "containers for comparing runtime settings; 0 skips the comparison (default 10)" };
        var skipForwarding = new Option<bool>("--skip-forwarding") { Description = "only measure memory" };
        var skipMemory = new Option<bool>("--skip-memory") { Description = "only measure forwarding rates" };
        var measurement = new MeasurementOptions("node-runtime");

        var command = new Command("node-runtime", "MLFFR of the router configurations of the paper's section 9 (RFC 2544 binary search), and memory per container");
        foreach (var option in new Option[] { sizes, containers, quick, configurations, variantContainers, skipForwarding, skipMemory }.Concat(measurement.All))
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, token) => RunBenchmarkAsync(
            console,
            "node-runtime",
            () =>
            {
                var options = measurement.Apply(parse, parse.GetValue(quick) ? new NodeRuntimeOptions().Quick() : new NodeRuntimeOptions());
                options = options with
                {
                    Sizes = parse.GetValue(sizes) is { } s ? Integers(s, "--sizes") : options.Sizes,
                    ContainerCounts = parse.GetValue(containers) is { } c ? Integers(c, "--containers") : options.ContainerCounts,
                    Configurations = parse.GetValue(configurations) is { } k ? Keys(k) : options.Configurations,
                    VariantContainers = parse.GetValue(variantContainers) ?? options.VariantContainers,
                    SkipForwarding = parse.GetValue(skipForwarding),
                    SkipMemory = parse.GetValue(skipMemory),
                };
                options.Validate();
                return options;
            },
            async (options, stop) => (await new NodeRuntimeBenchmark(options, console).RunAsync(Arguments(parse), stop).ConfigureAwait(false)).Results.Completed,
            token,
            outer));
        return command;
    }

    private static Command LatencyCommand(IAnsiConsole console, CancellationToken outer)
    {
        var rate = new Option<double?>("--rate") { Description = "packets per second, paced (default 1000)" };
        var seconds = new Option<double?>("--seconds") { Description = "length of the measured run of each configuration (default 5)" };
        var size = new Option<int?>("--size") { Description = "frame size on the wire in bytes, FCS included (default 340, the paper's SIP packets)" };
        var warmup = new Option<double?>("--warmup-seconds") { Description = "uncounted run before each measurement, at the same rate (default 1)" };
        var configurations = new Option<string>("--configurations") { Description = "router configurations to measure, in order (default 1,2,C,4,5; 3 is available)" };
        var quick = new Option<bool>("--quick") { Description = "a very short run: 300 packets per configuration, 0.2 s warm-up" };
        var output = new Option<string?>("--output") { Description = "the folder in which the results folder <yyyyMMdd-HHmmss>-latency is created (default evaluation/results)" };
        var receiverCpu = new Option<int?>("--receiver-cpu") { Description = "CPU of the receiving thread (default 1)" };
        var batch = new Option<int?>("--batch") { Description = "queue reader batch, container and C loop (default 64; neither waits for a batch to fill)" };
        var quietWait = new Option<double?>("--quiet-wait") { Description = "before each measurement, wait up to this many seconds until other work uses under --quiet-percent of the CPUs (default 0: no waiting)" };
        var quietPercent = new Option<double?>("--quiet-percent") { Description = "busy percentage of all CPUs under which the machine counts as quiet (default 10)" };
        var generator = GeneratorOption.Create("paced (default) or auto, which is paced here: the packets carry their send time, which Click cannot stamp; click is an error saying so");
        var placement = new PlacementOptions();
        var command = new Command("latency", "one-way latency through the router in each configuration (the paper's Figure 13): paced UDP packets carrying their send time, kernel receive timestamps at the receiver");
        foreach (var option in new Option[] { rate, seconds, size, warmup, configurations, quick, output, receiverCpu, batch, quietWait, quietPercent, generator }.Concat(placement.All))
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, token) => RunBenchmarkAsync(
            console,
            "latency",
            () =>
            {
                var options = new LayerLatencyOptions { Rate = parse.GetValue(rate) ?? 1_000 };
                if (parse.GetValue(quick))
                {
                    options = options.Quick();
                }

                options = options with
                {
                    Seconds = parse.GetValue(seconds) ?? options.Seconds,
                    WireBytes = parse.GetValue(size) ?? options.WireBytes,
                    WarmupSeconds = parse.GetValue(warmup) ?? options.WarmupSeconds,
                    Configurations = parse.GetValue(configurations) is { } k ? Keys(k) : options.Configurations,
                    Output = parse.GetValue(output) is { } o ? Path.GetFullPath(o) : options.Output,
                    ReceiverCpu = parse.GetValue(receiverCpu) ?? options.ReceiverCpu,
                    BatchSize = parse.GetValue(batch) ?? options.BatchSize,
                    QuietWaitSeconds = parse.GetValue(quietWait) ?? options.QuietWaitSeconds,
                    QuietBusyFraction = parse.GetValue(quietPercent) is { } q ? q / 100 : options.QuietBusyFraction,
                    Placement = placement.Apply(parse, options.Placement),
                    Generator = GeneratorOption.Parse(parse.GetValue(generator)),
                };
                options.Validate();
                return options;
            },
            async (options, stop) =>
            {
                var (_, results) = await new LayerLatencyBenchmark(options, console).RunAsync(Arguments(parse), stop).ConfigureAwait(false);
                return results.Completed && results.Errors.Count == 0;
            },
            token,
            outer));
        return command;
    }

    private static Command ContainersCommand(IAnsiConsole console, CancellationToken outer)
    {
        var counts = new Option<string>("--counts") { Description = "container counts (users, one container each), in order (default 1,10,25,50,100)" };
        var size = new Option<int?>("--size") { Description = "frame size on the wire in bytes, FCS included (default 64)" };
        var saturation = new Option<double?>("--saturation-kpps") { Description = "rate offered in the saturation trial (default: the generator's maximum)" };
        var memoryTrial = new Option<double?>("--memory-trial-seconds") { Description = "length of the trial at the peak rate during which memory is read (default 3)" };
        var hang = new Option<int?>("--hang-timeout-ms") { Description = "how long a module may hold one packet before its container takes it out as hung (default: the node's, 1000)" };
        var quick = new Option<bool>("--quick") { Description = "a very short run: 1 and 3 containers, 1 repetition, 0.5 s trials, coarse resolution" };
        var measurement = new MeasurementOptions(
            "containers",
            "traffic generator of the measured trials: paced (default), click (Click on the sender; only with --counts 1: more containers mean several flows a trial, which a Click run cannot send) or auto (Click where it can send and the sender has it, else paced, said on the console)");

        var command = new Command("containers", "the paper's Figure 14: peak throughput (MLFFR), throughput at saturation and memory per container of a node with N containers running NetMonitor, traffic spread evenly over them");
        foreach (var option in new Option[] { counts, size, saturation, memoryTrial, hang, quick }.Concat(measurement.All))
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, token) => RunBenchmarkAsync(
            console,
            "containers",
            () =>
            {
                var options = parse.GetValue(quick) ? new ContainersOptions().Quick() : new ContainersOptions();
                options = options with
                {
                    Measurement = measurement.Apply(parse, options.Measurement),
                    Counts = parse.GetValue(counts) is { } c ? Integers(c, "--counts") : options.Counts,
                    Size = parse.GetValue(size) ?? options.Size,
                    SaturationRate = parse.GetValue(saturation) is { } r ? r * 1000 : options.SaturationRate,
                    MemoryTrialSeconds = parse.GetValue(memoryTrial) ?? options.MemoryTrialSeconds,
                    HangTimeoutMs = parse.GetValue(hang) ?? options.HangTimeoutMs,
                };
                options.Validate();
                return options;
            },
            async (options, stop) => (await new ContainersBenchmark(options, console).RunAsync(Arguments(parse), stop).ConfigureAwait(false)).Results.Completed,
            token,
            outer));
        return command;
    }

    private static Command SignalingCommand(IAnsiConsole console, CancellationToken outer)
    {
        var repetitions = new Option<int?>("--repetitions") { Description = "rounds of SETUP, refresh, PROBE and REMOVE; the first is reported apart (default 30)" };
        var quick = new Option<bool>("--quick") { Description = "a very short run: 3 rounds" };
        var output = new Option<string?>("--output") { Description = "the folder in which the results folder <yyyyMMdd-HHmmss>-signaling is created (default evaluation/results)" };
        var logLevel = new Option<string?>("--node-log-level") { Description = "log level of the two nodes, whose logs go to raw/ (default Information; Debug traces GIST)" };
        var floodKpps = new Option<double?>("--flood-kpps") { Description = "rate of the flood phase's UDP flood from the provider to the user through both nodes' NetMonitor (default 300)" };
        var floodSeconds = new Option<double?>("--flood-seconds") { Description = "length of the flood, during which PROBEs and the nodes' admin sockets are timed; 0 leaves the flood phase out (default 60, 5 with --quick)" };
        var command = new Command("signaling", "signaling latency through two NetServ nodes and a plain router: SETUP until the module is active on both nodes, refresh, PROBE and REMOVE round trips; then PROBE and admin requests while a flood crosses both nodes")
        {
            repetitions, quick, output, logLevel, floodKpps, floodSeconds,
        };
        command.SetAction((parse, token) => RunBenchmarkAsync(
            console,
            "signaling",
            () =>
            {
                var options = parse.GetValue(quick) ? new SignalingLatencyOptions().Quick() : new SignalingLatencyOptions();
                options = options with
                {
                    Repetitions = parse.GetValue(repetitions) ?? options.Repetitions,
                    Output = parse.GetValue(output) is { } o ? Path.GetFullPath(o) : options.Output,
                    NodeLogLevel = parse.GetValue(logLevel) ?? options.NodeLogLevel,
                    FloodRate = parse.GetValue(floodKpps) is { } kpps ? kpps * 1000 : options.FloodRate,
                    FloodSeconds = parse.GetValue(floodSeconds) ?? options.FloodSeconds,
                };
                options.Validate();
                return options;
            },
            async (options, stop) =>
            {
                var (_, results) = await new SignalingLatencyBenchmark(options, console).RunAsync(Arguments(parse), stop).ConfigureAwait(false);
                var table = new Table().AddColumns("operation", "median ms", "p10", "p90", "max", "first round");
                foreach (var s in SignalingLatencyBenchmark.Operations.Select(results.Summary).OfType<LatencySummary>())
                {
                    table.AddRow(s.Operation, F(s.Median), F(s.P10), F(s.P90), F(s.Max), s.Cold is { } cold ? F(cold) : "–");
                }

                console.Write(table);
                if (results.Options.FloodSeconds > 0)
                {
                    var flood = new Table().AddColumns("request", "phase", "count", "failed", "median ms", "p99", "max");
                    foreach (var s in results.RequestSummaries())
                    {
                        flood.AddRow(s.Request, s.Phase, s.Count.ToString(CultureInfo.InvariantCulture), s.Failures.ToString(CultureInfo.InvariantCulture), F(s.Median), F(s.P99), F(s.Max));
                    }

                    console.Write(flood);
                }

                // Every request must have been answered, during the flood too.
                return results.Completed && results.FloodFailures == 0;
            },
            token,
            outer));
        return command;
    }

    private static Command OpenFlowCommand(IAnsiConsole console, CancellationToken outer)
    {
        var quick = new Option<bool>("--quick") { Description = "a very short run: one search per configuration, 0.3 s trials from 100 kpps, at most 5 trials" };
        var output = new Option<string?>("--output") { Description = "the folder in which the results folder <yyyyMMdd-HHmmss>-openflow is created (default evaluation/results)" };
        var nodes = new Option<string>("--nodes") { Description = "NetServ node counts on the flow path, in order (default 0,1,2)" };
        var size = new Option<int?>("--size") { Description = "frame size on the wire in bytes, FCS included (default 64)" };
        var flows = new Option<int?>("--flows") { Description = "UDP flows the traffic is spread over (default 8)" };
        var trialSeconds = new Option<double?>("--trial-seconds") { Description = "length of one trial (default 1)" };
        var repetitions = new Option<int?>("--repetitions") { Description = "searches per configuration; median and min/max are reported (default 3)" };
        var high = new Option<double?>("--high-kpps") { Description = "the search's first, highest rate (default 300)" };
        var generatorCpu = new Option<int?>("--generator-cpu") { Description = "CPU of the generator's thread (default 0)" };
        var command = new Command("openflow", "NetServ on OpenFlow (paper section 10): MLFFR through a real Open vSwitch run by the project's controller with 0, 1 and 2 NetServ nodes on the flow path, and the share of packets that visited the controller")
        {
            quick, output, nodes, size, flows, trialSeconds, repetitions, high, generatorCpu,
        };
        command.SetAction((parse, token) => RunBenchmarkAsync(
            console,
            "openflow",
            () =>
            {
                var options = parse.GetValue(quick) ? new OpenFlowOptions().Quick() : new OpenFlowOptions();
                options = options with
                {
                    Output = parse.GetValue(output) is { } o ? Path.GetFullPath(o) : options.Output,
                    NodeCounts = parse.GetValue(nodes) is { } n ? Integers(n, "--nodes") : options.NodeCounts,
                    WireBytes = parse.GetValue(size) ?? options.WireBytes,
                    Flows = parse.GetValue(flows) ?? options.Flows,
                    TrialSeconds = parse.GetValue(trialSeconds) ?? options.TrialSeconds,
                    Repetitions = parse.GetValue(repetitions) ?? options.Repetitions,
                    HighRate = parse.GetValue(high) is { } h ? h * 1000 : options.HighRate,
                    GeneratorCpu = parse.GetValue(generatorCpu) ?? options.GeneratorCpu,
                };
                options.Validate();
                return options;
            },
            async (options, stop) => (await new OpenFlowBenchmark(options, console).RunAsync(Arguments(parse), stop).ConfigureAwait(false)).Results.Completed,
            token,
            outer));
        return command;
    }

    /// <summary>
    /// Builds a benchmark's options from the command line (2, with the reason, when they do not hold),
    /// then runs it until it ends or a signal stops it (it cleans up either way): 0 when it completed,
    /// 1 when it failed or completed only in part, 2 when it asked for Click on a sender without it, 130 when stopped.
    /// </summary>
    private static async Task<int> RunBenchmarkAsync<TOptions>(IAnsiConsole console, string name, Func<TOptions> options, Func<TOptions, CancellationToken, Task<bool>> run, CancellationToken token, CancellationToken outer)
    {
        TOptions parsed;
        try
        {
            parsed = options();
        }
        catch (ArgumentException e)
        {
            console.MarkupLine($"[red]netserv-eval {name}:[/] {Markup.Escape(e.Message)}");
            return 2;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, outer);
        using var signals = Signals(linked.Token);
        try
        {
            return await run(parsed, signals.Token).ConfigureAwait(false) ? 0 : 1;
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            console.MarkupLine($"[yellow]stopped ({Markup.Escape(signals.Reason ?? "cancelled")}); everything was cleaned up[/]");
            return 130;
        }
        catch (ClickNotInstalledException e)
        {
            // The results folder records the run as failed; the command line asked for what the sender lacks.
            console.MarkupLine($"[red]netserv-eval {name} {GeneratorOption.Name} click:[/] {Markup.Escape(e.Message)}");
            return 2;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException or NetServ.Signaling.Transport.SignalingException or System.ComponentModel.Win32Exception or NetServ.Testbed.Linux.CommandFailedException)
        {
            console.MarkupLine($"[red]netserv-eval {name} failed:[/] {Markup.Escape(e.Message)}");
            return 1;
        }
    }

    private static string[] Arguments(ParseResult parse) => parse.Tokens.Select(t => t.Value).ToArray();

    /// <summary>Ctrl-C, SIGTERM and SIGHUP as a cancellation of a run, which then cleans up and exits with 130.</summary>
    private static StopSignals Signals(CancellationToken outer) =>
        new("netserv-eval", "stopping and cleaning up (namespaces, rules, processes, sysctls)", outer);

    private static Command CompareCommand(IAnsiConsole console)
    {
        var folder = new Argument<string>("folder") { Description = "a <time>-evaluation-runs folder written by all --runs N" };
        var command = new Command("compare", "compares the runs in an all --runs N folder again (its <time>-evaluation folders that finished) and rewrites its comparison.json, comparison.md and comparison.png") { folder };
        command.SetAction(parse =>
        {
            var parent = Path.GetFullPath(parse.GetValue(folder)!);
            string[] runs = Directory.Exists(parent) ? [.. Directory.GetDirectories(parent, "*-evaluation").Order(StringComparer.Ordinal)] : [];
            if (runs.Length < 2)
            {
                console.MarkupLine($"[red]netserv-eval compare:[/] {Markup.Escape(parent)} holds {runs.Length} evaluation run(s); a comparison needs at least 2 (the folder all --runs N writes)");
                return 2;
            }

            var started = RunRecord.TryParseFolderTime(parent, out var time) ? time : DateTimeOffset.Now;
            RepeatedEvaluation.WriteComparison(parent, runs, started, ["compare", parse.GetValue(folder)!], console);
            return 0;
        });
        return command;
    }

    private static Command GeneratorCommand(IAnsiConsole console, CancellationToken outer)
    {
        var size = new Option<int?>("--size") { Description = "frame size on the wire (default 64)" };
        var rates = new Option<string>("--rates") { Description = "rates in kpps to check (default 50,100,200,400)" };
        var seconds = new Option<double?>("--seconds") { Description = "length of each run (default 2)" };
        var cpu = new Option<int?>("--cpu") { Description = "generator CPU, for Click too (default 0)" };
        var sip = new Option<bool>("--sip") { Description = "SIP NOTIFY keep-alive payload" };
        var nice = new Option<int?>("--nice") { Description = "nice value of the generator's thread, and of Click's process" };
        var pacing = new Option<PacingMode?>("--pacing") { Description = "spin (busy-wait) or sleep" };
        var generator = GeneratorOption.Create(
            "paced, click (Click on the sender; an error naming the node where it has none) or auto: the paced generator, and Click beside it where the sender has it (default auto); NETSERV_CLICK names the click executable",
            "auto");
        var command = new Command("generator", "checks the traffic generators through plain forwarding: the paced generator's unpaced maximum, and how exactly each generator holds the asked rates (the rate it offered, the rate counted at the receiver, loss, generator-limited runs)");
        foreach (var option in new Option[] { size, rates, seconds, cpu, sip, nice, pacing, generator })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            using var signals = Signals(outer);
            var placement = CpuPlacement.Default with { GeneratorCpu = parse.GetValue(cpu) ?? 0, GeneratorNice = parse.GetValue(nice), GeneratorPacing = parse.GetValue(pacing) ?? PacingMode.Spin };
            var wire = parse.GetValue(size) ?? 64;
            var length = parse.GetValue(seconds) ?? 2;
            var payload = parse.GetValue(sip) ? UdpPayloadKind.SipKeepAlive : UdpPayloadKind.Pattern;
            var choice = GeneratorOption.Parse(parse.GetValue(generator));
            int[] asked;
            try
            {
                asked = Integers(parse.GetValue(rates) ?? "50,100,200,400", "--rates");
            }
            catch (ArgumentException e)
            {
                console.MarkupLine($"[red]netserv-eval generator:[/] {Markup.Escape(e.Message)}");
                return 2;
            }

            using var settings = new SystemSettings();
            try
            {
                settings.Set("net.core.netdev_max_backlog", "10000");
                using var bench = ForwardingBench.Create(placement);
                TrafficGeneratorUse use;
                try
                {
                    use = bench.UseGenerator(choice, signals.Token);
                }
                catch (ClickNotInstalledException e)
                {
                    console.MarkupLine($"[red]netserv-eval generator --generator click:[/] {Markup.Escape(e.Message)}");
                    return 2;
                }

                var withClick = use.IsClick;
                var withPaced = choice != TrafficGeneratorChoice.Click;
                console.MarkupLine(Markup.Escape(withClick
                    ? $"generators: {(withPaced ? "paced and " : string.Empty)}{use.Text} on {bench.Path.Sender.Name}"
                    : choice == TrafficGeneratorChoice.Paced ? "generator: paced" : $"generator: paced only ({use.Note})"));
                var frame = bench.Frame(wire, payload);
                console.MarkupLine($"frame: {wire} B on the wire ({frame.Bytes.Length} B handed to eth0), placement: {Markup.Escape(placement.ToString())}, send buffer {bench.Generator.SendBufferBytes >> 20} MiB");
                if (withPaced)
                {
                    bench.ReceiverCounter.Zero();
                    var unpaced = bench.Generator.Run(frame, new GeneratorRequest(0, (long)(3_000_000 * length), TimeSpan.FromSeconds(length)) { Cpu = placement.GeneratorCpu, Nice = placement.GeneratorNice, Pacing = placement.GeneratorPacing }, signals.Token);
                    bench.WaitUntilQuiet(null, signals.Token);
                    var received = bench.ReceiverCounter.Read();
                    console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"paced unpaced: offered {unpaced.Offered} in {unpaced.Elapsed.TotalSeconds:0.000} s = {unpaced.OfferedRate / 1000:0.0} kpps ({unpaced.Failed} refused: ENOBUFS {unpaced.FailedNoBuffers}, EAGAIN {unpaced.FailedAgain}, in batch {unpaced.FailedInBatch}); received {received} = {received / unpaced.Elapsed.TotalSeconds / 1000:0.0} kpps; {unpaced.Calls} sendmmsg calls"));
                }

                var table = new Table().AddColumns("generator", "asked kpps", "offered", "offered kpps", "vs asked", "received", "received kpps", "vs asked", "lost", "refused", "generator-limited");
                foreach (var rate in asked)
                {
                    var pps = rate * 1000.0;
                    if (withPaced)
                    {
                        var (trial, sent) = bench.RunPacedTrial(UdpFrameSet.Of(frame), pps, length, signals.Token);
                        table.AddRow(GeneratorRow("paced", pps, trial, trial.Received / (sent.Elapsed.TotalSeconds * sent.Offered / Math.Max(1, sent.Offered - 1))));
                    }

                    if (withClick)
                    {
                        var trial = bench.RunTrial(frame, pps, length, null, signals.Token);
                        table.AddRow(GeneratorRow("click", pps, trial, trial.OfferedRate > 0 ? trial.Received * trial.OfferedRate / Math.Max(1, trial.Offered) : 0));
                    }
                }

                console.Write(table);
                console.MarkupLine("offered kpps: what the generator measured itself (Click: its counters once RatedSource's initial burst is over); received kpps: the receiver's kernel count over the same time; generator-limited: more than 2 % short of the asked rate or count, so the run says nothing about the path");
                return 0;
            }
            catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
            {
                return 130;
            }
        });
        return command;
    }

    private static string[] GeneratorRow(string generator, double asked, TrialResult trial, double receivedRate) =>
    [
        generator,
        string.Create(CultureInfo.InvariantCulture, $"{asked / 1000:0}"),
        trial.Offered.ToString(CultureInfo.InvariantCulture),
        string.Create(CultureInfo.InvariantCulture, $"{trial.OfferedRate / 1000:0.00}"),
        string.Create(CultureInfo.InvariantCulture, $"{(trial.OfferedRate / asked) - 1:+0.00%;-0.00%}"),
        trial.Received.ToString(CultureInfo.InvariantCulture),
        string.Create(CultureInfo.InvariantCulture, $"{receivedRate / 1000:0.00}"),
        string.Create(CultureInfo.InvariantCulture, $"{(receivedRate / asked) - 1:+0.00%;-0.00%}"),
        trial.Lost.ToString(CultureInfo.InvariantCulture),
        trial.FailedSends.ToString(CultureInfo.InvariantCulture),
        trial.GeneratorLimited ? "yes" : "no",
    ];

    private static string F(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    private static string[] Keys(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => x.ToUpperInvariant()).ToArray();

    private static int[] Integers(string text, string option)
    {
        var values = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                throw new ArgumentException($"{option}: '{part}' is not a whole number");
            }

            values.Add(value);
        }

        return values.Count > 0 ? values.ToArray() : throw new ArgumentException($"{option} needs at least one value");
    }

    private static ulong Mask(string text) =>
        ulong.TryParse(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)
            ? mask
            : throw new ArgumentException($"'{text}' is not a hexadecimal CPU mask");

    /// <summary>The options node-runtime and containers share: trials, search, CPU placement, queue readers, a quiet machine, the output folder.</summary>
    private sealed class MeasurementOptions(string benchmark, string generatorDescription = GeneratorOption.Description)
    {
        private readonly PlacementOptions _placement = new();
        private readonly Option<string> _generator = GeneratorOption.Create(generatorDescription);
        private readonly Option<double?> _trialSeconds = new("--trial-seconds") { Description = "length of one trial (default 2)" };
        private readonly Option<int?> _repetitions = new("--repetitions") { Description = "searches per measurement; median and min/max are reported (default 3)" };
        private readonly Option<string?> _output = new("--output") { Description = $"the folder in which the results folder <yyyyMMdd-HHmmss>-{benchmark} is created (default evaluation/results)" };
        private readonly Option<int?> _generatorNice = new("--generator-nice") { Description = "nice value of the generator's thread, or of Click's process (default: unchanged)" };
        private readonly Option<PacingMode?> _pacing = new("--pacing") { Description = "how the generator waits between packets: spin (busy-wait) or sleep (default sleep: the CPU it shares with the queue reader stays free while nothing is due)" };
        private readonly Option<double?> _resolution = new("--resolution-kpps") { Description = "search resolution in kpps (default 1)" };
        private readonly Option<double?> _relative = new("--resolution-percent") { Description = "search resolution relative to the rate (default 2)" };
        private readonly Option<int?> _confirmations = new("--confirmations") { Description = "repeats of a failed trial at the same rate before the rate counts as failed (default 1; 0 in --quick)" };
        private readonly Option<int?> _batch = new("--batch") { Description = "queue reader batch, container and C loop (default 64)" };
        private readonly Option<double?> _quietWait = new("--quiet-wait") { Description = "before each search, wait up to this many seconds until other work uses under --quiet-percent of the CPUs (default 0: no waiting)" };
        private readonly Option<double?> _quietPercent = new("--quiet-percent") { Description = "busy percentage of all CPUs under which the machine counts as quiet (default 10)" };

        public IEnumerable<Option> All => [_trialSeconds, _repetitions, _output, _generator, _generatorNice, _pacing, .. _placement.All, _resolution, _relative, _confirmations, _batch, _quietWait, _quietPercent];

        /// <summary><paramref name="options"/> with what the command line says.</summary>
        public NodeRuntimeOptions Apply(ParseResult parse, NodeRuntimeOptions options) => options with
        {
            TrialSeconds = parse.GetValue(_trialSeconds) ?? options.TrialSeconds,
            Repetitions = parse.GetValue(_repetitions) ?? options.Repetitions,
            Output = parse.GetValue(_output) is { } o ? Path.GetFullPath(o) : options.Output,
            Resolution = parse.GetValue(_resolution) is { } r ? r * 1000 : options.Resolution,
            RelativeResolution = parse.GetValue(_relative) is { } p ? p / 100 : options.RelativeResolution,
            BatchSize = parse.GetValue(_batch) ?? options.BatchSize,
            Confirmations = parse.GetValue(_confirmations) ?? options.Confirmations,
            QuietWaitSeconds = parse.GetValue(_quietWait) ?? options.QuietWaitSeconds,
            QuietBusyFraction = parse.GetValue(_quietPercent) is { } q ? q / 100 : options.QuietBusyFraction,
            Generator = GeneratorOption.Parse(parse.GetValue(_generator)),
            Placement = _placement.Apply(parse, options.Placement) with
            {
                GeneratorNice = parse.GetValue(_generatorNice) ?? options.Placement.GeneratorNice,
                GeneratorPacing = parse.GetValue(_pacing) ?? options.Placement.GeneratorPacing,
            },
        };
    }

    /// <summary>The CPU placement options every forwarding measurement takes.</summary>
    private sealed class PlacementOptions
    {
        private readonly Option<int?> _generatorCpu = new("--generator-cpu") { Description = "CPU of the sending thread, the generator or the latency sender (default 0)" };
        private readonly Option<int?> _readerCpu = new("--reader-cpu") { Description = "CPU of the queue reader, container or C loop (default 0)" };
        private readonly Option<string> _routerRps = new("--router-rps") { Description = "hex RPS mask of the router's ingress interface (default 2: CPU 1)" };
        private readonly Option<string> _receiverRps = new("--receiver-rps") { Description = "hex RPS mask of the receiver's interface (default 2: CPU 1)" };

        public Option[] All => [_generatorCpu, _readerCpu, _routerRps, _receiverRps];

        public CpuPlacement Apply(ParseResult parse, CpuPlacement placement) => placement with
        {
            GeneratorCpu = parse.GetValue(_generatorCpu) ?? placement.GeneratorCpu,
            ReaderCpu = parse.GetValue(_readerCpu) ?? placement.ReaderCpu,
            RouterIngressRps = parse.GetValue(_routerRps) is { } router ? Mask(router) : placement.RouterIngressRps,
            ReceiverRps = parse.GetValue(_receiverRps) is { } receiver ? Mask(receiver) : placement.ReceiverRps,
        };
    }
}
