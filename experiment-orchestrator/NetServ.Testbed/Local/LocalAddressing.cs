// Addresses as a local testbed gives them: remapped into 198.18.0.0/15 when asked, and chosen where the request gives none.
using System.Text.RegularExpressions;
using NetServ.RSpec;
using NetServ.Networking;
using NetServ.Testbed.Linux;
using NetServ.Testbed.OpenFlow;

namespace NetServ.Testbed.Local;

/// <summary>An address a local testbed chose for an interface the request gives none (as a GENI aggregate does).</summary>
/// <param name="Node">The node's client id.</param>
/// <param name="Interface">The interface's client id.</param>
/// <param name="Ip">The address and prefix length given to it.</param>
public sealed record AssignedAddress(string Node, string Interface, InterfaceIp Ip)
{
    /// <summary>As <c>a:if0 (node a): 198.18.0.1/24</c>.</summary>
    public override string ToString() => $"{Interface} (node {Node}): {Ip}";
}

/// <summary>A subnet of the request outside 198.18.0.0/15 and the subnet of the same size inside it that stands for it.</summary>
/// <param name="From">The request's subnet.</param>
/// <param name="To">The subnet in 198.18.0.0/15 it is mapped to; host bits are kept.</param>
public sealed record SubnetMapping(Ipv4Prefix From, Ipv4Prefix To)
{
    /// <summary>The address <paramref name="address"/> (in <see cref="From"/>) stands for.</summary>
    public Ipv4Address Map(Ipv4Address address) => new(To.Address.Value | (address.Value & ~From.Mask));

    /// <summary>As <c>10.10.1.0/24 -&gt; 198.18.0.0/24</c>.</summary>
    public override string ToString() => $"{From} -> {To}";
}

/// <summary>
/// Rewrites a request's addresses the way a local testbed realises them: with remapping on, every
/// subnet outside 198.18.0.0/15 is given a subnet of the same size inside it (the same one wherever it
/// appears, host bits kept, in interfaces and in the <c>execute</c> services' command lines); then every
/// interface on a link that has no IPv4 address is given one, on the subnet its link's other interfaces
/// are on, or on a fresh /24 no address of the request is in. No I/O.
/// </summary>
internal static partial class LocalAddressing
{
    private const int AssignedPrefixLength = 24;

    /// <summary>The rewritten request, what was assigned and mapped; problems (subnets that do not fit) go to <paramref name="problems"/>.</summary>
    public static (RequestRSpec Request, IReadOnlyList<AssignedAddress> Assigned, IReadOnlyList<SubnetMapping> Map) Apply(
        RequestRSpec request, bool remap, List<LocalTestbedFinding> problems)
    {
        ArgumentNullException.ThrowIfNull(request);
        var range = LocalNetwork.BenchmarkingRange;
        var configured = request.Nodes.SelectMany(n => n.Interfaces).Select(i => i.Ip).OfType<InterfaceIp>().ToArray();

        // Blocks of 198.18.0.0/15 the request's own addresses occupy: nothing chosen here may overlap them.
        var taken = configured.Where(ip => range.Contains(ip.Address)).Select(ip => ip.Subnet)
            .Concat(request.Nodes.SelectMany(n => n.Interfaces).SelectMany(i => i.Ips).Where(ip => !ip.IsIpv6 && ip.PrefixLength is null)
                .Select(ip => new Ipv4Prefix(Ipv4Address.FromIPAddress(ip.Address), 32)))
            .Distinct().ToList();
        var map = new List<SubnetMapping>();
        if (remap)
        {
            // Larger subnets first, so a smaller one inside a larger maps through it and stays consistent.
            var outside = configured.Where(ip => !range.Contains(ip.Address)).Select(ip => ip.Subnet).Distinct().OrderBy(s => s.Length).ToArray();
            foreach (var subnet in outside)
            {
                if (map.FirstOrDefault(m => m.From.Contains(subnet)) is { } enclosing)
                {
                    map.Add(new SubnetMapping(subnet, new Ipv4Prefix(enclosing.Map(subnet.Address), subnet.Length)));
                }
                else if (subnet.Length < range.Length || FreeBlock(subnet.Length, taken) is not { } block)
                {
                    problems.Add(new(null, $"subnet {subnet} cannot be remapped: {(subnet.Length < range.Length ? "it is larger than" : "no free block of its size is left in")} {range}"));
                }
                else
                {
                    taken.Add(block);
                    map.Add(new SubnetMapping(subnet, block));
                }
            }
        }

        var remapped = map.Count == 0 ? request : Remap(request, map);
        var (assignedRequest, assigned) = Assign(remapped, taken, problems);
        return (assignedRequest, assigned, map);
    }

    /// <summary>The first block of <paramref name="length"/> bits in 198.18.0.0/15 that overlaps none of <paramref name="taken"/>.</summary>
    private static Ipv4Prefix? FreeBlock(int length, IReadOnlyList<Ipv4Prefix> taken)
    {
        var range = LocalNetwork.BenchmarkingRange;
        var size = 1UL << (32 - length);
        var end = range.Address.Value + (1UL << (32 - range.Length));
        for (ulong start = range.Address.Value; start + size <= end; start += size)
        {
            var block = new Ipv4Prefix(new Ipv4Address((uint)start), length);
            if (!taken.Any(t => t.Contains(block) || block.Contains(t)))
            {
                return block;
            }
        }

        return null;
    }

    private static RequestRSpec Remap(RequestRSpec request, IReadOnlyList<SubnetMapping> map) =>
        request with
        {
            Nodes = ValueList.From(request.Nodes.Select(node => node with
            {
                Executes = ValueList.From(node.Executes.Select(e => e with { Command = RemapText(e.Command, map) })),
                Interfaces = ValueList.From(node.Interfaces.Select(entry => entry with
                {
                    Ips = ValueList.From(entry.Ips.Select(ip => !ip.IsIpv6 && MappingOf(Ipv4Address.FromIPAddress(ip.Address), map) is { } m
                        ? ip with { Address = m.Map(Ipv4Address.FromIPAddress(ip.Address)).ToIPAddress() }
                        : ip)),
                })),
            })),
        };

    /// <summary>
    /// <paramref name="text"/> with every dotted-quad address in a mapped subnet replaced by the address it maps to
    /// (a subnet written as <c>10.10.1.0/24</c> becomes the mapped subnet, since its network address maps to the mapped network).
    /// </summary>
    internal static string RemapText(string text, IReadOnlyList<SubnetMapping> map) =>
        DottedQuad().Replace(text, match =>
            Ipv4Address.TryParse(match.ValueSpan, out var address) && MappingOf(address, map) is { } mapping ? mapping.Map(address).ToString() : match.Value);

    /// <summary>The mapping of the smallest mapped subnet that holds <paramref name="address"/>.</summary>
    private static SubnetMapping? MappingOf(Ipv4Address address, IReadOnlyList<SubnetMapping> map) =>
        map.Where(m => m.From.Contains(address)).MaxBy(m => m.From.Length);

    private static (RequestRSpec Request, IReadOnlyList<AssignedAddress> Assigned) Assign(RequestRSpec request, List<Ipv4Prefix> taken, List<LocalTestbedFinding> problems)
    {
        var interfaces = request.Nodes.SelectMany(n => n.Interfaces.Select(i => (Node: n, Interface: i))).ToDictionary(p => p.Interface.ClientId, StringComparer.Ordinal);
        // Every address the request writes, with a netmask or without, is left to its interface.
        var used = request.Nodes.SelectMany(n => n.Interfaces).SelectMany(i => i.Ips).Where(ip => !ip.IsIpv6).Select(ip => Ipv4Address.FromIPAddress(ip.Address)).ToHashSet();
        var chosen = new Dictionary<string, InterfaceIp>(StringComparer.Ordinal);
        // A switch's ports have no address: the bridge takes their frames.
        var switchPorts = OpenFlowSwitchNode.All(request).SelectMany(s => s.Ports).ToHashSet(StringComparer.Ordinal);
        var assigned = new List<AssignedAddress>();
        foreach (var link in request.Links)
        {
            var ends = link.InterfaceRefs.Where(id => interfaces.ContainsKey(id) && !switchPorts.Contains(id)).Select(id => interfaces[id]).ToArray();
            var missing = ends.Where(e => !e.Interface.Ips.Any(ip => !ip.IsIpv6)).ToArray();
            if (missing.Length == 0 || ends.Length < 2)
            {
                continue;
            }

            // On the subnet of the link's addressed interfaces when it has some (and it is one a local testbed can use), else on a fresh /24.
            Ipv4Prefix subnet;
            if (ends.Select(e => e.Interface.Ip).OfType<InterfaceIp>().FirstOrDefault() is { } peer)
            {
                if (!LocalNetwork.BenchmarkingRange.Contains(peer.Address))
                {
                    continue;
                }

                subnet = peer.Subnet;
            }
            else if (FreeBlock(AssignedPrefixLength, taken) is { } block)
            {
                taken.Add(block);
                subnet = block;
            }
            else
            {
                problems.Add(new(link.ClientId, $"link '{link.ClientId}': no free /{AssignedPrefixLength} is left in {LocalNetwork.BenchmarkingRange} for its interfaces without an address"));
                continue;
            }

            var next = subnet.Address.Value + 1;
            var broadcast = subnet.Address.Value | ~subnet.Mask;
            foreach (var (node, entry) in missing)
            {
                while (next < broadcast && used.Contains(new Ipv4Address(next)))
                {
                    next++;
                }

                if (next >= broadcast)
                {
                    problems.Add(new(entry.ClientId, $"interface '{entry.ClientId}' of node '{node.ClientId}' has no address, and subnet {subnet} of its link '{link.ClientId}' has none free"));
                    continue;
                }

                var ip = new InterfaceIp(new Ipv4Address(next), subnet.Length);
                used.Add(ip.Address);
                chosen[entry.ClientId] = ip;
                assigned.Add(new AssignedAddress(node.ClientId, entry.ClientId, ip));
            }
        }

        if (chosen.Count == 0)
        {
            return (request, assigned);
        }

        var rewritten = request with
        {
            Nodes = ValueList.From(request.Nodes.Select(node => node with
            {
                Interfaces = ValueList.From(node.Interfaces.Select(entry => chosen.TryGetValue(entry.ClientId, out var ip)
                    ? entry with { Ips = [RSpecIp.FromInterfaceIp(ip), .. entry.Ips] }
                    : entry)),
            })),
        };
        return (rewritten, assigned);
    }

    // Four numbers of one to three digits, not part of a longer dotted or numbered run (a version 1.2.3.4.5 is no address).
    [GeneratedRegex(@"(?<![\d.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\d]|\.\d)", RegexOptions.CultureInvariant)]
    private static partial Regex DottedQuad();
}
