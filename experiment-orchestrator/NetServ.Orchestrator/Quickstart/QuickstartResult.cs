namespace NetServ.Orchestrator.Quickstart;

/// <summary>One row of NetMonitor's table.</summary>
internal sealed record FlowCount(string Source, string Destination, int Ttl, long Packets);

/// <summary>What the quickstart did and saw; printed as a summary or as JSON.</summary>
internal sealed record QuickstartResult
{
    public required string Module { get; init; }

    public required long PacketsSent { get; init; }

    public required long PacketsReceived { get; init; }

    public required IReadOnlyList<FlowCount> Counts { get; init; }

    public required int VisualizerReports { get; init; }

    public required IReadOnlyList<string> RulesWhileInstalled { get; init; }

    public required IReadOnlyList<string> RulesAfterRemove { get; init; }

    public required double SetupMilliseconds { get; init; }

    public required bool TornDown { get; init; }

    /// <summary>Whether everything came out as it should: every packet delivered and counted, rules gone after REMOVE.</summary>
    public bool Succeeded =>
        PacketsReceived == PacketsSent
        && Counts.Sum(c => c.Packets) == PacketsSent
        && RulesWhileInstalled.Count > 0
        && RulesAfterRemove.Count == 0
        && TornDown;
}
