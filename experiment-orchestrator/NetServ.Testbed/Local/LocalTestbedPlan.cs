using System.Text;
using NetServ.Networking;
using NetServ.RSpec;
using NetServ.Testbed.Linux;
using NetServ.Testbed.OpenFlow;

namespace NetServ.Testbed.Local;

/// <summary>
/// What realising a request on this machine will create, worked out (and checked) before anything
/// is created: the namespace and device names, the veth pairs, the LANs (a bridge in a namespace of
/// their own) and the addresses, with those the request leaves to the aggregate chosen here and, when
/// asked, those outside 198.18.0.0/15 remapped into it (<see cref="LocalAddressing"/>). Every reason
/// the request cannot be realised here is gathered into one <see cref="LocalTestbedException"/>;
/// what is realised otherwise or not at all (shaping, tunnels, extensions) is gathered into <see cref="NotRealised"/>.
/// </summary>
internal sealed class LocalTestbedPlan
{
    /// <summary>The shells an <c>execute</c> service may name, by name or by a path ending in the name (<c>/bin/sh</c>).</summary>
    public static readonly IReadOnlyList<string> Shells = ["sh", "bash"];

    // Link types that are what a veth pair is: a layer-2 link between the ends.
    private static readonly string[] PlainLinkTypes = ["lan", "vlan"];

    private const int MaxHostNameLength = 40;

    private LocalTestbedPlan(
        RequestRSpec request, IReadOnlyList<PlannedNode> nodes, IReadOnlyList<PlannedLink> links, IReadOnlyList<PlannedLan> lans, IReadOnlyList<LocalTestbedFinding> notRealised)
    {
        Request = request;
        Nodes = nodes;
        Links = links;
        Lans = lans;
        NotRealised = notRealised;
    }

    /// <summary>The request as it is realised: with the addresses chosen here and the remapped ones (in interfaces and execute services).</summary>
    public RequestRSpec Request { get; }

    /// <summary>The addresses chosen for interfaces the request gives none, in the request's link order.</summary>
    public IReadOnlyList<AssignedAddress> Assigned { get; private init; } = [];

    /// <summary>The subnets outside 198.18.0.0/15 and where they are mapped; empty unless remapping was asked for.</summary>
    public IReadOnlyList<SubnetMapping> AddressMap { get; private init; } = [];

    /// <summary>The nodes, in document order.</summary>
    public IReadOnlyList<PlannedNode> Nodes { get; }

    /// <summary>The links of two interfaces, one veth pair each, in document order.</summary>
    public IReadOnlyList<PlannedLink> Links { get; }

    /// <summary>The links of three interfaces or more: a bridge each, in a namespace of its own, in document order.</summary>
    public IReadOnlyList<PlannedLan> Lans { get; }

    /// <summary>What of the request is not realised, or realised otherwise.</summary>
    public IReadOnlyList<LocalTestbedFinding> NotRealised { get; }

    /// <summary>The switch nodes (<see cref="OpenFlowSwitchNode"/>): an Open vSwitch each, with a veth pair per port, in document order.</summary>
    public IReadOnlyList<PlannedSwitch> Switches { get; private init; } = [];

    /// <summary>Plans <paramref name="request"/>, remapping subnets outside 198.18.0.0/15 into it when <paramref name="remapAddresses"/> says so.</summary>
    /// <exception cref="LocalTestbedException">The request cannot be realised on this machine; every reason is listed.</exception>
    public static LocalTestbedPlan Create(RequestRSpec request, bool remapAddresses = false)
    {
        var problems = new List<LocalTestbedFinding>();
        var plan = Create(request, remapAddresses, problems);
        return problems.Count == 0 ? plan : throw new LocalTestbedException([.. problems.Select(p => p.Message)]);
    }

    /// <summary>What realising <paramref name="request"/> would make and leave out, and why it cannot be, creating nothing.</summary>
    public static LocalTestbedCheck Check(RequestRSpec request, bool remapAddresses = false)
    {
        var problems = new List<LocalTestbedFinding>();
        var plan = Create(request, remapAddresses, problems);
        return new LocalTestbedCheck(problems, plan.NotRealised, plan.Nodes.Count + plan.Lans.Count, plan.Links.Count + plan.Lans.Sum(l => l.Members.Count) + plan.Switches.Sum(s => s.Ports.Count))
        {
            Lans = plan.Lans.Count,
            Assigned = plan.Assigned,
            AddressMap = plan.AddressMap,
            Request = plan.Request,
        };
    }

    /// <summary>The shell to start for <paramref name="shell"/> as a request names it (<c>/bin/bash</c> runs this machine's <c>bash</c>), or <see langword="null"/> when it is none the local testbed runs.</summary>
    public static string? ShellToRun(string shell)
    {
        var name = shell.Trim();
        name = name.StartsWith('/') ? Path.GetFileName(name) : name;
        return Shells.Contains(name) ? name : null;
    }

    private static LocalTestbedPlan Create(RequestRSpec original, bool remapAddresses, List<LocalTestbedFinding> problems)
    {
        ArgumentNullException.ThrowIfNull(original);
        var (request, assigned, map) = LocalAddressing.Apply(original, remapAddresses, problems);
        var notRealised = new List<LocalTestbedFinding>();
        if (request.Nodes.Count == 0)
        {
            problems.Add(new(null, "the request has no nodes: the local testbed realises nodes and the links between them, and there is nothing of that here"));
        }

        foreach (var extension in request.Extensions.Elements)
        {
            notRealised.Add(new(null, $"<{extension.DisplayName}> is not realised: the local testbed realises nodes and links only") { Element = extension.Name });
        }

        var linkOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var link in request.Links)
        {
            foreach (var end in link.InterfaceRefs)
            {
                linkOf[end] = link.ClientId;
            }
        }

        var hostNames = HostNames([.. request.Nodes.Select(n => n.ClientId), .. request.Links.Where(l => l.InterfaceRefs.Count > 2).Select(l => $"lan-{l.ClientId}")]);
        var nodes = new List<PlannedNode>();
        var interfaces = new Dictionary<string, (PlannedNode Node, PlannedInterface End)>(StringComparer.Ordinal);
        var owners = new Dictionary<Ipv4Address, string>();
        var switchNodes = new Dictionary<PlannedNode, OpenFlowSwitchNode>();
        var ports = new Dictionary<string, (PlannedNode Switch, uint Number)>(StringComparer.Ordinal);
        for (var n = 0; n < request.Nodes.Count; n++)
        {
            var node = request.Nodes[n];
            var ends = new List<PlannedInterface>();
            var planned = new PlannedNode(node, hostNames[n], ends);
            nodes.Add(planned);
            CheckNode(node, problems, notRealised);
            var switchNode = OpenFlowSwitchNode.Read(node);
            if (switchNode is not null)
            {
                switchNodes.Add(planned, switchNode);
            }

            foreach (var entry in node.Interfaces)
            {
                if (switchNode?.PortOf(entry.ClientId) is { } port)
                {
                    ports.Add(entry.ClientId, (planned, port));
                    continue;
                }

                if (InterfaceIp(node, entry, linkOf.ContainsKey(entry.ClientId), problems, notRealised) is not { } ip)
                {
                    continue;
                }

                if (LocalNetwork.InterfaceAddressProblem(ip.Address, ip.PrefixLength) is { } problem)
                {
                    // Remapping is asked for, not done behind the experimenter's back: execute services may name the addresses.
                    var remedy = !remapAddresses && !LocalNetwork.BenchmarkingRange.Contains(ip.Address) ? RemapRemedy : string.Empty;
                    problems.Add(new(entry.ClientId, $"interface '{entry.ClientId}' of node '{node.ClientId}': {problem}{remedy}"));
                }

                if (!owners.TryAdd(ip.Address, entry.ClientId))
                {
                    problems.Add(new(entry.ClientId, $"interfaces '{owners[ip.Address]}' and '{entry.ClientId}' have the same address {ip.Address}"));
                }

                // Interfaces are named as LocalNetwork names them: eth0, eth1, ... in the node's order.
                var end = new PlannedInterface(entry.ClientId, $"eth{ends.Count}", ip);
                ends.Add(end);
                interfaces[entry.ClientId] = (planned, end);
            }
        }

        var links = new List<PlannedLink>();
        var lans = new List<PlannedLan>();
        var switchPorts = switchNodes.Keys.ToDictionary(s => s, _ => new List<PlannedPort>());
        var lanHostName = request.Nodes.Count;
        foreach (var link in request.Links)
        {
            CheckLink(link, notRealised);
            if (link.InterfaceRefs.Any(ports.ContainsKey))
            {
                PlanPort(link, ports, interfaces, switchPorts, problems);
                continue;
            }

            if (link.InterfaceRefs.Count < 2)
            {
                problems.Add(new(link.ClientId,
                    $"link '{link.ClientId}' joins {Counted.Of(link.InterfaceRefs.Count, "interface")}: a link joins two interfaces (a veth pair) or more (a LAN)"));
                continue;
            }

            if (link.InterfaceRefs.Count > 2)
            {
                if (PlanLan(link, hostNames[lanHostName++], interfaces, problems) is { } lan)
                {
                    lans.Add(lan);
                }

                continue;
            }

            if (!interfaces.TryGetValue(link.InterfaceRefs[0], out var a) || !interfaces.TryGetValue(link.InterfaceRefs[1], out var b))
            {
                // An end without an address (reported above) or one no node has (the reader refuses those).
                continue;
            }

            if (a.Node == b.Node)
            {
                problems.Add(new(link.ClientId, $"link '{link.ClientId}' joins two interfaces of node '{a.Node.ClientId}'"));
            }
            else if (a.End.Ip.Subnet != b.End.Ip.Subnet)
            {
                problems.Add(new(link.ClientId, $"link '{link.ClientId}' joins {a.End.Ip} and {b.End.Ip}, which are not on one subnet"));
            }
            else
            {
                links.Add(new PlannedLink(link.ClientId, a.Node, a.End, b.Node, b.End));
            }
        }

        foreach (var node in request.Nodes)
        {
            foreach (var entry in node.Interfaces.Where(i => !linkOf.ContainsKey(i.ClientId)))
            {
                problems.Add(new(entry.ClientId, $"interface '{entry.ClientId}' of node '{node.ClientId}' is on no link: the local testbed makes interfaces as the ends of links"));
            }
        }

        foreach (var node in nodes)
        {
            CheckSwitching(node, linkOf, problems);
        }

        var switches = switchNodes.Select(s => new PlannedSwitch(s.Key, s.Value, [.. switchPorts[s.Key].OrderBy(p => p.Number)])).ToArray();
        foreach (var planned in switches)
        {
            CheckSwitch(planned, owners, problems, notRealised);
        }

        return new LocalTestbedPlan(request, nodes, links, lans, notRealised) { Assigned = assigned, AddressMap = map, Switches = switches };
    }

    /// <summary>A link to a switch port: two interfaces, the other an addressed interface of a node that is not a switch.</summary>
    private static void PlanPort(
        RSpecLink link,
        Dictionary<string, (PlannedNode Switch, uint Number)> ports,
        Dictionary<string, (PlannedNode Node, PlannedInterface End)> interfaces,
        Dictionary<PlannedNode, List<PlannedPort>> switchPorts,
        List<LocalTestbedFinding> problems)
    {
        var portEnds = link.InterfaceRefs.Where(ports.ContainsKey).ToArray();
        if (link.InterfaceRefs.Count != 2 || portEnds.Length != 1)
        {
            problems.Add(new(link.ClientId,
                $"link '{link.ClientId}' joins switch port {Counted.List([.. portEnds.Select(p => $"'{p}'")])} to {Counted.Of(link.InterfaceRefs.Count - portEnds.Length, "other interface")}: " +
                "a switch port is realised as a veth pair to exactly one interface of a node that is no switch"));
            return;
        }

        var (switchNode, number) = ports[portEnds[0]];
        var other = link.InterfaceRefs.First(i => i != portEnds[0]);
        if (interfaces.TryGetValue(other, out var peer))
        {
            // The port's device in the switch's namespace: p1, p2, ... (its other interfaces are eth0, eth1, ...).
            switchPorts[switchNode].Add(new PlannedPort(number, $"p{number.ToString(System.Globalization.CultureInfo.InvariantCulture)}", link.ClientId, peer.Node, peer.End));
        }
    }

    private static void CheckSwitch(PlannedSwitch planned, Dictionary<Ipv4Address, string> owners, List<LocalTestbedFinding> problems, List<LocalTestbedFinding> notRealised)
    {
        var name = $"node '{planned.Node.ClientId}'";
        if (planned.Definition.Controller is not { } controller)
        {
            problems.Add(new(planned.Node.ClientId,
                $"{name} creates an Open vSwitch bridge but its execute service names no controller (set-controller BRIDGE tcp:ADDRESS:PORT): a secure-mode switch without one forwards nothing"));
        }
        else if (!owners.ContainsKey(controller.Address))
        {
            problems.Add(new(planned.Node.ClientId, $"{name}: its controller {controller} is no address of an interface of the request"));
        }

        notRealised.Add(new(planned.Node.ClientId,
            $"{name}: its execute service is not run; the switch it makes is realised as an Open vSwitch (userspace datapath, OpenFlow 1.3, fail_mode=secure) " +
            $"with {Counted.Of(planned.Ports.Count, "port")} ({string.Join(", ", planned.Ports.Select(p => $"{p.Number}: {p.Peer.ClientId}"))}), connecting to {planned.Definition.Controller?.ToString() ?? "no controller"}"));
    }

    /// <summary>What an interface outside 198.18.0.0/15 needs to be realised, named as netserv-lab's option.</summary>
    internal const string RemapRemedy = "; --remap-addresses maps each subnet outside it into it (and the execute services' command lines with it)";

    /// <summary>A LAN: every end addressed, on one subnet, each on its own node.</summary>
    private static PlannedLan? PlanLan(
        RSpecLink link, string hostName, Dictionary<string, (PlannedNode Node, PlannedInterface End)> interfaces, List<LocalTestbedFinding> problems)
    {
        var members = link.InterfaceRefs.Where(interfaces.ContainsKey).Select(id => interfaces[id]).ToArray();
        if (members.Length < link.InterfaceRefs.Count)
        {
            // An end without an address it can configure, reported with its interface.
            return null;
        }

        var subnets = members.Select(m => m.End.Ip.Subnet).Distinct().ToArray();
        if (subnets.Length > 1)
        {
            problems.Add(new(link.ClientId, $"LAN '{link.ClientId}' joins {Counted.List([.. members.Select(m => m.End.Ip.ToString())])}, which are not on one subnet"));
            return null;
        }

        var twice = members.GroupBy(m => m.Node).Where(g => g.Count() > 1).Select(g => g.Key.ClientId).ToArray();
        if (twice.Length > 0)
        {
            problems.Add(new(link.ClientId, $"LAN '{link.ClientId}' joins two interfaces of node {Counted.List([.. twice.Select(n => $"'{n}'")])}"));
            return null;
        }

        return new PlannedLan(link.ClientId, hostName, [.. members]);
    }

    private static void CheckNode(RSpecNode node, List<LocalTestbedFinding> problems, List<LocalTestbedFinding> notRealised)
    {
        var shells = node.Executes.Select(e => e.Shell).Where(s => ShellToRun(s) is null).Distinct(StringComparer.Ordinal).Select(s => $"'{s}'").ToArray();
        if (shells.Length > 0)
        {
            problems.Add(new(node.ClientId,
                $"node '{node.ClientId}': execute services name {(shells.Length == 1 ? "shell" : "shells")} {Counted.List(shells)}; the local testbed runs {string.Join(" or ", Shells)}, by name or by path (such as /bin/sh)"));
        }

        if (node.SliverType?.Name == "delay")
        {
            notRealised.Add(new(node.ClientId, $"node '{node.ClientId}' is a delay node (sliver_type 'delay'): the local testbed makes it a plain node that routes between its links, without delaying or shaping"));
        }

        if (node.RoutableControlIp)
        {
            notRealised.Add(new(node.ClientId, $"node '{node.ClientId}' asks for a routable control address: local nodes have no control network, only the request's links"));
        }

        if (node.Installs.Count > 0)
        {
            notRealised.Add(new(node.ClientId,
                $"node '{node.ClientId}': {Counted.Of(node.Installs.Count, "install service")} not run: local nodes share this machine's file system, where the node software is built already"));
        }

        var extensions = node.Extensions.Elements.Concat(node.ServicesExtensions.Elements).Select(e => $"<{e.DisplayName}>").Distinct(StringComparer.Ordinal).ToArray();
        if (extensions.Length > 0)
        {
            notRealised.Add(new(node.ClientId, $"node '{node.ClientId}': {Counted.List(extensions)} kept but not acted on"));
        }
    }

    private static void CheckLink(RSpecLink link, List<LocalTestbedFinding> notRealised)
    {
        if (link.LinkType is { } type && !PlainLinkTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
        {
            notRealised.Add(new(link.ClientId, $"link '{link.ClientId}' is a {type}: the local testbed makes it a plain veth pair"));
        }

        var shaping = new List<string>();
        foreach (var property in link.Properties)
        {
            // No latency and no loss is what a veth pair gives anyway; a capacity is never enforced.
            var what = new List<string>();
            if (property.CapacityKbps is { } capacity)
            {
                what.Add(FormattableString.Invariant($"capacity {capacity} kbps"));
            }

            if (property.LatencyMs is > 0 and var latency)
            {
                what.Add(FormattableString.Invariant($"latency {latency} ms"));
            }

            if (property.PacketLoss is > 0 and var loss)
            {
                what.Add(FormattableString.Invariant($"loss {loss}"));
            }

            if (what.Count == 0)
            {
                continue;
            }

            shaping.Add($"{Counted.List(what)} from '{property.SourceId}' to '{property.DestinationId}'");
        }

        if (shaping.Count > 0)
        {
            notRealised.Add(new(link.ClientId, $"link '{link.ClientId}': {string.Join("; ", shaping)} not applied: the local testbed does not shape links"));
        }

        var extensions = link.Extensions.Elements.Select(e => $"<{e.DisplayName}>").Distinct(StringComparer.Ordinal).ToArray();
        if (extensions.Length > 0)
        {
            notRealised.Add(new(link.ClientId, $"link '{link.ClientId}': {Counted.List(extensions)} kept but not acted on"));
        }
    }

    /// <summary>The address the local testbed configures on <paramref name="entry"/>, or <see langword="null"/> (and a problem) when it has none it can configure.</summary>
    private static InterfaceIp? InterfaceIp(RSpecNode node, RSpecInterface entry, bool linked, List<LocalTestbedFinding> problems, List<LocalTestbedFinding> notRealised)
    {
        var name = $"interface '{entry.ClientId}' of node '{node.ClientId}'";
        foreach (var ipv6 in entry.Ips.Where(i => i.IsIpv6))
        {
            notRealised.Add(new(entry.ClientId, $"{name}: IPv6 address {ipv6} not configured: the local testbed's namespaces run IPv4 only"));
        }

        var ipv4 = entry.Ips.Where(i => !i.IsIpv6).ToArray();
        var configured = ipv4.Select(i => i.Ipv4).OfType<InterfaceIp>().ToArray();
        if (configured.Length > 1)
        {
            notRealised.Add(new(entry.ClientId,
                $"{name}: {Counted.List([.. configured.Skip(1).Select(i => i.ToString())])} not configured: the local testbed gives each interface one address (the first, {configured[0]})"));
        }

        if (configured.Length > 0)
        {
            return configured[0];
        }

        if (ipv4.Length == 0 && (entry.Ips.Count == 0 || linked))
        {
            // Addressing gives one to every interface on a link (or says why not); one on no link is refused as that.
            return null;
        }

        problems.Add(new(entry.ClientId, ipv4.Length > 0
            ? $"{name}: {ipv4[0].Address} has no netmask, and the local testbed configures only addresses given with one (add netmask=\"255.255.255.0\" or the like)"
            : $"{name} has only IPv6 addresses: the local testbed's namespaces run IPv4 only"));
        return null;
    }

    /// <summary>
    /// A node with two interfaces on one subnet, each on its own link, is meant to switch between
    /// those links (the OVS and learning-switch tutorials). Veth pairs are routed, not bridged, so
    /// the hosts on those links could not reach each other: refused rather than built wrong.
    /// </summary>
    private static void CheckSwitching(PlannedNode node, Dictionary<string, string> linkOf, List<LocalTestbedFinding> problems)
    {
        foreach (var group in node.Interfaces.GroupBy(i => i.Ip.Subnet).Where(g => g.Count() > 1))
        {
            var ends = group.Where(i => linkOf.ContainsKey(i.ClientId)).DistinctBy(i => linkOf[i.ClientId]).Select(i => $"{i.Ip} (link '{linkOf[i.ClientId]}')").ToArray();
            if (ends.Length < 2)
            {
                continue;
            }

            problems.Add(new(node.ClientId,
                $"node '{node.ClientId}' has {Counted.List(ends)} on one subnet {group.Key}: it would have to switch between those links, and the local testbed " +
                "does not bridge between separate links, so the hosts on them could not reach each other. Put those hosts in one LAN link on an aggregate, " +
                "or give each link its own subnet here"));
        }
    }

    /// <summary>
    /// A name for each node's namespace (<c>ns-&lt;tag&gt;-&lt;name&gt;</c>): its client id where that is
    /// a safe file name, otherwise the client id with other characters replaced; made unique.
    /// </summary>
    private static string[] HostNames(IReadOnlyList<string> clientIds)
    {
        var names = clientIds.Select(SafeName).ToArray();
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

/// <summary>A switch as it will be created: an Open vSwitch in the namespace of <see cref="Node"/>, with <see cref="Ports"/>.</summary>
internal sealed record PlannedSwitch(PlannedNode Node, OpenFlowSwitchNode Definition, IReadOnlyList<PlannedPort> Ports);

/// <summary>A switch port as it will be created: a veth pair from <see cref="PeerEnd"/> on <see cref="Peer"/> to <see cref="Device"/> in the switch's namespace, port <see cref="Number"/> of the bridge.</summary>
internal sealed record PlannedPort(uint Number, string Device, string LinkClientId, PlannedNode Peer, PlannedInterface PeerEnd);

/// <summary>A LAN as it will be created: a bridge in namespace <c>ns-&lt;tag&gt;-<see cref="HostName"/></c>, and a veth pair from each member's interface to it.</summary>
internal sealed record PlannedLan(string ClientId, string HostName, IReadOnlyList<(PlannedNode Node, PlannedInterface End)> Members);
