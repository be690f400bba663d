using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NetServ.Networking;

namespace NetServ.Contracts.Status;

// The node's status as netservd answers a PROBE status: read by the CLI, the testbed, the
// evaluation and the tests. Nulls are written (a stopped container has "pid": null); what only
// a container that answered can tell (its counters, memory, load contexts) is left out without
// an answer, as status always did. The source-generated reader sets every init-only property, to
// null when the JSON lacks it: what later versions added falls back to empty in the setter, so a
// status from an older node still reads.

/// <summary>The node's whole state, or one user's: containers with their modules, forwarding rules, recent failures.</summary>
public sealed record NodeStatus
{
    public required DateTimeOffset Time { get; init; }

    public required IReadOnlyList<ContainerStatus> Containers { get; init; }

    public required ForwardingStatus Forwarding { get; init; }

    public required IReadOnlyList<ModuleFailure> RecentFailures { get; init; }

    /// <summary>Modules taken out lately, newest first, and why (removed, expired, evicted, not reinstalled).</summary>
    public IReadOnlyList<ModuleRemoval> RecentRemovals { get; init => field = value ?? []; } = [];

    /// <summary>Addresses users proved they own through the reverse-routability check, the latest proof of each first.</summary>
    public IReadOnlyList<OwnershipProof> ProvenOwnership { get; init => field = value ?? []; } = [];

    /// <summary>The node's signaling counters since it started (the whole node's, also in one user's status).</summary>
    public SignalingCounters Signaling { get; init => field = value ?? new(); } = new();

    public required string Node { get; init; }

    /// <summary>The container of <paramref name="user"/>.</summary>
    /// <exception cref="InvalidOperationException">The status has no container of <paramref name="user"/>.</exception>
    public ContainerStatus ContainerOf(string user) =>
        Containers.FirstOrDefault(c => c.User == user) ?? throw new InvalidOperationException($"no container of {user} in the status of {Node}");
}

/// <summary>The life of a user's container as netservd runs it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ContainerState>))]
public enum ContainerState
{
    [JsonStringEnumMemberName("starting")]
    Starting,

    [JsonStringEnumMemberName("ready")]
    Ready,

    [JsonStringEnumMemberName("restarting")]
    Restarting,

    [JsonStringEnumMemberName("stopped")]
    Stopped,
}

/// <summary>One user's container: netservd's view of it, its modules, and what the container said about itself.</summary>
public sealed record ContainerStatus
{
    public required ContainerState State { get; init; }

    /// <summary>The container's process while it is ready.</summary>
    public int? Pid { get; init; }

    public int Uid { get; init; }

    /// <summary>The NFQUEUE number of the container's packets.</summary>
    public int Queue { get; init; }

    public int Restarts { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public string? LastExit { get; init; }

    /// <summary>The building blocks the container offers, once it has said hello.</summary>
    public IReadOnlyList<string>? BuildingBlocks { get; init; }

    public bool? NoModuleLayer { get; init; }

    /// <summary>The container's cgroup folders, comma-separated, or why there are none.</summary>
    public string? Cgroup { get; init; }

    public int MemoryLimitMb { get; init; }

    public double CpuLimit { get; init; }

    public required string User { get; init; }

    public IReadOnlyList<ModuleStatus> Modules { get; init; } = [];

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PacketCounters? Packets { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ContainerMemory? Memory { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? LoadedModuleContexts { get; init; }

    /// <summary>Modules removed whose load contexts have not been collected yet.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? UnloadingModuleContexts { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? AspNetCoreLoaded { get; init; }
}

/// <summary>An installed module as the node's module table holds it, with the container's view of it.</summary>
public sealed record ModuleStatus
{
    public required string Name { get; init; }

    public required string User { get; init; }

    public string? Url { get; init; }

    public string? Digest { get; init; }

    public string? EntryType { get; init; }

    /// <summary>The packet filter as text (<c>udp/5060 to 198.19.0.0/24</c>), or null for a module without one.</summary>
    public string? Filter { get; init; }

    /// <summary>How many forwarding rules the module's filter put in the chain.</summary>
    public int Rules { get; init; }

    public string? Properties { get; init; }

    public string? Dependencies { get; init; }

    public string? Origin { get; init; }

    public DateTimeOffset InstalledAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public int ExpiresInSeconds { get; init; }

    /// <summary>What the module's container says about it, or null when the container did not answer.</summary>
    public ModuleLiveStatus? Live { get; init; }
}

/// <summary>A module as its container sees it: started, in the packet path, counters, and its own status.</summary>
public sealed record ModuleLiveStatus
{
    public required string Name { get; init; }

    public DateTimeOffset Started { get; init; }

    public bool PacketProcessor { get; init; }

    public string? Filter { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ModuleCounters? Counters { get; init; }

    /// <summary>The module's own status (IModuleStatus), free-form and different for every module.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonNode? Status { get; init; }
}

/// <summary>A packet-processing module's verdicts.</summary>
public sealed record ModuleCounters
{
    public long Packets { get; init; }

    public long Dropped { get; init; }

    public long Modified { get; init; }

    public long Errors { get; init; }

    public string? LastError { get; init; }
}

/// <summary>A container's packet verdicts since it started.</summary>
public sealed record PacketCounters
{
    public long Received { get; init; }

    public long Accepted { get; init; }

    public long Dropped { get; init; }

    public long Modified { get; init; }

    /// <summary>Verdict batches sent to the kernel.</summary>
    public long Batches { get; init; }
}

/// <summary>A container's memory as the kernel and the GC see it.</summary>
public sealed record ContainerMemory
{
    public long GcHeapBytes { get; init; }

    public long GcCommittedBytes { get; init; }

    public long GcHeapLimitBytes { get; init; }

    public long WorkingSetBytes { get; init; }

    /// <summary>Proportional set size, or -1 when the kernel did not say.</summary>
    public long PssBytes { get; init; }
}

/// <summary>The node's forwarding chain and its rules as iptables lists them.</summary>
public sealed record ForwardingStatus
{
    public required string Chain { get; init; }

    public IReadOnlyList<string> Rules { get; init; } = [];
}

/// <summary>A module that failed: on its own, evicted from a container that kept dying, or not put back into one that came back.</summary>
public sealed record ModuleFailure
{
    public required DateTimeOffset Time { get; init; }

    public required string User { get; init; }

    public required string Module { get; init; }

    public required string Reason { get; init; }

    public string? Detail { get; init; }
}

/// <summary>Why a module was taken out of the node.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModuleRemovalReason>))]
public enum ModuleRemovalReason
{
    /// <summary>Its user asked (REMOVE).</summary>
    [JsonStringEnumMemberName("removed")]
    Removed,

    /// <summary>Its ttl ran out without a refresh.</summary>
    [JsonStringEnumMemberName("ttl-expired")]
    TtlExpired,

    /// <summary>The newest module of a container that kept dying.</summary>
    [JsonStringEnumMemberName("evicted")]
    Evicted,

    /// <summary>It could not be installed again in a container that came back.</summary>
    [JsonStringEnumMemberName("reinstall-failed")]
    ReinstallFailed,
}

/// <summary>A module taken out of the node: rules, container and files.</summary>
public sealed record ModuleRemoval
{
    public required DateTimeOffset Time { get; init; }

    public required string User { get; init; }

    public required string Module { get; init; }

    public required ModuleRemovalReason Reason { get; init; }

    public string? Detail { get; init; }
}

/// <summary>An address a user proved they own: the server at it held the password of their SETUP (paper section 5.2).</summary>
public sealed record OwnershipProof
{
    public required DateTimeOffset Time { get; init; }

    public required string User { get; init; }

    public required Ipv4Prefix Prefix { get; init; }

    /// <summary>Where the node fetched the password.</summary>
    public required Uri Url { get; init; }
}

/// <summary>What the node's signaling did besides acting on requests: repeats it answered, messages it dropped.</summary>
public sealed record SignalingCounters
{
    /// <summary>Requests received again after they were answered (the answer was lost), answered from the first result without acting again.</summary>
    public long RepeatsAnswered { get; init; }

    /// <summary>Requests received again while the first copy was still being worked on; the one answer goes upstream when ready.</summary>
    public long RepeatsInProgress { get; init; }

    /// <summary>GIST messages dropped, by reason.</summary>
    public DroppedMessages Dropped { get; init => field = value ?? new(); } = new();
}

/// <summary>GIST messages the node dropped, by reason.</summary>
public sealed record DroppedMessages
{
    /// <summary>Datagrams or stream messages that did not decode.</summary>
    public long Malformed { get; init; }

    /// <summary>Stream messages on an association the node does not know.</summary>
    public long UnknownAssociation { get; init; }

    /// <summary>Messages that came in C-mode but must be Q-mode encapsulated.</summary>
    public long WrongEncapsulation { get; init; }

    /// <summary>Confirms that did not match the node's state (RFC 5971 8.6).</summary>
    public long RefusedConfirm { get; init; }
}

/// <summary>What a container answers to a status request; netservd puts it into <see cref="ContainerStatus"/> and <see cref="ModuleStatus.Live"/>.</summary>
public sealed record ContainerReport
{
    public required string User { get; init; }

    public int Pid { get; init; }

    public int Queue { get; init; }

    public bool NoModuleLayer { get; init; }

    public IReadOnlyList<ModuleLiveStatus> Modules { get; init; } = [];

    public int LoadedModuleContexts { get; init; }

    public IReadOnlyList<string> UnloadingModuleContexts { get; init; } = [];

    public PacketCounters Packets { get; init; } = new();

    public ContainerMemory Memory { get; init; } = new();

    public bool AspNetCoreLoaded { get; init; }
}
