using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NetServ.Contracts.Status;
using NetServ.Networking;
using NetServ.Sdk;

namespace NetServ.Contracts.Control;

// The control protocol between netservd and its netserv-container processes: one persistent
// Unix stream connection per container, frames of a 4-byte big-endian length and a JSON message.
// Requests from netservd carry an id; the container answers each with a Reply of the same id.
// The container also sends unsolicited events (ModuleFailed) with id 0.

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(HelloMessage), "hello")]
[JsonDerivedType(typeof(InstallModuleMessage), "install")]
[JsonDerivedType(typeof(RemoveModuleMessage), "remove")]
[JsonDerivedType(typeof(StatusRequestMessage), "status")]
[JsonDerivedType(typeof(ShutdownMessage), "shutdown")]
[JsonDerivedType(typeof(FiltersMessage), "filters")]
[JsonDerivedType(typeof(ReplyMessage), "reply")]
[JsonDerivedType(typeof(ModuleFailedMessage), "module-failed")]
internal abstract record ControlMessage
{
    public long Id { get; init; }
}

/// <summary>The container's first message: who it is and what it offers.</summary>
internal sealed record HelloMessage : ControlMessage
{
    public required int Pid { get; init; }
    public required string User { get; init; }
    public required string SdkVersion { get; init; }
    public required IReadOnlyList<string> BuildingBlocks { get; init; }
    public bool NoModuleLayer { get; init; }
    public int QueueNumber { get; init; }
}

/// <summary>
/// A packet filter as sent to the container: typed, as the node parsed it from the SETUP. On the wire the
/// protocol and the prefixes are the texts of <c>filter-proto</c> and <c>filter-dst</c>
/// (<c>"udp"</c>, <c>"198.19.0.0/24"</c>); the converters read them back into the same values, so the
/// container builds its <see cref="PacketFilter"/> without parsing text again.
/// </summary>
internal sealed record FilterSpec
{
    public required FilterProtocol Protocol { get; init; }

    public int? Port { get; init; }

    public required IReadOnlyList<Ipv4Prefix> Destinations { get; init; }

    /// <summary>The spec of <paramref name="filter"/>.</summary>
    public static FilterSpec From(PacketFilter filter) =>
        new() { Protocol = filter.Protocol, Port = filter.DestinationPort, Destinations = filter.Destinations };

    /// <summary>The filter this spec describes.</summary>
    /// <exception cref="ArgumentException">The spec is not a valid filter (a port without udp or tcp, no destination).</exception>
    public PacketFilter ToFilter() => new(Protocol, Port, Destinations);
}

/// <summary>Load a verified module from a directory the container can read, and start it.</summary>
internal sealed record InstallModuleMessage : ControlMessage
{
    public required string Module { get; init; }
    public required string Directory { get; init; }
    public required string AssemblyFile { get; init; }
    public required string EntryType { get; init; }
    public required string DataDirectory { get; init; }
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
    public FilterSpec? Filter { get; init; }
    public IReadOnlyList<int> AllowedPorts { get; init; } = [];
}

/// <summary>A filter an installed module asked for, of any user: what <see cref="FiltersMessage"/> lists.</summary>
internal sealed record InstalledFilterSpec
{
    public required string User { get; init; }
    public required string Module { get; init; }
    public required FilterSpec Filter { get; init; }
}

/// <summary>
/// Every packet filter installed on the node now, sent to each container offering the <c>filter-events</c>
/// building block whenever the set changes and when a container comes back. Whole sets, numbered: the container
/// tells its modules the difference, and ignores a set older than one it has.
/// </summary>
internal sealed record FiltersMessage : ControlMessage
{
    public required long Version { get; init; }
    public required IReadOnlyList<InstalledFilterSpec> Filters { get; init; }
}

/// <summary>Stop a module, take it out of the packet path and unload it.</summary>
internal sealed record RemoveModuleMessage : ControlMessage
{
    public required string Module { get; init; }
}

/// <summary>Ask for the container's status (counters, modules and their own status).</summary>
internal sealed record StatusRequestMessage : ControlMessage
{
    /// <summary>Collect garbage first, so unloaded module contexts are really gone from the counts.</summary>
    public bool CollectGarbage { get; init; }
}

/// <summary>Stop all modules, give every queued packet its verdict, and exit.</summary>
internal sealed record ShutdownMessage : ControlMessage;

/// <summary>The answer to a request.</summary>
internal sealed record ReplyMessage : ControlMessage
{
    public required bool Ok { get; init; }
    public string? Error { get; init; }
    public JsonObject? Data { get; init; }

    /// <summary>
    /// The answer to a status request: the container's report as data, written with the status contract's own
    /// JSON (<see cref="StatusJsonContext"/>) so that netservd reads it back with the same (<see cref="ReadContainerReport"/>).
    /// </summary>
    public static ReplyMessage ForStatus(long id, ContainerReport report) => new()
    {
        Id = id,
        Ok = true,
        Data = JsonSerializer.SerializeToNode(report, StatusJsonContext.Default.ContainerReport)!.AsObject(),
    };

    /// <summary>The container's report in the answer to a status request; null when the request failed or the answer has no data.</summary>
    /// <exception cref="JsonException">The data is not a container report.</exception>
    public ContainerReport? ReadContainerReport() => Ok && Data is { } data ? data.Deserialize(StatusJsonContext.Default.ContainerReport) : null;
}

/// <summary>A module failed on its own (hung, exhausted memory, crashed a thread); the container has taken it out of the packet path.</summary>
internal sealed record ModuleFailedMessage : ControlMessage
{
    public required string Module { get; init; }
    public required string Reason { get; init; }
    public string? Detail { get; init; }

    /// <summary>The container cannot reclaim the module in place (a thread is stuck in it, or its heap is exhausted) and must be restarted.</summary>
    public bool RecycleContainer { get; init; }
}

/// <summary>Reasons in <see cref="ModuleFailedMessage.Reason"/>.</summary>
internal static class ModuleFailureReasons
{
    public const string Hung = "hung";
    public const string OutOfMemory = "out-of-memory";
    public const string Crashed = "crashed";
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(FilterProtocolJsonConverter), typeof(Ipv4PrefixJsonConverter)])]
[JsonSerializable(typeof(ControlMessage))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
