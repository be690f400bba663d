using NetServ.Networking;
using NetServ.Testbed;

namespace NetServ.Orchestrator.Experiments;

/// <summary>Names on the command line (a node, or an address of one) resolved against a realised testbed.</summary>
internal static class ExperimentTopology
{
    /// <summary>The node called <paramref name="name"/>.</summary>
    /// <exception cref="ExperimentException">No such node.</exception>
    public static ITestbedNode Node(ITestbed testbed, string name) =>
        Find(testbed, name)
        ?? throw new ExperimentException($"the rspec has no node '{name}' (it has {string.Join(", ", testbed.Nodes.Select(n => n.ClientId))})");

    /// <summary>A destination: a node (at its first address) or an address, with the node that owns it.</summary>
    /// <exception cref="ExperimentException">Neither a node nor an address of one.</exception>
    public static (ITestbedNode Node, Ipv4Address Address) Destination(ITestbed testbed, string nameOrAddress)
    {
        if (Find(testbed, nameOrAddress) is { } node)
        {
            return (node, node.Address);
        }

        if (Ipv4Address.TryParse(nameOrAddress, out var address) && InterfaceWith(testbed, address) is { } owner)
        {
            return (owner.Node, address);
        }

        throw new ExperimentException($"'{nameOrAddress}' is neither a node of the rspec nor an address of one");
    }

    /// <summary>The node and interface that have <paramref name="address"/>, or null.</summary>
    public static (ITestbedNode Node, TestbedInterface Interface)? InterfaceWith(ITestbed testbed, Ipv4Address address)
    {
        foreach (var node in testbed.Nodes)
        {
            if (node.Interfaces.FirstOrDefault(i => i.Address == address) is { } entry)
            {
                return (node, entry);
            }
        }

        return null;
    }

    /// <summary>Whether an execute service starts netservd: on a GENI node it does; here deploy does it instead.</summary>
    public static bool StartsNetServd(RSpec.ExecuteService service) => service.Command.Contains("netservd", StringComparison.Ordinal);

    /// <summary>
    /// Whether an execute service installs the node image from its tarball (<c>/opt/netserv/install.sh</c>, unpacked by an
    /// install service): on the Docker testbed it runs at reserve, before deploy looks for netservd.
    /// </summary>
    public static bool InstallsNode(RSpec.ExecuteService service) => service.Command.Contains("netserv/install.sh", StringComparison.Ordinal);

    /// <summary>
    /// The NetServ nodes: those named in <paramref name="named"/>, or else the nodes that have an
    /// execute service starting netservd.
    /// </summary>
    /// <exception cref="ExperimentException">A named node is not in the rspec.</exception>
    public static IReadOnlyList<string> NetServNodes(RSpec.RequestRSpec request, IReadOnlyList<string>? named)
    {
        if (named is null)
        {
            return request.Nodes.Where(n => n.Executes.Any(StartsNetServd)).Select(n => n.ClientId).ToArray();
        }

        var unknown = named.Where(n => request.FindNode(n) is null).ToArray();
        return unknown.Length == 0
            ? named
            : throw new ExperimentException($"--netserv-nodes names {string.Join(", ", unknown)}, which the rspec does not have");
    }

    private static ITestbedNode? Find(ITestbed testbed, string name) => testbed.Nodes.FirstOrDefault(n => n.ClientId == name);
}
