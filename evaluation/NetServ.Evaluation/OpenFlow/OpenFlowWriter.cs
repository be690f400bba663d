using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using NetServ.Evaluation.Reporting;
using ScottPlot;

namespace NetServ.Evaluation.OpenFlow;

/// <summary>
/// Writes an openflow run's folder: results.json (machine, options, every configuration with its searches and
/// trials, the switch's flow table), mlffr.csv (one row a configuration), trials.csv, summary.md and mlffr.png.
/// </summary>
internal sealed class OpenFlowWriter(OpenFlowResults results, string folder)
{
    public void WriteAll()
    {
        ResultsWriter.WriteJson(folder, ToJson());
        File.WriteAllText(Path.Combine(folder, "mlffr.csv"), MlffrCsv());
        File.WriteAllText(Path.Combine(folder, "trials.csv"), TrialsCsv());
        if (results.Configurations.Any(c => c.Median is not null))
        {
            Plot(Path.Combine(folder, "mlffr.png"));
        }

        File.WriteAllText(Path.Combine(folder, "summary.md"), Summary());
    }

    public JsonObject ToJson() => results.ToJson("openflow", results.MachineJson(), new JsonObject
    {
        ["options"] = results.Options.ToJson(),
        ["switch"] = new JsonObject
        {
            ["version"] = results.SwitchVersion,
            ["datapath"] = "netdev (userspace), veth ports, fail_mode=secure, OpenFlow 1.3",
            ["controller"] = "the OpenFlowController module in netservd on ns1, over the control link 198.19.10.2:6653",
            ["nodes"] = "netservd on ns1 (and ns2 with 2 nodes) running the NetMonitor module installed by a signed SETUP with the filter udp/5060 to the receiver",
        },
        ["configurations"] = new JsonArray(results.Configurations.Select(c => (JsonNode?)new JsonObject
        {
            ["nodes"] = c.Nodes,
            ["title"] = c.Title,
            ["mlffrKpps"] = Kpps(c.Median),
            ["minKpps"] = Kpps(c.Searches.Count == 0 ? null : c.Searches.Min(s => s.Mlffr)),
            ["maxKpps"] = Kpps(c.Searches.Count == 0 ? null : c.Searches.Max(s => s.Mlffr)),
            ["ratioToZeroNodes"] = results.RatioToNoNode(c) is { } r ? Math.Round(r, 3) : null,
            ["controllerShare"] = c.ControllerShare,
            ["nodePacketsPerDelivered"] = Math.Round(c.NodeShare, 4),
            ["lossFreeTrials"] = new JsonObject { ["received"] = c.LossFreeReceived, ["toNodes"] = c.LossFreeNodePackets },
            ["warmup"] = new JsonObject { ["offered"] = c.WarmupOffered, ["packetIns"] = c.WarmupPacketIns },
            ["searchPackets"] = new JsonObject { ["offered"] = c.SearchOffered, ["packetIns"] = c.SearchPacketIns, ["toNodes"] = c.SearchNodePackets },
            ["steeredFlowsPerNode"] = new JsonArray(c.SteeredFlowsPerNode.Select(n => (JsonNode?)n).ToArray()),
            ["modulePacketsPerNode"] = new JsonArray(c.ModulePacketsPerNode.Select(n => (JsonNode?)n).ToArray()),
            ["searchModulePacketsPerNode"] = new JsonArray(c.SearchModulePacketsPerNode.Select(n => (JsonNode?)n).ToArray()),
            ["searches"] = new JsonArray(c.Searches.Select(s => (JsonNode?)new JsonObject
            {
                ["mlffrKpps"] = Kpps(s.Mlffr),
                ["lowestFailureKpps"] = Kpps(s.LowestFailure),
                ["limitedByGenerator"] = s.LimitedByGenerator,
                ["unresolved"] = s.Unresolved,
                ["trials"] = new JsonArray(s.Steps.Select(t => (JsonNode?)new JsonObject
                {
                    ["rateKpps"] = Kpps(t.Trial.Rate),
                    ["offered"] = t.Trial.Offered,
                    ["received"] = t.Trial.Received,
                    ["failedSends"] = t.Trial.FailedSends,
                    ["offeredKpps"] = Kpps(t.Trial.OfferedRate),
                    ["outcome"] = t.Outcome.ToString(),
                }).ToArray()),
            }).ToArray()),
            ["flowTable"] = new JsonArray(c.Flows.Select(f => (JsonNode?)f).ToArray()),
        }).ToArray()),
    });

    /// <summary>One row a configuration.</summary>
    public string MlffrCsv()
    {
        var csv = new StringBuilder("nodes,title,searches,mlffr_kpps,min_kpps,max_kpps,ratio_to_0_nodes,controller_share,packet_ins_warmup,packet_ins_searches,offered_warmup,offered_searches,node_packets_per_delivered\n");
        foreach (var c in results.Configurations)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{c.Nodes},{ResultsWriter.Quote(c.Title)},{c.Searches.Count},{Text(c.Median)},{Text(c.Searches.Count == 0 ? null : c.Searches.Min(s => s.Mlffr))},{Text(c.Searches.Count == 0 ? null : c.Searches.Max(s => s.Mlffr))},");
            csv.Append(CultureInfo.InvariantCulture, $"{results.RatioToNoNode(c)?.ToString("0.000", CultureInfo.InvariantCulture)},{c.ControllerShare.ToString("0.########", CultureInfo.InvariantCulture)},{c.WarmupPacketIns},{c.SearchPacketIns},{c.WarmupOffered},{c.SearchOffered},{c.NodeShare.ToString("0.0000", CultureInfo.InvariantCulture)}\n");
        }

        return csv.ToString();
    }

    /// <summary>One row a trial.</summary>
    public string TrialsCsv()
    {
        var csv = new StringBuilder("nodes,search,trial,attempt,rate_kpps,offered,received,lost,failed_sends,offered_kpps,outcome\n");
        foreach (var c in results.Configurations)
        {
            foreach (var (search, i) in c.Searches.Select((s, i) => (s, i + 1)))
            {
                foreach (var t in search.Steps)
                {
                    csv.Append(CultureInfo.InvariantCulture, $"{c.Nodes},{i},{t.Index},{t.Attempt},{Text(t.Trial.Rate)},{t.Trial.Offered},{t.Trial.Received},{t.Trial.Lost},{t.Trial.FailedSends},{Text(t.Trial.OfferedRate)},{t.Outcome}\n");
                }
            }
        }

        return csv.ToString();
    }

    public string Summary()
    {
        var md = new StringBuilder();
        results.AppendSummaryHeader(md, "NetServ on OpenFlow: MLFFR through the switch", $"CPUs {results.MachineBusyAtStart:0%} busy with other work at the start");
        var o = results.Options;
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Switch: {results.SwitchVersion ?? "Open vSwitch"}, userspace datapath (`datapath_type=netdev`, this kernel has no OVS module), veth ports, `fail_mode=secure`, OpenFlow 1.3, rspecs/openflow.rspec.xml realised by the local testbed. Sender 198.18.10.1 (port 1) → switch → receiver 198.18.10.2 (port 2); NetServ nodes ns1 198.18.10.11 (port 3) and ns2 198.18.10.12 (port 4); {o.Flows} UDP flows to port 5060, {o.WireBytes}-byte frames, paced generator on CPU {o.GeneratorCpu}, counted by an iptables rule at the receiver.");
        md.AppendLine();
        md.AppendLine("**Controller and nodes.** The controller is the OpenFlowController module in netservd on ns1, installed through ns1's admin socket and reached by the switch over a control link (198.19.10.2:6653), in every configuration. The NetServ nodes are netservd: with 1 node only ns1 (ns2 runs no netservd and the controller knows only ns1), with 2 nodes ns1 and ns2. A signed SETUP of the NetMonitor module from the sender toward the receiver, with the filter UDP/5060 to 198.18.10.2/32, goes through the switch's proactive signaling flow to ns1 (and on to ns2), installs the module on each node, and netservd's filter events hand the filter to the controller, which steers each flow of it through a node (by hash over both with 2); each steered packet passes the node's NetMonitor module (packet counts below) and is routed back onto the switch. With 0 nodes ns1 hosts only the controller, no module asks for a filter, and the traffic is the controller's L2 learning.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Search: RFC 2544 binary search from {o.HighRate / 1000:0} kpps, trials of {o.TrialSeconds} s, resolution max({o.Resolution / 1000:0} kpps, {o.RelativeResolution:0%}), {o.Confirmations} confirmation(s) of a failure, {o.Repetitions} search(es) per configuration{(o.IsQuick ? " (**--quick**: a check that the chain works, not a measurement)" : string.Empty)}. Before the searches a warm-up of {o.Flows * 10} packets at 1 kpps lets the controller install the flows; PACKET_INs are counted over warm-up and searches.");
        md.AppendLine();
        md.AppendLine("| nodes on the flow path | MLFFR kpps (median) | min–max | ratio to 0 nodes | packets to the controller | share of all packets | node passes per delivered packet (loss-free trials) | flows per node | packets NetMonitor counted per node (searches) |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var c in results.Configurations)
        {
            var min = c.Searches.Count == 0 ? null : (double?)c.Searches.Min(s => s.Mlffr);
            var max = c.Searches.Count == 0 ? null : (double?)c.Searches.Max(s => s.Mlffr);
            var bound = c.Searches.Any(s => s.LimitedByGenerator) ? " (≥: the search's high bound or the generator)" : string.Empty;
            md.AppendLine(CultureInfo.InvariantCulture, $"| {c.Title} | {Text(c.Median)}{bound} | {Text(min)}–{Text(max)} | {(results.RatioToNoNode(c) is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "–")} | {c.WarmupPacketIns + c.SearchPacketIns} of {c.WarmupOffered + c.SearchOffered} | {c.ControllerShare:0.####%} | {c.NodeShare:0.00} | {PerNode(c.SteeredFlowsPerNode)} | {(c.ModulePacketsPerNode.Length == 0 ? "–" : $"{PerNode(c.ModulePacketsPerNode)} ({PerNode(c.SearchModulePacketsPerNode)})")} |");
        }

        md.AppendLine();
        md.AppendLine("Reading it: on this machine the userspace switch (its one forwarding thread), the generator, netservd with its module containers and the receiver share two CPUs. A steered packet crosses the switch twice (sender → node, node → receiver) and, on the node, goes through NetMonitor in user space (NFQUEUE to the module's container): the rate with nodes is bounded by the slower of the switch's two passes and the node's module path. A second node shares the module work but adds no switch capacity, and on two CPUs its netservd competes with everything else. The configurations run one after the other and other work on the machine moves the figures between them, so compare ratios within one run, and read small differences as noise. The controller sees only each flow's first packet (and L2 learning), so its share falls with the length of the run. evaluation/README.md, *openflow*, says how this scales on a hardware switch.");
        md.AppendLine();
        md.AppendLine("![MLFFR per node count](mlffr.png)");
        ResultsWriter.AppendNotesAndFiles(md, results, "results.json (everything, every trial, the flow tables), mlffr.csv, trials.csv, mlffr.png");
        return md.ToString();
    }

    private void Plot(string path)
    {
        var plot = new Plot();
        var measured = results.Configurations.Where(c => c.Median is not null).ToArray();
        var bars = measured.Select((c, i) => new Bar
        {
            Position = i,
            Value = c.Median!.Value / 1000,
            FillColor = Plots.Measured,
            Size = 0.7,
            Label = results.RatioToNoNode(c) is { } r ? string.Create(CultureInfo.InvariantCulture, $"{c.Median.Value / 1000:0.0} ({r:0.00}×)") : string.Create(CultureInfo.InvariantCulture, $"{c.Median.Value / 1000:0.0}"),
        }).ToList();
        var series = plot.Add.Bars(bars);
        series.LegendText = "this run: median, whiskers min–max; label: kpps (ratio to 0 nodes)";
        series.ValueLabelStyle.FontSize = 11;
        Plots.Whiskers(plot, bars.Select(b => b.Position), measured.Select(c => (c.Median!.Value / 1000, c.Searches.Min(s => s.Mlffr) / 1000, c.Searches.Max(s => s.Mlffr) / 1000)));
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            bars.Select(b => b.Position).ToArray(),
            measured.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Title}\ncontroller {c.ControllerShare:0.###%}")).ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0, top: 0.2);
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"MLFFR through Open vSwitch (userspace) with NetServ nodes on the flow path, {results.Options.WireBytes}-byte frames"));
        plot.YLabel("MLFFR (kpps)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 1000, 600);
    }

    private static string PerNode(long[] counts) => counts.Length == 0 ? "–" : string.Join(" / ", counts);

    private static double? Kpps(double? pps) => pps is { } p ? Math.Round(p / 1000, 2) : null;

    private static string Text(double? pps) => pps is { } p ? (p / 1000).ToString("0.0", CultureInfo.InvariantCulture) : "–";
}
