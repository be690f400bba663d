using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using NetServ.Networking;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;
using NetServ.Traffic;
using Spectre.Console;

namespace NetServ.Evaluation.SignalingLatency;

/// <summary>A request a load phase sends again and again: its name, how to send it (throwing when it fails), and the pause after each.</summary>
internal sealed record RepeatedRequest(string Name, Func<CancellationToken, Task> SendAsync, TimeSpan Pause);

/// <summary>One request timed outside the rounds' sequence: in which phase, when it started (seconds since the phase began), how long it took and why it failed, if it did.</summary>
internal sealed record RequestSample(string Phase, string Request, double AtSeconds, double Milliseconds, string? Error);

/// <summary>What the flood offered at the provider and what reached the user.</summary>
internal sealed record FloodTraffic
{
    public required double RequestedRate { get; init; }

    public required double Seconds { get; init; }

    public required int WireBytes { get; init; }

    /// <summary>Packets asked for: rate × seconds, the flood's bound in packets.</summary>
    public required long Requested { get; init; }

    /// <summary>Packets handed to the kernel at the provider, refused ones included.</summary>
    public required long Offered { get; init; }

    /// <summary>Packets the kernel refused at the provider (node A's input backlog was full).</summary>
    public required long Refused { get; init; }

    public required double OfferedRate { get; init; }

    public required double ElapsedSeconds { get; init; }

    /// <summary>Packets counted at the user (an iptables rule in its INPUT chain).</summary>
    public required long Received { get; init; }

    /// <summary>
    /// Packets alice's container read from its queue on A and on B during the flood: the rest passed
    /// the node without the module (the queue is fail-open when full) or was dropped.
    /// </summary>
    public required long ModulePacketsA { get; init; }

    public required long ModulePacketsB { get; init; }

    /// <summary>
    /// Packets the kernel dropped from its full per-CPU input backlogs during the flood, the refused
    /// sends included (/proc/net/softnet_stat, the whole machine): every datagram crossing a veth
    /// waits in such a backlog, signaling as much as the flood, so this is where signaling is lost.
    /// </summary>
    public required long BacklogDrops { get; init; }

    public required double MaxLagMilliseconds { get; init; }

    public required bool StoppedByDeadline { get; init; }

    public required int Cpu { get; init; }

    public required PacingMode Pacing { get; init; }

    public double ReceivedRate => ElapsedSeconds > 0 ? Received / ElapsedSeconds : 0;

    /// <summary>Whether the generator fell short of the asked rate (by more than 5 %, or at its deadline): the nodes then saw less than asked.</summary>
    public bool GeneratorLimited => StoppedByDeadline || OfferedRate < RequestedRate * 0.95;
}

/// <summary>
/// The flood phase of the signaling benchmark. With NetMonitor installed on both nodes, the given
/// requests (PROBEs toward the user, the nodes' admin status) repeat, each timed: first for
/// <see cref="SignalingLatencyOptions.CalmSeconds"/> with no traffic, then while the provider
/// floods the user with UDP through both nodes' modules at a paced rate, bounded in packets
/// (rate × seconds) and in time. The user counts what arrives.
/// </summary>
internal sealed class FloodPhase(SignalingLatencyOptions options, IAnsiConsole console)
{
    public const string Rounds = "rounds";
    public const string Calm = "calm";
    public const string Flood = "flood";
    public const string Probe = "probe";
    public const string AdminA = "admin-a";
    public const string AdminB = "admin-b";

    /// <summary>The phases in which requests are compared, in order.</summary>
    public static readonly string[] Phases = [Rounds, Calm, Flood];

    /// <summary>The requests compared: a PROBE toward the user, and each node's admin status.</summary>
    public static readonly string[] Requests = [Probe, AdminA, AdminB];

    /// <summary>UDP source and destination port of the flood: the port NetMonitor's filter selects.</summary>
    public const ushort Port = 5060;

    private const string CounterComment = "netserv-eval flood count";

    public async Task RunAsync(LocalNetwork network, Ipv4Address user, NetServNodeProcess a, NetServNodeProcess b, IReadOnlyList<RepeatedRequest> requests, SignalingLatencyResults results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(results);
        var provider = network["provider"];
        var frame = UdpFrame.Create(
            options.FloodWireBytes, provider.Namespace.GetMacAddress("eth0"), network["a"].Namespace.GetMacAddress("eth0"), provider.Address, user, Port, Port);
        // Node A's receive work (netfilter, the queue) runs on the other CPUs, not in the generator's sends on its own.
        network["a"].Namespace.SetReceivePacketSteering("eth0", options.NodeIngressRps);
        using var generator = PacedPacketGenerator.Open(provider.Namespace, "eth0");
        using var counter = IptablesCounter.InstallUdp(network["user"].Namespace, Port, "INPUT", "DROP", CounterComment);
        var request = new GeneratorRequest(options.FloodRate, Math.Max(1, (long)Math.Round(options.FloodRate * options.FloodSeconds)), TimeSpan.FromSeconds((options.FloodSeconds * 1.5) + 1))
        {
            Cpu = options.FloodCpu,
            Pacing = PacingMode.Sleep,
        };

        var samples = new ConcurrentQueue<RequestSample>();
        try
        {
            await console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn()).StartAsync(async progress =>
            {
                var calm = progress.AddTask($"{options.CalmSeconds:0.#} s of PROBEs and admin requests without traffic", maxValue: options.CalmSeconds);
                var flood = progress.AddTask($"{options.FloodSeconds:0.#} s of flood at {options.FloodRate / 1000:0.#} kpps", autoStart: false, maxValue: options.FloodSeconds);
                await RepeatAsync(Calm, requests, Task.Delay(TimeSpan.FromSeconds(options.CalmSeconds), cancellationToken), calm, samples, cancellationToken).ConfigureAwait(false);

                flood.StartTask();
                counter.Zero();
                var beforeA = await ModulePacketsAsync(a, cancellationToken).ConfigureAwait(false);
                var beforeB = await ModulePacketsAsync(b, cancellationToken).ConfigureAwait(false);
                var dropsBefore = BacklogDropCount();
                var sending = Task.Factory.StartNew(() => generator.Run(frame, request, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                await RepeatAsync(Flood, requests, sending, flood, samples, cancellationToken).ConfigureAwait(false);
                var sent = await sending.ConfigureAwait(false);
                results.Flood = new FloodTraffic
                {
                    RequestedRate = options.FloodRate,
                    Seconds = options.FloodSeconds,
                    WireBytes = options.FloodWireBytes,
                    Requested = request.Packets,
                    Offered = sent.Offered,
                    Refused = sent.Failed,
                    OfferedRate = sent.OfferedRate,
                    ElapsedSeconds = sent.Elapsed.TotalSeconds,
                    Received = await CountWhenQuietAsync(counter, cancellationToken).ConfigureAwait(false),
                    BacklogDrops = BacklogDropCount() - dropsBefore,
                    ModulePacketsA = await ModulePacketsAsync(a, cancellationToken).ConfigureAwait(false) - beforeA,
                    ModulePacketsB = await ModulePacketsAsync(b, cancellationToken).ConfigureAwait(false) - beforeB,
                    MaxLagMilliseconds = sent.MaxLag.TotalMilliseconds,
                    StoppedByDeadline = sent.StoppedByDeadline,
                    Cpu = options.FloodCpu,
                    Pacing = request.Pacing,
                };
            }).ConfigureAwait(false);
        }
        finally
        {
            results.LoadSamples.AddRange(samples.OrderBy(s => s.Phase == Flood).ThenBy(s => s.AtSeconds));
        }

        var traffic = results.Flood!;
        console.MarkupLine(string.Create(
            CultureInfo.InvariantCulture,
            $"flood: offered {traffic.Offered} packets at {traffic.OfferedRate / 1000:0.0} kpps{(traffic.GeneratorLimited ? " [yellow](generator-limited)[/]" : string.Empty)}, {traffic.Refused} refused at the provider; the user received {traffic.Received} ({traffic.ReceivedRate / 1000:0.0} kpps); NetMonitor saw {traffic.ModulePacketsA} on A, {traffic.ModulePacketsB} on B; the kernel's input backlogs dropped {traffic.BacklogDrops}"));
    }

    /// <summary>The input backlog drops of every CPU so far: the second column of /proc/net/softnet_stat, in hex.</summary>
    private static long BacklogDropCount() =>
        File.ReadAllLines("/proc/net/softnet_stat")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length > 1)
            .Sum(fields => long.Parse(fields[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    /// <summary>How many packets alice's container on <paramref name="node"/> has read from its queue.</summary>
    private static async Task<long> ModulePacketsAsync(NetServNodeProcess node, CancellationToken cancellationToken) =>
        (await node.StatusAsync(false, cancellationToken).ConfigureAwait(false)).ContainerOf("alice").Packets?.Received
        ?? throw new InvalidOperationException($"{node.Options.Node.NodeName}'s status has no packet count for alice's container");

    /// <summary>Runs every request in a loop of its own until <paramref name="until"/> completes, then lets the ones under way finish.</summary>
    private static async Task RepeatAsync(string phase, IReadOnlyList<RepeatedRequest> requests, Task until, ProgressTask progress, ConcurrentQueue<RequestSample> samples, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var loops = requests.Select(r => Task.Run(() => LoopAsync(phase, r, clock, samples, stop.Token, cancellationToken), CancellationToken.None)).ToArray();
        try
        {
            while (!until.IsCompleted)
            {
                await Task.WhenAny(until, Task.Delay(500, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                progress.Value = Math.Min(clock.Elapsed.TotalSeconds, progress.MaxValue);
                progress.Description = Describe(phase, requests, samples);
            }
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(loops).ConfigureAwait(false);
        }

        await until.ConfigureAwait(false);
        progress.Value = progress.MaxValue;
        progress.Description = Describe(phase, requests, samples);
        progress.StopTask();
    }

    private static async Task LoopAsync(string phase, RepeatedRequest request, Stopwatch clock, ConcurrentQueue<RequestSample> samples, CancellationToken stop, CancellationToken cancellationToken)
    {
        while (!stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var at = clock.Elapsed.TotalSeconds;
            var watch = Stopwatch.StartNew();
            string? error = null;
            try
            {
                await request.SendAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                error = e.Message;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            samples.Enqueue(new RequestSample(phase, request.Name, at, watch.Elapsed.TotalMilliseconds, error));
            if (request.Pause > TimeSpan.Zero && !stop.IsCancellationRequested)
            {
                await Task.Delay(request.Pause, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The progress line: per request, how many so far, their p99 and the failures.</summary>
    private static string Describe(string phase, IReadOnlyList<RepeatedRequest> requests, ConcurrentQueue<RequestSample> samples)
    {
        var mine = samples.Where(s => s.Phase == phase).ToArray();
        var parts = requests.Select(r =>
        {
            var of = mine.Where(s => s.Request == r.Name).ToArray();
            var times = of.Where(s => s.Error is null).Select(s => s.Milliseconds).ToArray();
            var failed = of.Length - times.Length;
            return string.Create(CultureInfo.InvariantCulture, $"{r.Name} {of.Length} (p99 {(times.Length > 0 ? Statistics.Percentile(times, 99) : 0):0} ms{(failed > 0 ? $", [red]{failed} failed[/]" : string.Empty)})");
        });
        return $"{phase}: {string.Join(", ", parts)}";
    }

    /// <summary>The user's count once it stops moving (what is still queued on the way arrives or is dropped), at most 10 s after the flood.</summary>
    private static async Task<long> CountWhenQuietAsync(IptablesCounter counter, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var last = counter.Read();
        var stable = 0;
        while (stable < 3 && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            var now = counter.Read();
            stable = now == last ? stable + 1 : 0;
            last = now;
        }

        return last;
    }
}
