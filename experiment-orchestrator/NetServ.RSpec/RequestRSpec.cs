// The model of a GENI RSpec v3 request: the parts of the schema this project reads and writes.
using NetServ.Sdk;

namespace NetServ.RSpec;

/// <summary>
/// A GENI RSpec v3 request (<c>&lt;rspec type="request"&gt;</c>): the nodes an experiment asks for
/// and the links between their interfaces. Immutable; two requests with the same content are equal.
/// </summary>
/// <param name="Nodes">The nodes, in document order.</param>
/// <param name="Links">The links, in document order.</param>
public sealed record RequestRSpec(ValueList<RSpecNode> Nodes, ValueList<RSpecLink> Links)
{
    /// <summary>The node called <paramref name="clientId"/>, or <see langword="null"/>.</summary>
    public RSpecNode? FindNode(string clientId) => Nodes.FirstOrDefault(n => n.ClientId == clientId);

    /// <summary>The node that owns the interface called <paramref name="interfaceClientId"/>, or <see langword="null"/>.</summary>
    public RSpecNode? FindNodeOfInterface(string interfaceClientId) =>
        Nodes.FirstOrDefault(n => n.Interfaces.Any(i => i.ClientId == interfaceClientId));
}

/// <summary>A node: a machine (or VM) of the experiment.</summary>
/// <param name="ClientId">The experimenter's name for the node, unique in the request.</param>
/// <param name="ComponentManagerId">The aggregate that should provide the node (a URN), or <see langword="null"/> for any.</param>
/// <param name="Exclusive">Whether the node must be a whole machine rather than a shared VM; <see langword="null"/> when not said.</param>
/// <param name="SliverType">What kind of sliver (<c>raw-pc</c>, <c>emulab-xen</c>…) and disk image, when said.</param>
/// <param name="Installs">The <c>install</c> services: archives unpacked on the node when it boots.</param>
/// <param name="Executes">The <c>execute</c> services: commands run on the node when it boots.</param>
/// <param name="Interfaces">The node's interfaces, in document order.</param>
public sealed record RSpecNode(
    string ClientId,
    string? ComponentManagerId,
    bool? Exclusive,
    SliverType? SliverType,
    ValueList<InstallService> Installs,
    ValueList<ExecuteService> Executes,
    ValueList<RSpecInterface> Interfaces);

/// <summary>The kind of sliver a node is (<c>&lt;sliver_type name&gt;</c>) and the disk image it boots.</summary>
/// <param name="Name">The sliver type, such as <c>raw-pc</c> or <c>emulab-xen</c>.</param>
/// <param name="DiskImage">The disk image's URN (<c>&lt;disk_image name&gt;</c>), or <see langword="null"/> for the aggregate's default.</param>
public sealed record SliverType(string Name, string? DiskImage);

/// <summary>An <c>install</c> service: an archive fetched from <paramref name="Url"/> and unpacked into <paramref name="InstallPath"/>.</summary>
/// <param name="Url">Where the archive is.</param>
/// <param name="InstallPath">The folder on the node it is unpacked into.</param>
public sealed record InstallService(string Url, string InstallPath);

/// <summary>An <c>execute</c> service: <paramref name="Command"/> run by <paramref name="Shell"/> when the node boots.</summary>
/// <param name="Shell">The shell that runs the command (<c>sh</c> or <c>bash</c>).</param>
/// <param name="Command">The command line.</param>
public sealed record ExecuteService(string Shell, string Command);

/// <summary>An interface of a node, with its IPv4 address when the request gives one.</summary>
/// <param name="ClientId">The experimenter's name for the interface, unique in the request (often <c>node:if0</c>).</param>
/// <param name="Ip">The interface's address, or <see langword="null"/> when the aggregate may choose.</param>
public sealed record RSpecInterface(string ClientId, InterfaceIp? Ip);

/// <summary>An interface's IPv4 address and netmask (<c>&lt;ip address netmask type="ipv4"&gt;</c>).</summary>
/// <param name="Address">The interface's address.</param>
/// <param name="PrefixLength">The length of the netmask in bits (24 for 255.255.255.0).</param>
public sealed record InterfaceIp(Ipv4Address Address, int PrefixLength)
{
    /// <summary>The netmask as an address (255.255.255.0 for a /24).</summary>
    public Ipv4Address Netmask => new(new Ipv4Prefix(Address, PrefixLength).Mask);

    /// <summary>The subnet the interface is on.</summary>
    public Ipv4Prefix Subnet => new(Address, PrefixLength);

    /// <summary>The address with its prefix length, as <c>198.18.0.1/24</c>.</summary>
    public override string ToString() => $"{Address}/{PrefixLength}";
}

/// <summary>A link between interfaces of nodes.</summary>
/// <param name="ClientId">The experimenter's name for the link, unique in the request.</param>
/// <param name="InterfaceRefs">The client ids of the interfaces the link joins (<c>&lt;interface_ref&gt;</c>), in document order.</param>
/// <param name="LinkType">The link's type (<c>&lt;link_type name&gt;</c>, such as <c>lan</c>), or <see langword="null"/>.</param>
/// <param name="Properties">What the link should be like in one direction (<c>&lt;property&gt;</c>), in document order.</param>
public sealed record RSpecLink(
    string ClientId,
    ValueList<string> InterfaceRefs,
    string? LinkType,
    ValueList<LinkProperty> Properties);

/// <summary>What a link should be like from one of its interfaces to another (<c>&lt;property&gt;</c>).</summary>
/// <param name="SourceId">The client id of the interface the traffic leaves.</param>
/// <param name="DestinationId">The client id of the interface the traffic reaches (<c>dest_id</c>).</param>
/// <param name="CapacityKbps">The capacity in kilobits per second, when said.</param>
/// <param name="LatencyMs">The one-way latency in milliseconds, when said.</param>
/// <param name="PacketLoss">The fraction of packets lost (0 to 1), when said.</param>
public sealed record LinkProperty(
    string SourceId,
    string DestinationId,
    long? CapacityKbps,
    long? LatencyMs,
    double? PacketLoss);
