using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Evaluation.Hosting;
using NetServ.Sdk;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;
using NetServ.Signaling.Transport;
using NetServ.Testbed.Http;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;
using Spectre.Console;

namespace NetServ.Evaluation.Signaling;

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

    public SignalingLatencyOptions Quick() => this with { Repetitions = 3 };

    public void Validate()
    {
        if (Repetitions is < 2 or > 10_000)
        {
            throw new ArgumentException("--repetitions must be 2-10000 (the first round is reported apart)");
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
/// of the status; and a REMOVE.
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
        console.Write(new Rule("[bold]NetServ signaling latency[/]").LeftJustified());
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
            NodeName = $"{name}-{network.Id}",
            LogLevel = options.NodeLogLevel,
            Users = [new NodeUser("alice", ["198.18.4.0/24"]) { PublicKey = key.PublicKey.ToPem() }],
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
        await using var client = network["provider"].Namespace.Run(() => SignalingClient.Start("netserv-eval", NullLogger.Instance, TimeProvider.System));

        var setup = ModuleSetup.ForPackage(package, "alice", packages.UrlOf) with { FilterProtocol = "udp", FilterPort = 5060, FilterDestination = "198.18.4.0/24" };
        await console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()).StartAsync(async progress =>
        {
            var task = progress.AddTask($"{options.Repetitions} rounds of SETUP, refresh, PROBE, REMOVE toward the user and toward node B", maxValue: options.Repetitions);
            for (var round = 0; round < options.Repetitions; round++)
            {
                var toUser = await RoundAsync(client, round, EndUser, string.Empty, setup, key, a, b, cancellationToken).ConfigureAwait(false);
                var toB = await RoundAsync(client, round, NodeB, "-b", setup, key, a, b, cancellationToken).ConfigureAwait(false);
                results.Samples.AddRange(toUser);
                results.Samples.AddRange(toB);
                task.Increment(1);
                task.Description = $"round {round + 1}/{options.Repetitions}: SETUP {toUser[0].Milliseconds:0} ms toward the user, {toB[0].Milliseconds:0} ms toward B";
            }
        }).ConfigureAwait(false);
    }

    /// <summary>SETUP, refresh, PROBE and REMOVE toward <paramref name="destination"/>, checking the modules on both nodes after SETUP and REMOVE (untimed).</summary>
    private async Task<LatencySample[]> RoundAsync(SignalingClient client, int round, Ipv4Address destination, string suffix, ModuleSetup setup, UserPrivateKey key, NetServNodeProcess a, NetServNodeProcess b, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var installed = await TimeAsync(client, round, destination, "setup" + suffix, setup.ToRequest(), key, cancellationToken).ConfigureAwait(false);
        await ExpectModulesAsync(a, b, 1).ConfigureAwait(false);
        var refreshed = await TimeAsync(client, round, destination, "setup-refresh" + suffix, setup.ToRequest(), key, cancellationToken).ConfigureAwait(false);
        var probe = new NslpRequest(NslpMethod.Probe, "*");
        probe.Headers.Add(NslpHeaderNames.Probe, "status");
        var probed = await TimeAsync(client, round, destination, "probe" + suffix, probe, key, cancellationToken).ConfigureAwait(false);
        var removed = await TimeAsync(client, round, destination, "remove" + suffix, new NslpRequest(NslpMethod.Remove, Module), key, cancellationToken).ConfigureAwait(false);
        await ExpectModulesAsync(a, b, 0).ConfigureAwait(false);
        return [installed, refreshed, probed, removed];
    }

    private async Task<LatencySample> TimeAsync(SignalingClient client, int round, Ipv4Address destination, string operation, NslpRequest request, UserPrivateKey key, CancellationToken cancellationToken)
    {
        request.Headers[NslpHeaderNames.User] = "alice";
        NslpSignature.Sign(request, key, TimeProvider.System);
        var watch = Stopwatch.StartNew();
        NslpResponse response;
        try
        {
            response = await client.SendAsync(destination, request, options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (SignalingException e)
        {
            throw new InvalidOperationException($"round {round + 1}, {operation} (sent at {DateTimeOffset.Now - watch.Elapsed:HH:mm:ss.fff}): {e.Message}", e);
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

    /// <summary>Checks (untimed) that both nodes have <paramref name="count"/> modules of alice's running.</summary>
    private static async Task ExpectModulesAsync(NetServNodeProcess a, NetServNodeProcess b, int count)
    {
        foreach (var node in new[] { a, b })
        {
            var modules = NetServNodeProcess.ContainerOf(await node.StatusAsync().ConfigureAwait(false), "alice")["modules"] as JsonArray ?? [];
            if (modules.Count != count)
            {
                throw new InvalidOperationException($"{node.Options.NodeName} has {modules.Count} modules after the request, not {count}");
            }
        }
    }
}
