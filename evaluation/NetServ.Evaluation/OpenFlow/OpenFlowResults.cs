using NetServ.Evaluation.Hosting;
using NetServ.Evaluation.Mlffr;

namespace NetServ.Evaluation.OpenFlow;

/// <summary>One configuration of the openflow benchmark: its searches and what the controller and the nodes saw.</summary>
internal sealed record OpenFlowConfiguration
{
    /// <summary>NetServ nodes on the flow path.</summary>
    public required int Nodes { get; init; }

    public List<MlffrResult> Searches { get; } = [];

    /// <summary>PACKET_INs the controller handled during the warm-up (flow setup).</summary>
    public long WarmupPacketIns { get; set; }

    /// <summary>Packets offered during the warm-up.</summary>
    public long WarmupOffered { get; set; }

    /// <summary>PACKET_INs the controller handled during the searches.</summary>
    public long SearchPacketIns { get; set; }

    /// <summary>Packets offered in every trial of the searches.</summary>
    public long SearchOffered { get; set; }

    /// <summary>Packets the receiver counted in the trials that lost none.</summary>
    public long LossFreeReceived { get; set; }

    /// <summary>Packets ns1's and ns2's switch-facing interfaces received in the trials that lost none.</summary>
    public long LossFreeNodePackets { get; set; }

    /// <summary>Packets ns1's and ns2's switch-facing interfaces received during the searches (what the switch steered to them).</summary>
    public long SearchNodePackets { get; set; }

    /// <summary>Flows the controller steered, per node (empty with 0 nodes).</summary>
    public long[] SteeredFlowsPerNode { get; set; } = [];

    /// <summary>Packets the NetMonitor module counted on each NetServ node on the path, ns1 first, over warm-up and searches (empty with 0 nodes).</summary>
    public long[] ModulePacketsPerNode { get; set; } = [];

    /// <summary>Packets the NetMonitor module counted on each NetServ node during the searches only.</summary>
    public long[] SearchModulePacketsPerNode { get; set; } = [];

    /// <summary>The switch's flow table after the searches, as ovs-ofctl dump-flows prints it.</summary>
    public IReadOnlyList<string> Flows { get; set; } = [];

    /// <summary>The median MLFFR (pps), or null before a search finished.</summary>
    public double? Median => Searches.Count == 0 ? null : Statistics.Median(Searches.Select(s => s.Mlffr));

    /// <summary>Share of all offered packets (warm-up and searches) that went to the controller.</summary>
    public double ControllerShare => WarmupOffered + SearchOffered == 0 ? 0 : (double)(WarmupPacketIns + SearchPacketIns) / (WarmupOffered + SearchOffered);

    /// <summary>
    /// Packets the nodes received per packet delivered, over the trials that lost none: 1 when every packet took the
    /// detour, 0 without nodes. (Lossy trials would mix in what the switch dropped before or after a node.)
    /// </summary>
    public double NodeShare => LossFreeReceived == 0 ? 0 : (double)LossFreeNodePackets / LossFreeReceived;

    /// <summary>What the configuration is, for tables and the figure.</summary>
    public string Title => Nodes switch
    {
        0 => "0 nodes: L2 learning only",
        1 => "1 node on the flow path",
        _ => $"{Nodes} nodes, flows spread by hash",
    };
}

/// <summary>Everything one openflow run found, complete or not.</summary>
internal sealed class OpenFlowResults : RunRecord
{
    public required OpenFlowOptions Options { get; init; }

    public List<OpenFlowConfiguration> Configurations { get; } = [];

    /// <summary>Open vSwitch's version as ovs-vswitchd reports it.</summary>
    public string? SwitchVersion { get; set; }

    /// <summary><paramref name="configuration"/>'s median MLFFR over the 0-node run's of this run, or null when either is missing.</summary>
    public double? RatioToNoNode(OpenFlowConfiguration configuration) =>
        Configurations.FirstOrDefault(c => c.Nodes == 0)?.Median is double baseline and > 0 && configuration.Median is { } median ? median / baseline : null;
}
