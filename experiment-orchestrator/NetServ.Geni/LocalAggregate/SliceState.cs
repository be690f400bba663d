// What the aggregate keeps of a slice, as it is persisted (source-generated JSON).
using System.Text.Json.Serialization;

namespace NetServ.Geni.LocalAggregate;

/// <summary>The GENI allocation states (<c>geni_allocation_status</c>).</summary>
public static class AllocationStatus
{
    public const string Unallocated = "geni_unallocated";
    public const string Allocated = "geni_allocated";
    public const string Provisioned = "geni_provisioned";
}

/// <summary>The GENI operational states (<c>geni_operational_status</c>) this aggregate reports.</summary>
public static class OperationalStatus
{
    public const string PendingAllocation = "geni_pending_allocation";
    public const string NotReady = "geni_notready";
    public const string Configuring = "geni_configuring";
    public const string Stopping = "geni_stopping";
    public const string Ready = "geni_ready";
    public const string Failed = "geni_failed";
}

/// <summary>One sliver: one node of a request, given one of the aggregate's nodes.</summary>
internal sealed class SliverState
{
    public required string SliverUrn { get; init; }

    public required string ClientId { get; init; }

    public required string ComponentId { get; init; }

    public required string AllocationStatus { get; set; }

    public required string OperationalStatus { get; set; }

    public required DateTimeOffset Expires { get; set; }

    public string Error { get; set; } = "";

    /// <summary>How the node is reached, once provisioned.</summary>
    public ProvisionedNode? Login { get; set; }
}

/// <summary>A slice at this aggregate: its slivers and the request documents they came from.</summary>
internal sealed class SliceState
{
    public required string SliceUrn { get; init; }

    /// <summary>The request rspecs of its Allocate calls, in order (geni_many: a slice may be allocated to more than once).</summary>
    public List<string> Requests { get; init; } = [];

    public List<SliverState> Slivers { get; init; } = [];

    /// <summary>Whether Shutdown was called: the slice is kept for forensics but nothing more is done with it.</summary>
    public bool ShutDown { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SliceState))]
internal sealed partial class AggregateJsonContext : JsonSerializerContext;
