using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Contracts.Configuration;
using NetServ.Evaluation.Hosting;
using NetServ.Networking;
using NetServ.Orchestrator.Commands;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;
using NetServ.Signaling.Transport;
using NetServ.Testbed.Http;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;
using Spectre.Console;

namespace NetServ.Evaluation.SignalingLatency;

/// <summary>What the signaling latency run is asked to do.</summary>
internal sealed record SignalingLatencyOptions
{
    /// <summary>Rounds of SETUP, refreshing SETUP, PROBE and REMOVE; the first is reported apart (cold caches, the module's download).</summary>
    public int Repetitions { get; init; } = 30;

    /// <summary>The folder in which the results folder is created; null for evaluation/results.</summary>
    public string? Output { get; init; }

    /// <summary>How long one request may take before the run fails.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The nodes' log level; their logs go to raw/ in the results folder.</summary>
    public string NodeLogLevel { get; init; } = "Information";

    /// <summary>Packets per second of the flood that crosses both nodes after the rounds.</summary>
    public double FloodRate { get; init; } = 300_000;

    /// <summary>How long the flood lasts; 0 leaves the flood phase out.</summary>
    public double FloodSeconds { get; init; } = 60;

    /// <summary>The flood's frames on the wire, FCS included: the smallest, the most packets for the bytes.</summary>
    public int FloodWireBytes { get; init; } = 64;

    /// <summary>The CPU the generator's thread is pinned to.</summary>
    public int FloodCpu { get; init; }

    /// <summary>The RPS mask of node A's interface toward the provider during the flood phase: every CPU but the generator's (all of them on one CPU).</summary>
    public ulong NodeIngressRps
    {
        get
        {
            var all = Environment.ProcessorCount >= 64 ? ulong.MaxValue : (1UL << Environment.ProcessorCount) - 1;
            var others = all & ~(1UL << FloodCpu);
            return others != 0 ? others : all;
        }
    }

    /// <summary>How long the same requests run without traffic before the flood, for comparison.</summary>
    public double CalmSeconds => Math.Min(FloodSeconds, 10);

    /// <summary>The pause between one admin status request and the next to the same node (a monitor polling, not a load of its own).</summary>
    public TimeSpan AdminPause { get; init; } = TimeSpan.FromMilliseconds(100);

    public SignalingLatencyOptions Quick() => this with { Repetitions = 3, FloodSeconds = 5 };

    public void Validate()
    {
        if (Repetitions is < 2 or > 10_000)
        {
            throw new ArgumentException("--repetitions must be 2-10000 (the first round is reported apart)");
        }

        if (FloodSeconds is < 0 or > 3600)
        {
            throw new ArgumentException("--flood-seconds must be 0-3600 (0: no flood phase)");
        }

        if (FloodRate is < 1_000 or > 5_000_000)
        {
            throw new ArgumentException("--flood-kpps must be 1-5000");
        }

        if (FloodCpu < 0 || FloodCpu >= Environment.ProcessorCount)
        {
            throw new ArgumentException($"the generator's CPU must be 0-{Environment.ProcessorCount - 1}");
        }
    }
}

/// <summary>One timed request: which round, what it was, how long until its response stack came back, and what each node answered.</summary>
internal sealed record LatencySample(int Round, string Operation, double Milliseconds, IReadOnlyList<int> NodeStatuses);

/// <summary>
/// Signaling latency on the acceptance path of on-path signaling: provider — NetServ node A — a
/// plain router — NetServ node B — end user, in namespaces this run creates. Each round sends, from
/// the provider toward the user and each in a new GIST session (discovery included): a SETUP of
/// NetMonitor, which answers only once both nodes have the module running, so its round trip is
/// "SETUP sent until the module is active on both nodes"; the same SETUP again (a refresh); a PROBE
/// of the status; and a REMOVE. Then, unless <see cref="SignalingLatencyOptions.FloodSeconds"/> is 0,
/// the <see cref="FloodPhase"/>: whether PROBEs and the nodes' admin sockets keep answering while a
/// flood crosses both nodes' modules.
/// </summary>
internal sealed class SignalingLatencyBenchmark(SignalingLatencyOptions options, IAnsiConsole console)
{
    public const string Module = "NetServ.Apps.NetMonitor_1.0.0";
    /// <summary>
    /// The timed requests of a round: toward the end user (the last node, B, reaches the user without
    /// a router and so answers without a Query downstream), and the same toward node B's own address
    /// (the path ends at B itself).
    /// </summary>
    public static readonly string[] Operations = ["setup", "setup-refresh", "probe", "remove", "setup-b", "setup-refresh-b", "probe-b", "remove-b"];
    private static readonly Ipv4Address EndUser = Ipv4Address.Parse("198.18.4.2");
    private static readonly Ipv4Address NodeB = Ipv4Address.Parse("198.18.3.2");

    /// <summary>Time since the rounds began: when each admin request of the rounds started.</summary>
    private readonly Stopwatch _rounds = new();

    public async Task<(string Folder, SignalingLatencyResults Results)> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        options.Validate();
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("the signaling benchmark needs root: it creates network namespaces and runs NetServ nodes");
        }

        var started = DateTimeOffset.Now;
        var folder = Path.Combine(options.Output ?? Path.Combine(BuildOutputs.RepositoryRoot, "evaluation", "results"), $"{started:yyyyMMdd-HHmmss}-signaling");
        Directory.CreateDirectory(folder);
        var results = new SignalingLatencyResults
        {
            Started = started,
            Options = options,
            Arguments = arguments,
            Machine = MachineInfo.Describe(),
            LoadAverageAtStart = MachineInfo.LoadAverage(),
        };
        console.Heading("[bold]NetServ signaling latency[/]");
        console.MarkupLine($"results: [blue]{Markup.Escape(folder)}[/]");
        try
        {
            await MeasureAsync(results, Path.Combine(folder, "raw"), cancellationToken).ConfigureAwait(false);
            results.Completed = true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            results.StopReason = "stopped by a signal before the end";
            throw;
        }
        catch (Exception e)
        {
            results.StopReason = $"failed: {e.Message}";
            throw;
        }
        finally
        {
            results.Finished = DateTimeOffset.Now;
            results.LoadAverageAtEnd = MachineInfo.LoadAverage();
            SignalingLatencyWriter.WriteAll(results, folder);
            console.MarkupLine($"wrote [blue]{Markup.Escape(folder)}[/]{(results.Completed ? string.Empty : " (partial)")}");
        }

        return (folder, results);
    }

    private async Task MeasureAsync(SignalingLatencyResults results, string raw, CancellationToken cancellationToken)
    {
        BuildOutputs.EnsureNode();
        var package = BuildOutputs.EnsurePackage("NetServ.Apps.NetMonitor", "applications/NetMonitor");
        using var key = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);
        using var network = LocalNetwork.CreateLine("provider", "a", "plain", "b", "user");
        results.ForeignNamespacesSeen.AddRange(MachineInfo.ForeignNamespaces(network.Id));
        results.Namespaces.AddRange(network.Hosts.Select(h => h.Namespace.Name));
        Directory.CreateDirectory(BuildOutputs.ModulesDirectory);
        await using var packages = PackageServer.Start(BuildOutputs.ModulesDirectory, IPAddress.Parse("198.18.1.1"), 8080, network["provider"].Namespace);
        NetServNodeOptions NodeOptions(string name) => new()
        {
            Node =
            {
                NodeName = $"{name}-{network.Id}",
                Containers = { LogLevel = options.NodeLogLevel },
                Users = [new UserConfiguration { Name = "alice", AllowedPrefixes = ["198.18.4.0/24"], PublicKey = key.PublicKey.ToPem() }],
            },
        };

        console.MarkupLine("starting NetServ nodes A and B on provider — A — plain router — B — user");
        var startA = NetServNodeProcess.StartAsync(network["a"].Namespace, NodeOptions("a"), cancellationToken);
        var startB = NetServNodeProcess.StartAsync(network["b"].Namespace, NodeOptions("b"), cancellationToken);
        await using var a = await startA.ConfigureAwait(false);
        await using var b = await startB.ConfigureAwait(false);
        try
        {
            await MeasureRoundsAsync(results, network, packages, key, package, a, b, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The nodes' own account of every request, for a failure or an outlier.
            Directory.CreateDirectory(raw);
            await File.WriteAllLinesAsync(Path.Combine(raw, "node-a.log"), a.LogLines, CancellationToken.None).ConfigureAwait(false);
            await File.WriteAllLinesAsync(Path.Combine(raw, "node-b.log"), b.LogLines, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task MeasureRoundsAsync(SignalingLatencyResults results, LocalNetwork network, PackageServer packages, UserPrivateKey key, string package, NetServNodeProcess a, NetServNodeProcess b, CancellationToken cancellationToken)
    {
        await using var signaling = network["provider"].Namespace.Run(() => SignalingClient.Start("netserv-eval", NullLogger.Instance, TimeProvider.System));
        var client = new SignedRequestClient(signaling, "alice", key, TimeProvider.System);

        var setup = ModuleSetup.ForPackage(package, "alice", packages.UrlOf) with { FilterProtocol = "udp", FilterPort = 5060, FilterDestination = "198.18.4.0/24" };
        await console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()).StartAsync(async progress =>
        {
            var task = progress.AddTask($"{options.Repetitions} rounds of SETUP, refresh, PROBE, REMOVE toward the user and toward node B", maxValue: options.Repetitions);
            _rounds.Restart();
            for (var round = 0; round < options.Repetitions; round++)
            {
                var toUser = await RoundAsync(client, round, EndUser, string.Empty, setup, a, b, results, cancellationToken).ConfigureAwait(false);
                var toB = await RoundAsync(client, round, NodeB, "-b", setup, a, b, results, cancellationToken).ConfigureAwait(false);
                results.Samples.AddRange(toUser);
                results.Samples.AddRange(toB);
                task.Increment(1);
                task.Description = $"round {round + 1}/{options.Repetitions}: SETUP {toUser[0].Milliseconds:0} ms toward the user, {toB[0].Milliseconds:0} ms toward B";
            }
        }).ConfigureAwait(false);

        if (options.FloodSeconds > 0)
        {
            // NetMonitor on both nodes, so that the flood takes the modules' packet path.
            console.MarkupLine($"installing NetMonitor toward the user for the flood phase, then {options.CalmSeconds:0.#} s without and {options.FloodSeconds:0.#} s with the flood");
            await TimeAsync(client, -1, EndUser, "setup", setup.ToRequest(), cancellationToken).ConfigureAwait(false);
            await ExpectModulesAsync(a, b, 1, null).ConfigureAwait(false);
            RepeatedRequest[] requests =
            [
                new(FloodPhase.Probe, ct => TimeAsync(client, -1, EndUser, "probe", NslpRequests.Probe(ProbeKind.Status), ct), TimeSpan.Zero),
                new(FloodPhase.AdminA, ct => StatusWithinTimeoutAsync(a, ct), options.AdminPause),
                new(FloodPhase.AdminB, ct => StatusWithinTimeoutAsync(b, ct), options.AdminPause),
            ];
            await new FloodPhase(options, console).RunAsync(network, EndUser, a, b, requests, results, cancellationToken).ConfigureAwait(false);
            await TimeAsync(client, -1, EndUser, "remove", NslpRequests.Remove(Module), cancellationToken).ConfigureAwait(false);
            await ExpectModulesAsync(a, b, 0, null).ConfigureAwait(false);
        }
    }

    /// <summary>An admin status request that fails (rather than waits on) when the node does not answer within the request timeout.</summary>
    private async Task StatusWithinTimeoutAsync(NetServNodeProcess node, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout);
        try
        {
            await node.StatusAsync(false, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{node.Options.Node.NodeName}'s admin socket did not answer within {options.RequestTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>
    /// SETUP, refresh, PROBE and REMOVE toward <paramref name="destination"/>, checking the modules on both
    /// nodes through their admin sockets after SETUP and REMOVE (in warm rounds timed apart: admin requests without flood).
    /// </summary>
    private async Task<LatencySample[]> RoundAsync(SignedRequestClient client, int round, Ipv4Address destination, string suffix, ModuleSetup setup, NetServNodeProcess a, NetServNodeProcess b, SignalingLatencyResults results, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var installed = await TimeAsync(client, round, destination, "setup" + suffix, setup.ToRequest(), cancellationToken).ConfigureAwait(false);
        await ExpectModulesAsync(a, b, 1, round > 0 ? results : null).ConfigureAwait(false);
        var refreshed = await TimeAsync(client, round, destination, "setup-refresh" + suffix, setup.ToRequest(), cancellationToken).ConfigureAwait(false);
        var probed = await TimeAsync(client, round, destination, "probe" + suffix, NslpRequests.Probe(ProbeKind.Status), cancellationToken).ConfigureAwait(false);
        var removed = await TimeAsync(client, round, destination, "remove" + suffix, NslpRequests.Remove(Module), cancellationToken).ConfigureAwait(false);
        await ExpectModulesAsync(a, b, 0, round > 0 ? results : null).ConfigureAwait(false);
        return [installed, refreshed, probed, removed];
    }

    /// <summary>Sends <paramref name="request"/>, signed, and times it; throws unless both nodes answered 200. Round −1 is a request outside the rounds.</summary>
    private async Task<LatencySample> TimeAsync(SignedRequestClient client, int round, Ipv4Address destination, string operation, NslpRequest request, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        NslpResponse response;
        try
        {
            response = await client.SendAsync(destination, request, options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (SignalingException e)
        {
            throw new InvalidOperationException($"{(round >= 0 ? $"round {round + 1}, " : string.Empty)}{operation} (sent at {DateTimeOffset.Now - watch.Elapsed:HH:mm:ss.fff}): {e.Message}", e);
        }

        var elapsed = watch.Elapsed.TotalMilliseconds;
        if (!PathResponse.TryParse(response, out var stack, out var error))
        {
            throw new InvalidOperationException($"{operation}: the path answered {response.StatusCode} without a response stack: {error ?? response.Headers[NslpHeaderNames.Error]}");
        }

        var statuses = stack.Nodes.Select(n => n.Status).ToArray();
        if (statuses.Length != 2 || statuses.Any(s => s != NslpStatus.Ok))
        {
            throw new InvalidOperationException($"{operation}: expected both NetServ nodes to answer 200, got {string.Join(", ", stack.Nodes.Select(n => $"{n.Node} {n.Status} {n.Error}"))}");
        }

        return new LatencySample(round, operation, elapsed, statuses);
    }

    /// <summary>
    /// Checks that both nodes have <paramref name="count"/> modules of alice's running; with
    /// <paramref name="timedInto"/>, each status request is timed into its admin samples of the rounds.
    /// </summary>
    private async Task ExpectModulesAsync(NetServNodeProcess a, NetServNodeProcess b, int count, SignalingLatencyResults? timedInto)
    {
        foreach (var (node, name) in new[] { (a, FloodPhase.AdminA), (b, FloodPhase.AdminB) })
        {
            var at = _rounds.Elapsed;
            var status = await node.StatusAsync().ConfigureAwait(false);
            timedInto?.LoadSamples.Add(new RequestSample(FloodPhase.Rounds, name, at.TotalSeconds, (_rounds.Elapsed - at).TotalMilliseconds, null));
            var modules = status.ContainerOf("alice").Modules;
            if (modules.Count != count)
            {
                throw new InvalidOperationException($"{node.Options.Node.NodeName} has {modules.Count} modules after the request, not {count}");
            }
        }
    }
}
