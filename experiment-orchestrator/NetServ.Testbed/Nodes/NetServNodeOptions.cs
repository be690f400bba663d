using NetServ.Contracts.Configuration;

namespace NetServ.Testbed.Nodes;

/// <summary>What a node started by <see cref="NetServNodeProcess"/> is configured with, and how the testbed watches it start.</summary>
public sealed record NetServNodeOptions
{
    /// <summary>
    /// netservd's settings, written to its configuration file as they are, except for its folders (admin socket,
    /// runtime and state), which are the process's own temporary ones. Set what a node needs in place
    /// (<c>Node = { NodeName = "a", Users = [...] }</c>) to keep the testbed's defaults: a node named "router" whose
    /// Queries wait 200 ms for their Responses, so that the end of a path is found quickly on a machine with no loss.
    /// netservd logs at <see cref="ContainerConfiguration.LogLevel"/>, as its containers do.
    /// </summary>
    public NodeConfiguration Node { get; init; } = new() { NodeName = "router", Signaling = { QueryTimeoutMs = 200 } };

    /// <summary>Where the node's log lines also go as they come (for example the test log); null for none.</summary>
    public Action<string>? LogSink { get; init; }

    /// <summary>How long the node may take to come up with all its containers.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);
}
