using NetServ.Networking;
using NetServ.Testbed.Linux;
using NetServ.Traffic;

namespace NetServ.Orchestrator.Experiments;

/// <summary>What an experiment does on top of its rspec: where NetServ runs, which modules it installs, what traffic it sends.</summary>
internal sealed record ExperimentOptions
{
    /// <summary>Where the rspec is realised: network namespaces on this machine, or containers of the node image reached over SSH.</summary>
    public ExperimentTestbedKind Testbed { get; init; } = ExperimentTestbedKind.Local;

    /// <summary>On an aggregate (<see cref="ExperimentTestbedKind.Aggregate"/>), the slice there and the user; null elsewhere.</summary>
    public AggregateRun? Aggregate { get; init; }

    /// <summary>On the Docker testbed, the image every node runs whatever its <c>disk_image</c> says; null for each node's own.</summary>
    public string? Image { get; init; }

    /// <summary>The nodes netservd is deployed on; null to take the nodes whose execute service mentions netservd (see <see cref="NetServNodes"/>).</summary>
    public IReadOnlyList<string>? NetServNodes { get; init; }

    /// <summary>The NetServ user every node is configured with; SETUPs are signed with this user's key.</summary>
    public string User { get; init; } = "demo";

    /// <summary>The prefixes the user may claim in filters: by default the whole range test topologies live in.</summary>
    public IReadOnlyList<string> UserPrefixes { get; init; } = [LocalNetwork.BenchmarkingRange.ToString()];

    /// <summary>The ports the user may listen on; null for the ports the modules' packages declare (see <see cref="ModulePorts"/>).</summary>
    public IReadOnlyList<int>? AllowedPorts { get; init; }

    /// <summary>The modules installed through signaling, in order.</summary>
    public IReadOnlyList<ModuleStep> Modules { get; init; } = [];

    /// <summary>The traffic of the run phase, or null for none.</summary>
    public TrafficStep? Traffic { get; init; }

    /// <summary>The live node view the run keeps up to date (<c>--view</c>), or null for none; the caller disposes it.</summary>
    public View.NodeViewServer? View { get; init; }

    /// <summary>What the run phase does last, on the configured testbed (a grader's scenarios), or null for nothing.</summary>
    public IExperimentWorkload? Workload { get; init; }

    /// <summary>Where collected logs, probes and the summary go; null for artifacts/experiments/&lt;time&gt;-&lt;testbed id&gt;.</summary>
    public string? ResultsDirectory { get; init; }

    /// <summary>Whether release REMOVEs the installed modules through signaling before it stops the nodes.</summary>
    public bool RemoveModules { get; init; } = true;

    /// <summary>How long a signaled request may wait for the path's answer.</summary>
    public TimeSpan SignalingTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one of the rspec's execute services may run.</summary>
    public TimeSpan ExecuteTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether a run whose phases succeeded keeps the testbed up until it is stopped (Ctrl-C), then releases it as usual.</summary>
    public bool Hold { get; init; }

    /// <summary>Whether the rspec's subnets outside 198.18.0.0/15 are mapped into it (<c>--remap-addresses</c>) instead of refused.</summary>
    public bool RemapAddresses { get; init; }

    /// <summary>How netservd logs on the nodes.</summary>
    public string NodeLogLevel { get; init; } = "Information";
}

/// <summary>The testbeds an experiment runs on (<c>--testbed</c>).</summary>
internal enum ExperimentTestbedKind
{
    /// <summary>A network namespace per node on this machine, netservd from the build output.</summary>
    Local,

    /// <summary>A container of the node image per node, reached over SSH only.</summary>
    Docker,

    /// <summary>The slivers of a GENI aggregate (AM API v3), reached over SSH at their manifest's logins.</summary>
    Aggregate,
}

/// <summary>One module installed by a SETUP sent from node <paramref name="From"/> toward <paramref name="Toward"/> (a node or an address).</summary>
/// <param name="Module">A module of applications/ (NetMonitor), a package id, or a .nupkg file.</param>
/// <param name="From">The node that sends the SETUP and serves the package (the content provider).</param>
/// <param name="Toward">The destination the SETUP travels toward: a node (its first address) or an address.</param>
internal sealed record ModuleStep(string Module, string From, string Toward)
{
    /// <summary>The packets the module processes, as <c>udp/5060</c>, <c>tcp/80</c>, <c>udp</c> or <c>any</c>; null for a module without a filter.</summary>
    public string? Filter { get; init; }

    /// <summary>The filter's destination prefix; null for the subnet of the destination's interface.</summary>
    public string? FilterDestination { get; init; }

    /// <summary>key=value,key=value handed to the module.</summary>
    public string? Properties { get; init; }

    /// <summary>Seconds until the module expires unless refreshed; null for the node's default.</summary>
    public int? TtlSeconds { get; init; }
}

/// <summary>A bounded run of the traffic generator from <paramref name="From"/> to <paramref name="To"/>, counted at the receiver by the kernel.</summary>
/// <param name="From">The sending node.</param>
/// <param name="To">The receiving node, or an address of it.</param>
/// <param name="Port">The UDP destination port.</param>
/// <param name="PacketsPerSecond">The rate.</param>
/// <param name="Packets">Exactly how many packets are offered.</param>
internal sealed record TrafficStep(string From, string To, int Port, double PacketsPerSecond, long Packets)
{
    /// <summary>The size of each frame on the wire, FCS included.</summary>
    public int FrameBytes { get; init; } = 64;

    /// <summary>Which generator sends: the paced generator unless the command line asks for Click.</summary>
    public TrafficGeneratorChoice Generator { get; init; } = TrafficGeneratorChoice.Paced;

    /// <summary>The IPv4 source address the frames carry; null for the sending interface's own.</summary>
    public Ipv4Address? SourceAddress { get; init; }

    /// <summary>The UDP source port; null for <see cref="Port"/>.</summary>
    public int? SourcePort { get; init; }
}
