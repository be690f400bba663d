using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NetServ.Signaling.Nslp;
using NetServ.Testbed.Http;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;
using NetServ.Testbed.Traffic;

namespace NetServ.Orchestrator.Quickstart;

/// <summary>How the quickstart runs.</summary>
internal sealed record QuickstartOptions
{
    public int Packets { get; init; } = 2000;

    public int PacketsPerSecond { get; init; } = 1000;

    public string User { get; init; } = "demo";
}

/// <summary>
/// The main job on the local testbed: sender (the content provider) — router running netservd —
/// receiver, in network namespaces. NetMonitor is installed on the router through the admin
/// API, UDP traffic crosses the router, NetMonitor's counts are read back, the module is
/// removed, and everything is torn down again, also on failure or Ctrl-C.
/// </summary>
internal sealed class QuickstartRunner(QuickstartOptions options, IQuickstartReporter reporter)
{
    private const string PackageId = "NetServ.Apps.NetMonitor";
    private const int TrafficPort = 5060;
    private const int VisualizerPort = 5678;

    public async Task<QuickstartResult> RunAsync(CancellationToken cancellationToken)
    {
        reporter.Step("Building the testbed: sender 198.18.0.1 — router — receiver 198.19.0.1 (network namespaces, veth)");
        var path = LocalNetwork.CreateSenderRouterReceiver();
        var tornDown = false;
        try
        {
            foreach (var host in path.Network.Hosts)
            {
                reporter.Detail($"{host.Name,-9} namespace {host.Namespace.Name}, {string.Join(", ", host.Interfaces.Select(i => $"{i.Name} {i.Address}/{i.PrefixLength}"))}");
            }

            var package = BuildOutputs.EnsurePackage(PackageId, "applications/NetMonitor");
            reporter.Step("The content provider (sender) serves the module package over HTTP");
            await using var server = PackageServer.Start(Path.GetDirectoryName(package)!, IPAddress.Parse("198.18.0.1"), 8080, path.Sender.Namespace);
            reporter.Detail($"{server.UrlOf(Path.GetFileName(package))}");

            reporter.Step("Starting netservd on the router (one service container for user '" + options.User + "')");
            await using var node = await NetServNodeProcess.StartAsync(path.Router.Namespace, new NetServNodeOptions
            {
                NodeName = "router",
                Users = [new NodeUser(options.User, [path.ReceiverSubnet.ToString()])],
            }, cancellationToken);
            var container = NetServNodeProcess.ContainerOf(await node.StatusAsync(cancellationToken: cancellationToken), options.User);
            reporter.Detail($"container of {options.User}: pid {container["pid"]}, uid {container["uid"]}, NFQUEUE {container["queue"]}");

            reporter.Step("Installing NetMonitor through the admin API (SETUP)");
            var setup = ModuleSetup.ForPackage(package, options.User, server.UrlOf) with
            {
                FilterProtocol = "udp",
                FilterPort = TrafficPort,
                FilterDestination = path.ReceiverSubnet.ToString(),
                Properties = $"visualizer_ip=198.18.0.1,visualizer_port={VisualizerPort},report_interval_ms=500",
                TtlSeconds = 600,
            };
            foreach (var line in Encoding.UTF8.GetString(NslpCodec.Encode(setup.ToRequest())).TrimEnd().Split("\r\n"))
            {
                reporter.Detail(line);
            }

            var watch = Stopwatch.StartNew();
            var response = await node.SetupAsync(setup, cancellationToken);
            var setupMilliseconds = watch.Elapsed.TotalMilliseconds;
            if (!response.IsSuccess)
            {
                throw new InvalidOperationException($"SETUP was refused: {response.StatusCode} {response.Headers[NslpHeaderNames.Error]}");
            }

            reporter.Detail($"-> {response.StatusCode} {response.Reason} in {setupMilliseconds:0} ms");
            var rulesInstalled = await RulesAsync(node, cancellationToken);
            foreach (var rule in rulesInstalled)
            {
                reporter.Detail($"rule: {rule}");
            }

            reporter.Step($"Sending {options.Packets} UDP packets to 198.19.0.1:{TrafficPort} at {options.PacketsPerSecond} packets/s");
            using var visualizer = UdpReceiver.Start(path.Sender.Namespace, new IPEndPoint(IPAddress.Parse("198.18.0.1"), VisualizerPort));
            long received;
            using (var receiver = UdpReceiver.Start(path.Receiver.Namespace, new IPEndPoint(IPAddress.Parse("198.19.0.1"), TrafficPort)))
            {
                const int Chunk = 100;
                for (var sent = 0; sent < options.Packets; sent += Chunk)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var count = Math.Min(Chunk, options.Packets - sent);
                    UdpSender.Send(path.Sender.Namespace, new IPEndPoint(IPAddress.Parse("198.19.0.1"), TrafficPort), UdpSender.Numbered("quickstart", count), options.PacketsPerSecond);
                    reporter.Traffic(sent + count, options.Packets);
                }

                received = receiver.WaitFor(options.Packets, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));
            }

            reporter.Detail($"the receiver got {received} of {options.Packets}");
            visualizer.WaitFor(int.MaxValue, TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(2));

            reporter.Step("Reading NetMonitor's counts (PROBE status)");
            var counts = await CountsAsync(node, setup.Module, cancellationToken);
            foreach (var count in counts)
            {
                reporter.Detail($"{count.Source} -> {count.Destination}  ttl {count.Ttl}  {count.Packets} packets");
            }

            reporter.Detail($"the visualizer at 198.18.0.1:{VisualizerPort} received {visualizer.Count} reports");

            reporter.Step("Removing NetMonitor (REMOVE)");
            var removed = await node.RemoveAsync(setup.Module, options.User, cancellationToken);
            reporter.Detail($"-> {removed.StatusCode} {removed.Reason}");
            var rulesAfter = await RulesAsync(node, cancellationToken);
            reporter.Detail(rulesAfter.Count == 0 ? "the forwarding plane holds no rule any more" : $"{rulesAfter.Count} rules remain");

            reporter.Step("Tearing down: netservd, containers, namespaces");
            await node.DisposeAsync();
            path.Dispose();
            tornDown = NetworkNamespace.List($"{NetworkNamespace.NamePrefix}{path.Network.Id}").Count == 0;
            return new QuickstartResult
            {
                Module = setup.Module,
                PacketsSent = options.Packets,
                PacketsReceived = received,
                Counts = counts,
                VisualizerReports = visualizer.Count,
                RulesWhileInstalled = rulesInstalled,
                RulesAfterRemove = rulesAfter,
                SetupMilliseconds = setupMilliseconds,
                TornDown = tornDown,
            };
        }
        finally
        {
            if (!tornDown)
            {
                path.Dispose();
            }
        }
    }

    private static async Task<IReadOnlyList<string>> RulesAsync(NetServNodeProcess node, CancellationToken cancellationToken) =>
        ((await node.StatusAsync(cancellationToken: cancellationToken))["forwarding"]?["rules"] as JsonArray ?? []).Select(r => r!.GetValue<string>()).ToArray();

    private async Task<IReadOnlyList<FlowCount>> CountsAsync(NetServNodeProcess node, string module, CancellationToken cancellationToken)
    {
        var status = await node.StatusAsync(cancellationToken: cancellationToken);
        var entry = NetServNodeProcess.ContainerOf(status, options.User)["modules"]!.AsArray().OfType<JsonObject>().First(m => m["name"]!.GetValue<string>() == module);
        return (entry["live"]?["status"]?["flows"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(f => new FlowCount(f["source"]!.GetValue<string>(), f["destination"]!.GetValue<string>(), f["ttl"]!.GetValue<int>(), f["packets"]!.GetValue<long>()))
            .ToArray();
    }
}
