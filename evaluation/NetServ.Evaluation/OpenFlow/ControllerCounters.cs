using System.Text.Json.Nodes;
using NetServ.Contracts.Status;

namespace NetServ.Evaluation.OpenFlow;

/// <summary>What the OpenFlowController module reports in its node's status: the filters it steers, the PACKET_INs it handled, the flows it steered through a NetServ node, per node.</summary>
internal sealed record ControllerCounters(int Filters, long PacketIns, long SteeredFlows, long[] SteeredFlowsPerNode)
{
    private const string ModulePrefix = "NetServ.Apps.OpenFlowController";

    /// <summary>The controller module's counters in <paramref name="status"/>, or null when no such module reports a status.</summary>
    public static ControllerCounters? Read(NodeStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var live = status.Containers.SelectMany(c => c.Modules).FirstOrDefault(m => m.Name.StartsWith(ModulePrefix, StringComparison.Ordinal))?.Live?.Status;
        return live is JsonObject json ? Read(json) : null;
    }

    /// <summary>The counters in the module's own status object; a missing one counts as 0.</summary>
    public static ControllerCounters Read(JsonObject status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new ControllerCounters(
            status["filters"]?.GetValue<int>() ?? 0,
            status["packetIns"]?.GetValue<long>() ?? 0,
            status["steeredFlows"]?.GetValue<long>() ?? 0,
            status["steeredFlowsPerNode"] is JsonArray perNode ? [.. perNode.Select(n => n?.GetValue<long>() ?? 0)] : []);
    }
}
