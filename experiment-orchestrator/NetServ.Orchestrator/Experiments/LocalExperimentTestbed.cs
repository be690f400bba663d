using System.Net;
using Microsoft.Extensions.Logging;
using NetServ.Signaling.Transport;
using NetServ.Testbed;
using NetServ.Testbed.Http;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Local;
using NetServ.Testbed.Nodes;

namespace NetServ.Orchestrator.Experiments;

/// <summary>
/// What the experiment runner still does on the local testbed by entering a node's network namespace,
/// rather than through <see cref="ITestbed"/> and the node's <see cref="INodeSession"/>. Every member is
/// something the Docker and GENI testbeds will have to provide their own way (over SSH, from the node
/// image): netservd started from this machine's build output as a child of this process, its admin socket
/// on this machine's file system; signaling clients, package servers, traffic generators and counters
/// whose sockets live inside the node's namespace; where a node is and how to enter it; and what of the
/// testbed is left on this machine after release.
/// </summary>
internal sealed class LocalTestbedSpecifics(LocalTestbed testbed)
{
    /// <summary>The testbed, as every testbed is seen.</summary>
    public ITestbed Testbed => testbed;

    /// <summary>The network namespace that is <paramref name="node"/>.</summary>
    /// <exception cref="ExperimentException">The node is not one of this testbed's.</exception>
    public NetworkNamespace NamespaceOf(ITestbedNode node) => LocalNode(node).Namespace;

    /// <summary>Where <paramref name="node"/> is, for the run's report: its namespace's name.</summary>
    public string Where(ITestbedNode node) => NamespaceOf(node).Name;

    /// <summary>The command that opens a shell on <paramref name="node"/>, for a held run.</summary>
    public string EnterCommand(ITestbedNode node) => $"nsenter --net=/run/netns/{NamespaceOf(node).Name} bash";

    /// <summary>Starts netservd from the build output inside <paramref name="node"/>'s namespace, as a child of this process, and waits until it is ready.</summary>
    public Task<NetServNodeProcess> StartNetServdAsync(ITestbedNode node, NetServNodeOptions options, CancellationToken cancellationToken) =>
        NetServNodeProcess.StartAsync(NamespaceOf(node), options, cancellationToken);

    /// <summary>Starts a signaling client whose socket lives inside <paramref name="node"/>'s namespace, so that its requests leave from the node.</summary>
    public SignalingClient StartSignalingClient(ITestbedNode node, string name, ILogger logger, TimeProvider time)
    {
        var ns = NamespaceOf(node);
        return ns.Run(() => SignalingClient.Start(name, logger, time));
    }

    /// <summary>Serves the files in <paramref name="root"/> from <paramref name="node"/>'s first address, on a socket inside its namespace.</summary>
    public PackageServer StartPackageServer(ITestbedNode node, string root) =>
        PackageServer.Start(root, IPAddress.Parse(node.Address.ToString()), 0, NamespaceOf(node));

    /// <summary>What of the testbed is still on this machine: after release, its namespaces that were not removed.</summary>
    public IEnumerable<string> Leftovers() =>
        NetworkNamespace.List($"{NetworkNamespace.NamePrefix}{testbed.Id}-").Select(n => $"namespace {n}");

    private LocalTestbedNode LocalNode(ITestbedNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return testbed.TryGetNode(node.ClientId, out var local)
            ? local
            : throw new ExperimentException($"node '{node.ClientId}' is not a node of local testbed {testbed.Id}");
    }
}
