using NetServ.Contracts.Configuration;
using NetServ.Contracts.Status;
using NetServ.Networking;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;
using NetServ.Testbed;
using NetServ.Testbed.Nodes;
using NetServ.Traffic;

namespace NetServ.Orchestrator.Experiments;

/// <summary>
/// A realised testbed as the experiment runner works with it: the <see cref="ITestbed"/> (nodes, sessions, execute
/// services, release) and what each testbed does its own way — netservd on the NetServ nodes, signaling, the module
/// server and the traffic. The local testbed enters its namespaces from this process (<see cref="LocalExperimentTestbed"/>);
/// the Docker testbed reaches its containers over SSH only, as a GENI testbed's nodes are reached (<see cref="DockerExperimentTestbed"/>).
/// Disposing releases the testbed.
/// </summary>
internal interface IExperimentTestbed : IAsyncDisposable
{
    /// <summary>The testbed, as every testbed is seen.</summary>
    ITestbed Testbed { get; }

    /// <summary>How the testbed is named in the run's messages: "the local testbed", "the Docker testbed".</summary>
    string Name { get; }

    /// <summary>What the deploy phase does here, for its progress line.</summary>
    string DeployDescription { get; }

    /// <summary>Where <paramref name="node"/> is, for the run's report (a namespace, a container and its SSH address).</summary>
    string Where(ITestbedNode node);

    /// <summary>The command that opens a shell on <paramref name="node"/>, for a held run.</summary>
    string EnterCommand(ITestbedNode node);

    /// <summary>netservd on <paramref name="node"/> with <paramref name="configuration"/>, once it answers.</summary>
    Task<IExperimentNetServd> StartNetServdAsync(ITestbedNode node, NodeConfiguration configuration, CancellationToken cancellationToken);

    /// <summary>A way to sign and send requests from <paramref name="node"/> as <paramref name="user"/> with <paramref name="key"/>.</summary>
    Task<INodeSignaling> StartSignalingAsync(ITestbedNode node, string user, UserPrivateKey key, CancellationToken cancellationToken);

    /// <summary>Serves the module package <paramref name="package"/> (a file on this machine) from <paramref name="node"/>'s first address.</summary>
    Task<IModuleServer> ServePackageAsync(ITestbedNode node, string package, CancellationToken cancellationToken);

    /// <summary>Sends one datagram from <paramref name="sender"/> to port 9 of <paramref name="destination"/>, so the routers on the way resolve their neighbours.</summary>
    Task SendWarmUpAsync(ITestbedNode sender, Ipv4Address destination, CancellationToken cancellationToken);

    /// <summary>An iptables rule on <paramref name="receiver"/> that counts (and drops) UDP to <paramref name="port"/>; disposing removes it.</summary>
    Task<IPacketCounter> CountUdpAsync(ITestbedNode receiver, int port, CancellationToken cancellationToken);

    /// <summary>The generator <paramref name="choice"/> gives on <paramref name="sender"/>.</summary>
    /// <exception cref="ClickNotInstalledException"><see cref="TrafficGeneratorChoice.Click"/> on a node without Click.</exception>
    Task<ITrafficSender> TrafficSenderAsync(ITestbedNode sender, TrafficGeneratorChoice choice, CancellationToken cancellationToken);

    /// <summary>What of the testbed is still there after release (namespaces, containers, links, processes), for the run's check.</summary>
    IEnumerable<string> Leftovers();
}

/// <summary>netservd on one node of an experiment; its admin API (<see cref="INetServAdmin.SetupAsync"/>) installs a switch's controller.</summary>
internal interface IExperimentNetServd : IAsyncDisposable, INetServAdmin
{
    /// <summary>The name the node answers signaling with.</summary>
    string Name { get; }

    /// <summary>netservd's pid where it is this machine's process; null where it runs on a remote node.</summary>
    int? Pid { get; }

    /// <summary>What runs it, for the deploy phase's note.</summary>
    string Origin { get; }

    /// <summary>Whether it still runs.</summary>
    Task<bool> IsRunningAsync(CancellationToken cancellationToken);

    /// <summary>The node's status, from its admin socket.</summary>
    Task<NodeStatus> StatusAsync(CancellationToken cancellationToken);

    /// <summary>What netservd logged so far.</summary>
    Task<IReadOnlyList<string>> LogAsync(CancellationToken cancellationToken);
}

/// <summary>Signed requests sent from one node toward a destination.</summary>
internal interface INodeSignaling : IAsyncDisposable
{
    /// <summary>Signs <paramref name="request"/> and sends it toward <paramref name="destination"/>; the path's response stack.</summary>
    /// <exception cref="NetServ.Signaling.Transport.SignalingException">The path did not answer (the local signaling client).</exception>
    /// <exception cref="ExperimentException">The path did not answer, or the node could not send.</exception>
    Task<PathResponse> SendAsync(Ipv4Address destination, NslpRequest request, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>A module package served over HTTP for the nodes to download.</summary>
internal interface IModuleServer : IAsyncDisposable
{
    /// <summary>The URL of <paramref name="fileName"/>.</summary>
    Uri UrlOf(string fileName);
}

/// <summary>A kernel packet count at a receiver.</summary>
internal interface IPacketCounter : IAsyncDisposable
{
    /// <summary>Packets counted so far.</summary>
    Task<long> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>A traffic generator on a sending node.</summary>
internal interface ITrafficSender : IDisposable
{
    /// <summary>Which generator it is (paced, click).</summary>
    string Driver { get; }

    /// <summary>Sends <paramref name="spec"/>'s packets; returns when the last is offered or the spec's deadline passed.</summary>
    Task<TrafficResult> SendAsync(TrafficSpec spec, CancellationToken cancellationToken);
}

/// <summary>What the run phase does after the rspec's services and the traffic, on the configured testbed: a grader's scenarios.</summary>
internal interface IExperimentWorkload
{
    /// <summary>What it does, for the run's progress line.</summary>
    string Description { get; }

    /// <summary>Runs on <paramref name="bed"/>, whose NetServ nodes are <paramref name="nodes"/> (by client id).</summary>
    Task RunAsync(IExperimentTestbed bed, IReadOnlyDictionary<string, IExperimentNetServd> nodes, IExperimentProgress progress, CancellationToken cancellationToken);
}
