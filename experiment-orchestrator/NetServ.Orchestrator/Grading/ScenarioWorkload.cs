using System.Globalization;
using System.Text.RegularExpressions;
using NetServ.Contracts.Status;
using NetServ.Orchestrator.Experiments;
using NetServ.Testbed;

namespace NetServ.Orchestrator.Grading;

/// <summary>
/// An exercise's scenarios as the run phase's last step: each scenario's flows sent together by the paced
/// generator from the sender and counted by the receiver's kernel, or pings from the sender answered (or not)
/// on the path; then what the NetServ nodes say about the submission (its container's restarts, failures,
/// errors its module threw). A scenario that cannot run scores nothing and says why; it never ends the grading.
/// </summary>
internal sealed partial class ScenarioWorkload(Exercise exercise, string user, string sender, string receiver) : IExperimentWorkload
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(30);
    private readonly List<ScenarioResult> _results = [];
    private readonly List<string> _problems = [];

    public string Description => $"the {exercise.Scenarios.Count} scenarios of {exercise.Name}";

    /// <summary>The scenarios' results, in order; empty when the run phase was not reached.</summary>
    public IReadOnlyList<ScenarioResult> Results => _results;

    /// <summary>What the nodes said about the submission after the scenarios.</summary>
    public IReadOnlyList<string> Problems => _problems;

    public async Task RunAsync(IExperimentTestbed bed, IReadOnlyDictionary<string, IExperimentNetServd> nodes, IExperimentProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bed);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(progress);
        foreach (var (scenario, index) in exercise.Scenarios.Select((s, i) => (s, i + 1)))
        {
            progress.Status($"run: scenario {index} of {exercise.Scenarios.Count}: {scenario.Name}");
            ScenarioResult result;
            try
            {
                result = await RunScenarioAsync(bed, scenario, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                result = new ScenarioResult(scenario.Name, scenario.Points, 0, [], $"the scenario could not run: {e.Message}");
            }

            _results.Add(result);
            progress.Detail($"{(result.Passed ? "passed" : "failed")} {result.Name} ({result.Earned}/{result.Points}): {string.Join("; ", result.Measured)}");
        }

        foreach (var (name, node) in nodes)
        {
            try
            {
                _problems.AddRange(Diagnose(name, await node.StatusAsync(cancellationToken).ConfigureAwait(false), user));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _problems.Add($"{name}: the node's status could not be read: {e.Message}");
            }
        }
    }

    private async Task<ScenarioResult> RunScenarioAsync(IExperimentTestbed bed, Scenario scenario, IExperimentProgress progress, CancellationToken cancellationToken)
    {
        var measured = new List<string>();
        var passed = true;
        if (scenario.Flows.Count > 0)
        {
            var runs = scenario.Flows.Select(f => TrafficRun.RunAsync(
                bed,
                new TrafficStep(sender, receiver, f.Port, f.Rate, f.Packets) { SourceAddress = f.Source, SourcePort = f.SourcePort },
                progress,
                cancellationToken)).ToArray();
            var reports = await Task.WhenAll(runs).ConfigureAwait(false);
            foreach (var (flow, report) in scenario.Flows.Zip(reports))
            {
                var ok = flow.Expect.Contains(report.Received);
                passed &= ok;
                var from = flow.Source is { } source ? $" from {source}" : string.Empty;
                measured.Add(string.Create(CultureInfo.InvariantCulture, $"port {flow.Port}{from}: {report.Received} of {report.Offered} arrived, expected {flow.Expect}"));
            }
        }

        if (scenario.Ping is { } ping)
        {
            var replies = await PingAsync(bed, ping, cancellationToken).ConfigureAwait(false);
            var ok = ping.Expect.Contains(replies);
            passed &= ok;
            measured.Add(string.Create(CultureInfo.InvariantCulture, $"ping {receiver}: {replies} of {ping.Count} answered{(ping.ReceiverDrops ? " (the receiver itself drops echo requests)" : string.Empty)}, expected {ping.Expect}"));
        }

        return new ScenarioResult(scenario.Name, scenario.Points, passed ? scenario.Points : 0, measured, passed ? string.Empty : scenario.Hint);
    }

    /// <summary>Pings the receiver from the sender; where asked, the receiver's own kernel drops the requests meanwhile.</summary>
    private async Task<long> PingAsync(IExperimentTestbed bed, PingCheck ping, CancellationToken cancellationToken)
    {
        var testbed = bed.Testbed;
        var from = ExperimentTopology.Node(testbed, sender);
        var (to, address) = ExperimentTopology.Destination(testbed, receiver);
        string[] rule = ["INPUT", "-p", "icmp", "--icmp-type", "echo-request", "-j", "DROP"];
        if (ping.ReceiverDrops)
        {
            await RunCheckedAsync(to.Session, "iptables", ["-w", "-I", .. rule], cancellationToken).ConfigureAwait(false);
        }

        try
        {
            // ping exits 1 when replies are missing: its summary line says how many came.
            var result = await from.Session.RunAsync(
                "ping",
                ["-n", "-q", "-c", ping.Count.ToString(CultureInfo.InvariantCulture), "-i", "0.2", "-W", "1", address.ToString()],
                PingTimeout,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return ParsePingReplies(result.StandardOutput)
                ?? throw new InvalidOperationException($"ping printed no summary (exit {result.ExitCode}): {result.StandardError.Trim()}");
        }
        finally
        {
            if (ping.ReceiverDrops)
            {
                await RunCheckedAsync(to.Session, "iptables", ["-w", "-D", .. rule], CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static async Task RunCheckedAsync(INodeSession session, string file, string[] arguments, CancellationToken cancellationToken)
    {
        var result = await session.RunAsync(file, arguments, TimeSpan.FromSeconds(10), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {result.StandardError.Trim()}");
        }
    }

    /// <summary>
    /// The replies in ping's summary, duplicates included (<c>5 packets transmitted, 5 received, +5 duplicates, 0% packet loss</c>
    /// is 10: a request answered on the path and by the server too); null without a summary.
    /// </summary>
    internal static long? ParsePingReplies(string output) =>
        PingSummary().Match(output) is { Success: true } match
            ? long.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) + (match.Groups[2].Success ? long.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture) : 0)
            : null;

    /// <summary>What <paramref name="status"/> of node <paramref name="name"/> says went wrong with <paramref name="user"/>'s modules.</summary>
    internal static IEnumerable<string> Diagnose(string name, NodeStatus status, string user)
    {
        ArgumentNullException.ThrowIfNull(status);
        var container = status.Containers.FirstOrDefault(c => c.User == user);
        if (container is { Restarts: > 0 })
        {
            yield return $"{name}: your module's container restarted {container.Restarts} time(s){(container.LastExit is { } exit ? $", last: {exit}" : string.Empty)} (a module that crashes its process, hangs or exhausts its memory takes its container down; the node brings it back)";
        }

        foreach (var failure in status.RecentFailures.Where(f => f.User == user))
        {
            yield return $"{name}: {failure.Module}: {failure.Reason}{(failure.Detail is { } detail ? $": {detail}" : string.Empty)}";
        }

        foreach (var removal in status.RecentRemovals.Where(r => r.User == user && r.Reason != ModuleRemovalReason.Removed))
        {
            yield return $"{name}: {removal.Module} was taken out: {removal.Reason.ToString().ToLowerInvariant()}";
        }

        foreach (var module in container?.Modules ?? [])
        {
            if (module.Live?.Counters is { Errors: > 0 } counters)
            {
                yield return $"{name}: {module.Name} threw on {counters.Errors} packet(s) (those packets were accepted unchanged){(counters.LastError is { } last ? $"; the last: {last}" : string.Empty)}";
            }
        }
    }

    [GeneratedRegex(@"\d+ packets transmitted, (\d+) (?:packets )?received(?:, \+(\d+) duplicates)?")]
    private static partial Regex PingSummary();
}
