using System.Text.Json.Serialization;

namespace NetServ.Contracts.Configuration;

// netservd's configuration file as another program writes it (the testbed starts one netservd per
// router): the "NetServ" section netservd binds onto its options, with the names of those options.
// Every setting is optional; one left out (null) keeps netservd's default, and netservd validates
// what it binds. A node test binds this record onto the node's options, so a renamed option fails there.

/// <summary>A netservd configuration file: logging and the node's section.</summary>
public sealed record NodeConfigurationFile
{
    public LoggingConfiguration? Logging { get; init; }

    [JsonPropertyName(NodeConfiguration.SectionName)]
    public required NodeConfiguration NetServ { get; init; }
}

/// <summary>The Microsoft.Extensions.Logging section: the lowest level per category ("Default" for all).</summary>
public sealed record LoggingConfiguration
{
    public IReadOnlyDictionary<string, string>? LogLevel { get; init; }
}

/// <summary>The node's section (NetServOptions in netservd).</summary>
public sealed record NodeConfiguration
{
    /// <summary>The configuration section netservd binds.</summary>
    public const string SectionName = "NetServ";

    public string? NodeName { get; init; }

    public string? AdminSocket { get; init; }

    public string? RuntimeDirectory { get; init; }

    public string? StateDirectory { get; init; }

    public int? DefaultTtlSeconds { get; init; }

    public ContainerConfiguration? Containers { get; init; }

    public SignalingConfiguration? Signaling { get; init; }

    public ReverseRoutabilityConfiguration? ReverseRoutability { get; init; }

    public IReadOnlyList<UserConfiguration>? Users { get; init; }
}

/// <summary>How netservd runs the users' containers.</summary>
public sealed record ContainerConfiguration
{
    /// <summary>How long a module may hold a packet before it counts as hung.</summary>
    public int? HangTimeoutMs { get; init; }

    /// <summary>The NFQUEUE number of the first user's container; the others follow.</summary>
    public int? QueueBase { get; init; }

    public bool? NoModuleLayer { get; init; }

    /// <summary>The CPU the containers' queue readers are pinned to.</summary>
    public int? ReaderCpu { get; init; }

    public int? BatchSize { get; init; }

    public string? LogLevel { get; init; }

    /// <summary>Environment variables for the container processes.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
}

/// <summary>The NSLP/GIST signaling endpoint and its timers.</summary>
public sealed record SignalingConfiguration
{
    public bool? Enabled { get; init; }

    public int? QueryTimeoutMs { get; init; }

    public int? QueryRetries { get; init; }

    public int? QueryMaxTimeoutMs { get; init; }

    public int? RetransmitInitialMs { get; init; }

    public int? RetransmitMaxMs { get; init; }

    public int? RouterAlertValue { get; init; }
}

/// <summary>Whether a SETUP's user must prove it owns the addresses it asks for, and on which port.</summary>
public sealed record ReverseRoutabilityConfiguration
{
    public bool? Enabled { get; init; }

    public int? Port { get; init; }
}

/// <summary>A user who may install modules, and the limits of the user's container.</summary>
public sealed record UserConfiguration
{
    public required string Name { get; init; }

    public IReadOnlyList<string>? AllowedPrefixes { get; init; }

    public IReadOnlyList<int>? AllowedPorts { get; init; }

    public int? MemoryLimitMb { get; init; }

    public double? CpuLimit { get; init; }

    /// <summary>The user's public key (PEM), to verify signed signaling.</summary>
    public string? PublicKey { get; init; }
}

/// <summary>Source-generated JSON for configuration files: the options' own (PascalCase) names, unset settings left out.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NodeConfigurationFile))]
public sealed partial class ConfigurationJsonContext : JsonSerializerContext;
