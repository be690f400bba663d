using System.Text;
using NetServ.RSpec;
using NetServ.Sdk;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Local;

/// <summary>
/// What realising a request on this machine will create, worked out (and checked) before anything
/// is created: the namespace and device names, the veth pairs and their addresses. Every reason
/// the request cannot be realised here is gathered into one <see cref="LocalTestbedException"/>.
/// </summary>
internal sealed class LocalTestbedPlan
{
    /// <summary>The shells an <c>execute</c> service may name.</summary>
    public static readonly IReadOnlyList<string> Shells = ["sh", "bash"];

    private const int MaxHostNameLength = 40;

    private LocalTestbedPlan(IReadOnlyList<PlannedNode> nodes, IReadOnlyList<PlannedLink> links)
    {
        Nodes = nodes;
        Links = links;
    }

    /// <summary>The nodes, in document order.</summary>
    public IReadOnlyList<PlannedNode> Nodes { get; }

    /// <summary>The links, one veth pair each, in document order.</summary>
    public IReadOnlyList<PlannedLink> Links { get; }

    /// <summary>Plans <paramref name="request"/>.</summary>
    /// <exception cref="LocalTestbedException">The request cannot be realised on this machine; every reason is listed.</exception>
    public static LocalTestbedPlan Create(RequestRSpec request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problems = new List<string>();
        var hostNames = HostNames(request.Nodes);
        var nodes = new List<PlannedNode>();
        var interfaces = new Dictionary<string, (PlannedNode Node, PlannedInterface End)>(StringComparer.Ordinal);
        var owners = new Dictionary<Ipv4Address, string>();
        for (var n = 0; n < request.Nodes.Count; n++)
        {
            var node = request.Nodes[n];
            var ends = new List<PlannedInterface>();
            var planned = new PlannedNode(node, hostNames[n], ends);
            nodes.Add(planned);
            foreach (var execute in node.Executes.Where(e => !Shells.Contains(e.Shell)))
            {
                problems.Add($"node '{node.ClientId}': an execute service names shell '{execute.Shell}'; the local testbed runs {string.Join(" or ", Shells)}");
            }

            foreach (var entry in node.Interfaces)
            {
                if (entry.Ip is not { } ip)
                {
                    problems.Add($"interface '{entry.ClientId}' of node '{node.ClientId}' has no ip: the local testbed configures the addresses the request gives");
                    continue;
                }

                if (LocalNetwork.InterfaceAddressProblem(ip.Address, ip.PrefixLength) is { } problem)
                {
                    problems.Add($"interface '{entry.ClientId}' of node '{node.ClientId}': {problem}");
                }

                if (!owners.TryAdd(ip.Address, entry.ClientId))
                {
                    problems.Add($"interfaces '{owners[ip.Address]}' and '{entry.ClientId}' have the same address {ip.Address}");
                }

                // Interfaces are named as LocalNetwork names them: eth0, eth1, ... in the node's order.
                var end = new PlannedInterface(entry.ClientId, $"eth{ends.Count}", ip);
                ends.Add(end);
                interfaces[entry.ClientId] = (planned, end);
            }
        }

        var links = new List<PlannedLink>();
        var linked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var link in request.Links)
        {
            linked.UnionWith(link.InterfaceRefs);
            if (link.InterfaceRefs.Count != 2)
            {
                problems.Add($"link '{link.ClientId}' joins {link.InterfaceRefs.Count} interfaces: the local testbed makes one veth pair per link, which joins two");
                continue;
            }

            if (!interfaces.TryGetValue(link.InterfaceRefs[0], out var a) || !interfaces.TryGetValue(link.InterfaceRefs[1], out var b))
            {
                // An end without an address (reported above) or one no node has (the reader refuses those).
                continue;
            }

            if (a.Node == b.Node)
            {
                problems.Add($"link '{link.ClientId}' joins two interfaces of node '{a.Node.ClientId}'");
            }
            else if (a.End.Ip.Subnet != b.End.Ip.Subnet)
            {
                problems.Add($"link '{link.ClientId}' joins {a.End.Ip} and {b.End.Ip}, which are not on one subnet");
            }
            else
            {
                links.Add(new PlannedLink(link.ClientId, a.Node, a.End, b.Node, b.End));
            }
        }

        foreach (var node in request.Nodes)
        {
            foreach (var entry in node.Interfaces.Where(i => !linked.Contains(i.ClientId)))
            {
                problems.Add($"interface '{entry.ClientId}' of node '{node.ClientId}' is on no link: the local testbed makes interfaces as the ends of links");
            }
        }

        if (problems.Count > 0)
        {
            throw new LocalTestbedException(problems);
        }

        return new LocalTestbedPlan(nodes, links);
    }

    /// <summary>
    /// A name for each node's namespace (<c>ns-&lt;tag&gt;-&lt;name&gt;</c>): its client id where that is
    /// a safe file name, otherwise the client id with other characters replaced; made unique.
    /// </summary>
    private static string[] HostNames(IReadOnlyList<RSpecNode> nodes)
    {
        var names = nodes.Select(n => SafeName(n.ClientId)).ToArray();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            if (!taken.Add(names[i]))
            {
                names[i] = $"{names[i]}-{i}";
                taken.Add(names[i]);
            }
        }

        return names;
    }

    private static string SafeName(string clientId)
    {
        var name = new StringBuilder();
        foreach (var c in clientId.AsSpan(0, Math.Min(clientId.Length, MaxHostNameLength)))
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-');
        }

        return name.Length == 0 ? "node" : name.ToString();
    }
}

/// <summary>A node as it will be created: the request's node, its namespace's name and its interfaces.</summary>
internal sealed record PlannedNode(RSpecNode Definition, string HostName, IReadOnlyList<PlannedInterface> Interfaces)
{
    /// <summary>The node's client id.</summary>
    public string ClientId => Definition.ClientId;
}

/// <summary>An interface as it will be created: its device name in the namespace and its address.</summary>
internal sealed record PlannedInterface(string ClientId, string Device, InterfaceIp Ip);

/// <summary>A link as it will be created: a veth pair from <see cref="AEnd"/> on <see cref="A"/> to <see cref="BEnd"/> on <see cref="B"/>.</summary>
internal sealed record PlannedLink(string ClientId, PlannedNode A, PlannedInterface AEnd, PlannedNode B, PlannedInterface BEnd);
