namespace NetServ.Testbed.Nodes;

/// <summary>A user configured on a node started by <see cref="NetServNodeProcess"/>.</summary>
public sealed record NodeUser(string Name, IReadOnlyList<string> AllowedPrefixes)
{
    public IReadOnlyList<int> AllowedPorts { get; init; } = [];

    public int MemoryLimitMb { get; init; } = 256;

    public double CpuLimit { get; init; } = 1.0;

    public string? PublicKey { get; init; }
}

/// <summary>What a node started by <see cref="NetServNodeProcess"/> is configured with.</summary>
public sealed record NetServNodeOptions
{
    public string NodeName { get; init; } = "router";

    public IReadOnlyList<NodeUser> Users { get; init; } = [];

    public int HangTimeoutMs { get; init; } = 1000;

    public int DefaultTtlSeconds { get; init; } = 3600;

    public int QueueBase { get; init; } = 100;

    public bool NoModuleLayer { get; init; }

    public int? ReaderCpu { get; init; }

    public int BatchSize { get; init; } = 64;

    public string LogLevel { get; init; } = "Information";

    /// <summary>Whether the node takes part in on-path signaling (GIST on port 270).</summary>
    public bool Signaling { get; init; } = true;

    /// <summary>How long a Query waits for a Response before it is sent again; the last node waits this (doubling) 1 + retries times.</summary>
    public int SignalingQueryTimeoutMs { get; init; } = 200;

    public int SignalingQueryRetries { get; init; } = 2;

    /// <summary>The doubling of the Query timeout stops here.</summary>
    public int SignalingQueryMaxTimeoutMs { get; init; } = 60_000;

    /// <summary>How long a request the node passes on waits for its answer before it is sent again (doubling, up to <see cref="SignalingRetransmitMaxMs"/>).</summary>
    public int SignalingRetransmitInitialMs { get; init; } = 500;

    public int SignalingRetransmitMaxMs { get; init; } = 4000;

    /// <summary>The IPv4 Router Alert value of the node's Queries (RFC 5971 5.3.2: the NSLP's own); the NetServ NSLP's, 65503, by default.</summary>
    public int SignalingRouterAlertValue { get; init; } = 65503;

    /// <summary>The port of the reverse-routability check (paper section 5.2), or null to leave the check off.</summary>
    public int? ReverseRoutabilityPort { get; init; }

    /// <summary>Extra environment for the containers (DOTNET_ GC settings in the evaluation).</summary>
    public IReadOnlyDictionary<string, string> ContainerEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the node's log lines also go as they come (for example the test log); null for none.</summary>
    public Action<string>? LogSink { get; init; }

    /// <summary>How long the node may take to come up with all its containers.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);
}
