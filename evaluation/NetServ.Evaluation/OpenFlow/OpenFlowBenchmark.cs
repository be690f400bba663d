using System.Globalization;
using NetServ.Evaluation.Hosting;
using NetServ.Evaluation.Mlffr;
using NetServ.Orchestrator.Commands;
using NetServ.Orchestrator.Experiments;
using NetServ.Testbed.Linux;
using NetServ.Testbed.OpenFlow;
using NetServ.Traffic;
using Spectre.Console;

namespace NetServ.Evaluation.OpenFlow;

/// <summary>
/// NetServ on OpenFlow (paper section 10): the MLFFR through a real Open vSwitch run by the project's
/// controller with 0, 1 and 2 NetServ nodes on the flow path, and the share of packets that visited the
/// controller. The nodes are netservd running the NetMonitor module, installed by signaling, and the controller is
/// the OpenFlowController module in ns1's netservd (see <see cref="OpenFlowRig"/>). Writes a results folder;
/// everything it creates is removed, also on failure and Ctrl-C.
/// </summary>
internal sealed class OpenFlowBenchmark(OpenFlowOptions options, IAnsiConsole console)
{
    private const int BacklogForRun = 10_000;
    private const string ControllerModule = "OpenFlowController";
    private const string MonitorModule = "NetMonitor";

    /// <summary>Runs the benchmark; returns the folder and the results. Throws <see cref="OperationCanceledException"/> after cleaning up when stopped.</summary>
    public async Task<(string Folder, OpenFlowResults Results)> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        options.Validate();
        if (OvsSwitch.Missing() is { } missing)
        {
            throw new InvalidOperationException($"the openflow benchmark needs Open vSwitch: {missing}");
        }

        var results = new OpenFlowResults { Options = options, Arguments = arguments, TrafficGenerator = Traffic.TrafficGeneratorUse.Paced };
        var folder = await BenchmarkRun.RunAsync(
            "openflow",
            "NetServ on OpenFlow: MLFFR through the switch with 0, 1 and 2 NetServ nodes (paper section 10)",
            options.Output,
            BacklogForRun,
            results,
            console,
            (_, token) => MeasureAllAsync(results, token),
            (r, f) => new OpenFlowWriter(r, f).WriteAll(),
            cancellationToken).ConfigureAwait(false);
        return (folder, results);
    }

    private async Task MeasureAllAsync(OpenFlowResults results, CancellationToken cancellationToken)
    {
        results.SwitchVersion = CommandRunner.Run("ovs-vswitchd", ["--version"], cancellationToken: cancellationToken).StandardOutput.Split('\n')[0].Trim();
        console.MarkupLine("packing the OpenFlowController and NetMonitor modules where they are missing or stale");
        var controllerPackage = ModuleCatalog.Resolve(ControllerModule);
        var monitorPackage = ModuleCatalog.Resolve(MonitorModule);
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{results.SwitchVersion}, userspace datapath; {options.Flows} flows of {options.WireBytes} B frames; trials of {options.TrialSeconds} s from {options.HighRate / 1000:0} kpps down; {options.Repetitions} search(es) per configuration")));
        foreach (var nodes in options.NodeCounts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var configuration = new OpenFlowConfiguration { Nodes = nodes };
            results.Configurations.Add(configuration);
            console.Heading($"[bold]{Markup.Escape(configuration.Title)}[/]");
            var rig = await OpenFlowRig.StartAsync(nodes, controllerPackage, monitorPackage, cancellationToken).ConfigureAwait(false);
            await using var disposeRig = rig.ConfigureAwait(false);
            BenchmarkRun.NoteNamespaces(results, rig.Testbed.Id, console);

            // Each configuration notes what it sees; another run present through all of them is one entry.
            string[] seen = [.. results.ForeignNamespacesSeen.Distinct(StringComparer.Ordinal)];
            results.ForeignNamespacesSeen.Clear();
            results.ForeignNamespacesSeen.AddRange(seen);
            var frames = rig.Frames(options.WireBytes, options.Flows);
            await WarmupAsync(rig, configuration, frames, cancellationToken).ConfigureAwait(false);
            if (nodes > 0)
            {
                await rig.WaitForAsync(
                    async t => (await rig.ControllerAsync(t).ConfigureAwait(false)).SteeredFlows >= options.Flows, $"steering of all {options.Flows} flows", cancellationToken).ConfigureAwait(false);
            }

            var search = new MlffrSearch(new MlffrSearchOptions
            {
                HighRate = options.HighRate,
                Resolution = options.Resolution,
                RelativeResolution = options.RelativeResolution,
                MaxTrials = options.MaxTrials,
                Confirmations = options.Confirmations,
            });
            search.TrialCompleted += step => console.MarkupLine(Markup.Escape(string.Create(
                CultureInfo.InvariantCulture,
                $"  trial {step.Index}: {step.Trial.Rate / 1000:0.0} kpps offered {step.Trial.Offered}, received {step.Trial.Received}, lost {step.Trial.Lost}: {step.Outcome}")));
            var packetIns = (await rig.ControllerAsync(cancellationToken).ConfigureAwait(false)).PacketIns;
            var modulePackets = await rig.ModulePacketsAsync(cancellationToken).ConfigureAwait(false);
            var nodePackets = rig.NodePackets();
            for (var repetition = 1; repetition <= options.Repetitions; repetition++)
            {
                console.MarkupLine($"search {repetition}/{options.Repetitions}");
                var result = search.Run(rate => Trial(rig, configuration, frames, rate, cancellationToken), cancellationToken);
                configuration.Searches.Add(result);
                console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"  MLFFR {result.Mlffr / 1000:0.0} kpps{(result.LimitedByGenerator ? " (at the search's high bound or the generator's ceiling)" : string.Empty)}")));
            }

            rig.WaitUntilQuiet(cancellationToken);
            var controller = await rig.ControllerAsync(cancellationToken).ConfigureAwait(false);
            configuration.SearchPacketIns = controller.PacketIns - packetIns;
            configuration.SearchNodePackets = rig.NodePackets() - nodePackets;
            configuration.SteeredFlowsPerNode = nodes == 0 ? [] : controller.SteeredFlowsPerNode;
            configuration.ModulePacketsPerNode = await rig.ModulePacketsAsync(cancellationToken).ConfigureAwait(false);
            configuration.SearchModulePacketsPerNode = [.. configuration.ModulePacketsPerNode.Zip(modulePackets, (after, before) => after - before)];
            configuration.Flows = rig.Switch.DumpFlows();
            console.MarkupLine(Markup.Escape(string.Create(
                CultureInfo.InvariantCulture,
                $"median MLFFR {configuration.Median / 1000:0.0} kpps; controller: {configuration.WarmupPacketIns} PACKET_INs in the warm-up, {configuration.SearchPacketIns} in the searches ({configuration.ControllerShare:0.######%} of all packets); packets through the nodes per packet delivered in loss-free trials: {configuration.NodeShare:0.00}; NetMonitor counted {(nodes == 0 ? "–" : string.Join(" / ", configuration.ModulePacketsPerNode))}")));
        }
    }

    /// <summary>A few packets of every flow at a low rate, so the controller installs the flows before the searches; counted apart.</summary>
    private async Task WarmupAsync(OpenFlowRig rig, OpenFlowConfiguration configuration, UdpFrameSet frames, CancellationToken cancellationToken)
    {
        var packetIns = (await rig.ControllerAsync(cancellationToken).ConfigureAwait(false)).PacketIns;
        var sent = rig.Generator.Run(frames, new GeneratorRequest(1_000, options.Flows * 10L, TimeSpan.FromSeconds(10)) { Cpu = options.GeneratorCpu }, cancellationToken);
        rig.WaitUntilQuiet(cancellationToken);
        configuration.WarmupOffered = sent.Offered;
        configuration.WarmupPacketIns = (await rig.ControllerAsync(cancellationToken).ConfigureAwait(false)).PacketIns - packetIns;
    }

    /// <summary>One trial: the switch quiet, the receiver's counter zeroed, the paced generator bounded in packets and time, the switch quiet again, what arrived.</summary>
    private TrialResult Trial(OpenFlowRig rig, OpenFlowConfiguration configuration, UdpFrameSet frames, double rate, CancellationToken cancellationToken)
    {
        rig.WaitUntilQuiet(cancellationToken);
        rig.ReceiverCounter.Zero();
        var nodePackets = rig.NodePackets();
        var request = new GeneratorRequest(rate, Math.Max(1, (long)Math.Round(rate * options.TrialSeconds)), TimeSpan.FromSeconds((options.TrialSeconds * 1.5) + 1))
        {
            Cpu = options.GeneratorCpu,
        };
        var sent = TrafficResult.FromPaced(rig.Generator.Run(frames, request, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        rig.WaitUntilQuiet(cancellationToken);
        var received = rig.ReceiverCounter.Read();
        configuration.SearchOffered += sent.Offered;
        if (received == sent.Offered)
        {
            configuration.LossFreeReceived += received;
            configuration.LossFreeNodePackets += rig.NodePackets() - nodePackets;
        }
        return new TrialResult
        {
            Rate = rate,
            Requested = sent.Requested,
            Offered = sent.Offered,
            FailedSends = sent.FailedSends,
            Received = received,
            OfferedRate = sent.OfferedRate,
            GeneratorLimited = sent.GeneratorLimited,
            Duration = sent.Elapsed,
        };
    }
}
