using System.CommandLine;
using NetServ.Orchestrator.Commands;
using NetServ.Orchestrator.Experiments;
using NetServ.Testbed.Docker;
using NetServ.Testbed.Nodes;

namespace NetServ.Orchestrator.Quickstart;

/// <summary>
/// <c>netserv-lab quickstart</c>: the main job, as an experiment on rspecs/evaluation.rspec.xml —
/// sender (the content provider) — router (netservd, deployed from the build output) — receiver.
/// The sender installs NetMonitor on the router through signaling (a signed SETUP toward the
/// receiver, intercepted by the router), sends UDP traffic through it, PROBEs NetMonitor's counts
/// and checks them against the receiver's exact kernel count, REMOVEs it, and releases everything.
/// </summary>
internal static class QuickstartCommand
{
    private const string Module = "NetMonitor";
    private const int TrafficPort = 5060;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var packets = new Option<int>("--packets") { Description = "how many UDP packets to send through the router", DefaultValueFactory = _ => 2000 };
        var rate = new Option<int>("--rate") { Description = "packets per second", DefaultValueFactory = _ => 1000 };
        var rspec = new Option<string>("--rspec") { Description = "the topology (sender, router, receiver)", DefaultValueFactory = _ => Path.Combine(BuildOutputs.RepositoryRoot, "rspecs", "evaluation.rspec.xml") };
        var json = new Option<bool>("--json") { Description = "print only a JSON summary" };
        var (testbed, image) = RunCommand.TestbedOptions(DockerTestbedOptions.NodeImage);
        var command = new Command("quickstart", "sender — router — receiver from rspecs/evaluation.rspec.xml: netservd on the router, NetMonitor installed through signaling, UDP traffic, its counts checked, REMOVE, release")
        {
            packets, rate, rspec, testbed, image, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var count = result.GetValue(packets);
            var pps = result.GetValue(rate);
            if (count is < 1 or > 1_000_000 || pps is < 1 or > 100_000)
            {
                await error.WriteLineAsync("netserv-lab: --packets must be 1-1000000 and --rate 1-100000").ConfigureAwait(false);
                return 2;
            }

            if (RunCommand.TestbedProblem(result, testbed, image) is { } problem)
            {
                await error.WriteLineAsync($"netserv-lab: {problem}").ConfigureAwait(false);
                return 2;
            }

            var kind = RunCommand.ParseTestbed(result.GetValue(testbed)!);

            var options = new ExperimentOptions
            {
                Testbed = kind,
                Image = kind == ExperimentTestbedKind.Docker ? result.GetValue(image) : null,
                NetServNodes = ["router"],
                Modules = [new ModuleStep(Module, "sender", "receiver") { Filter = $"udp/{TrafficPort}", TtlSeconds = 600 }],
                Traffic = new TrafficStep("sender", "receiver", TrafficPort, pps, count),
            };
            var (exitCode, _) = await RunCommand.ExecuteAsync(result.GetValue(rspec)!, options, result.GetValue(json), verbose: false, output, error, cancellationToken, Checks).ConfigureAwait(false);
            return exitCode;
        });
        return command;
    }

    /// <summary>What the quickstart shows: the router intercepted the SETUP, every packet arrived, NetMonitor counted each, REMOVE left no rule, nothing is left.</summary>
    internal static IReadOnlyList<(string Check, bool Passed)> Checks(ExperimentResult result)
    {
        var module = result.Modules.FirstOrDefault();
        var traffic = result.Traffic;
        var router = module?.Counts.FirstOrDefault(c => c.Node == "router");
        var counted = router?.Flows.Sum(f => f.Packets);
        return
        [
            ($"the router intercepted the sender's SETUP toward the receiver and installed NetMonitor (installed on: {string.Join(", ", module?.InstalledOn ?? [])})", module?.InstalledOn.SequenceEqual(["router"]) == true),
            ($"the receiver's kernel counted every packet sent ({traffic?.Received} of {traffic?.Requested})", traffic is not null && traffic.Received == traffic.Requested),
            ($"NetMonitor's count on the router (PROBE) equals the receiver's ({counted?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} and {traffic?.Received})", traffic is not null && counted == traffic.Received),
            ($"REMOVE took NetMonitor and its rule off the router ({(result.RulesAfterRemove.TryGetValue("router", out var rules) ? rules : -1)} rules left)", module?.Removed == true && rules == 0),
            ("release left no namespace, rule or process", result.Phases.Any(p => p.Phase == ExperimentPhase.Release && p.Outcome == PhaseOutcome.Ok) && result.Leftovers.Count == 0),
        ];
    }
}
