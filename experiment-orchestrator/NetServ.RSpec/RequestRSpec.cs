// The model of a GENI RSpec v3 request: the parts of the schema this project reads and writes.
using System.Net;
using System.Net.Sockets;
using NetServ.Networking;

namespace NetServ.RSpec;

/// <summary>
/// A GENI RSpec v3 request (<c>&lt;rspec type="request"&gt;</c>): the nodes an experiment asks for
/// and the links between their interfaces. Immutable; two requests with the same content are equal.
/// </summary>
/// <param name="Nodes">The nodes, in document order.</param>
/// <param name="Links">The links, in document order.</param>
public sealed record RequestRSpec(ValueList<RSpecNode> Nodes, ValueList<RSpecLink> Links)
{
    /// <summary>The root's attributes and the elements under it that the model does not describe (extensions such as OpenFlow slivers), kept to be written back.</summary>
    public RSpecExtensions Extensions { get; init; } = RSpecExtensions.None;

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
    ValueList<RSpecInterface> Interfaces)
{
    /// <summary>The machine asked for by its URN (<c>component_id</c>), or <see langword="null"/> for any.</summary>
    public string? ComponentId { get; init; }

    /// <summary>The kind of machine asked for (<c>&lt;hardware_type name&gt;</c>, such as <c>d430</c>), or <see langword="null"/>.</summary>
    public string? HardwareType { get; init; }

    /// <summary>Whether the node asks for a publicly routable control address (emulab's <c>&lt;routable_control_ip/&gt;</c>).</summary>
    public bool RoutableControlIp { get; init; }

    /// <summary>What the model does not describe inside <c>&lt;services&gt;</c>.</summary>
    public RSpecExtensions ServicesExtensions { get; init; } = RSpecExtensions.None;

    /// <summary>The node's attributes and child elements the model does not describe.</summary>
    public RSpecExtensions Extensions { get; init; } = RSpecExtensions.None;
}

/// <summary>The kind of sliver a node is (<c>&lt;sliver_type name&gt;</c>) and the disk image it boots.</summary>
/// <param name="Name">The sliver type, such as <c>raw-pc</c>, <c>emulab-xen</c> or <c>delay</c>.</param>
/// <param name="DiskImage">The disk image, or <see langword="null"/> for the aggregate's default.</param>
public sealed record SliverType(string Name, DiskImage? DiskImage)
{
    /// <summary>What the model does not describe in <c>&lt;sliver_type&gt;</c>.</summary>
    public RSpecExtensions Extensions { get; init; } = RSpecExtensions.None;
}

/// <summary>A disk image (<c>&lt;disk_image&gt;</c>), named by a URN, by a URL, or both.</summary>
/// <param name="Name">The image's URN, when given.</param>
/// <param name="Url">Where the image is, when given (the form tutorials use for custom images).</param>
/// <param name="Os">The operating system it holds, when said.</param>
/// <param name="Version">The operating system's version, when said.</param>
public sealed record DiskImage(string? Name, string? Url = null, string? Os = null, string? Version = null)
{
    /// <summary>What the model does not describe in <c>&lt;disk_image&gt;</c>.</summary>
    public RSpecExtensions Extensions { get; init; } = RSpecExtensions.None;

    /// <summary>The name when given, otherwise the URL.</summary>
    public override string ToString() => Name ?? Url ?? string.Empty;
}

/// <summary>An <c>install</c> service: an archive fetched from <paramref name="Url"/> and unpacked into <paramref name="InstallPath"/>.</summary>
/// <param name="Url">Where the archive is.</param>
/// <param name="InstallPath">The folder on the node it is unpacked into.</param>
public sealed record InstallService(string Url, string InstallPath)
{
    /// <summary>What the model does not describe in <c>&lt;install&gt;</c>.</summary>
    public RSpecExtensions Extensions { get; init; } = RSpecExtensions.None;
}

/// <summary>An <c>execute</c> service: <paramref name="Command"/> run by <paramref name="Shell"/> when the node boots.</summary>
/// <param name="Shell">The shell that runs the command, as the request names it (<c>sh</c>, <c>/bin/bash</c>…).</param>
/// <param name="Command">The command line.</param>
public sealed record ExecuteService(string Shell, string Command)
{
    /// <summary>What the model does not describe in <c>&lt;execute&gt;</c>.</summary>
    public RSpecExtensions Extensions { get; init; } = RSpecExtensions.None;
}

/// <summary>An interface of a node, with the addresses the request gives it (none, one or several).</summary>
/// <param name="ClientId">The experimenter's name for the interface, unique in the request (often <c>node:if0</c>).</param>
/// <param name="Ips">The interface's <c>&lt;ip&gt;</c> elements, in document order; empty when the aggregate may choose.</param>
public sealed record RSpecInterface(string ClientId, ValueList<RSpecIp> Ips)
{
    /// <summary>The first IPv4 address given with a netmask, or <see langword="null"/> when there is none.</summary>
    public InterfaceIp? Ip => Ips.Select(i => i.Ipv4).FirstOrDefault(i => i is not null);

    /// <summary>What the model does not describe in <c>&lt;interface&gt;</c> (such as <c>mac_address</c> or <c>component_id</c>).</summary>
    public RSpecExtensions Extensions { get; init; } = RSpecExtensions.None;
}

/// <summary>One <c>&lt;ip address netmask type&gt;</c> of an interface: an IPv4 or IPv6 address and, when given, its prefix length.</summary>
/// <param name="Address">The address (<c>type</c> says which family; it defaults to IPv4).</param>
/// <param name="PrefixLength">The netmask as a prefix length, or <see langword="null"/> when the request gives none.</param>
public sealed record RSpecIp(IPAddress Address, int? PrefixLength)
{
    /// <summary>Whether this is an IPv6 address (<c>type="ipv6"</c>).</summary>
    public bool IsIpv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>The address as the testbeds configure it, or <see langword="null"/> for an IPv6 address or one without a netmask.</summary>
    public InterfaceIp? Ipv4 => !IsIpv6 && PrefixLength is { } length ? new InterfaceIp(Ipv4Address.FromIPAddress(Address), length) : null;

    /// <summary>What the model does not describe in <c>&lt;ip&gt;</c>.</summary>
    public RSpecExtensions Extensions { get; init; } = RSpecExtensions.None;

    /// <summary>An IPv4 address with its netmask.</summary>
    public static implicit operator RSpecIp(InterfaceIp ip) => FromInterfaceIp(ip);

    /// <summary>An IPv4 address with its netmask.</summary>
    public static RSpecIp FromInterfaceIp(InterfaceIp ip)
    {
        ArgumentNullException.ThrowIfNull(ip);
        return new RSpecIp(ip.Address.ToIPAddress(), ip.PrefixLength);
    }

    /// <summary>The address with its prefix length when given, as <c>198.18.0.1/24</c> or <c>2001:db8::1/64</c>.</summary>
    public override string ToString() => PrefixLength is { } length ? $"{Address}/{length}" : Address.ToString();
}

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
/// <param name="LinkType">The link's type (<c>&lt;link_type name&gt;</c>, such as <c>lan</c> or <c>gre-tunnel</c>), or <see langword="null"/>.</param>
/// <param name="Properties">What the link should be like in one direction (<c>&lt;property&gt;</c>), in document order.</param>
public sealed record RSpecLink(
    string ClientId,
    ValueList<string> InterfaceRefs,
    string? LinkType,
    ValueList<LinkProperty> Properties)
{
    /// <summary>
    /// What the model does not describe in each <c>&lt;interface_ref&gt;</c>, in the order of
    /// <see cref="InterfaceRefs"/>; empty when none of them has any.
    /// </summary>
    public ValueList<RSpecExtensions> InterfaceRefExtensions { get; init; } = [];

    /// <summary>What the model does not describe in <c>&lt;link_type&gt;</c>.</summary>
    public RSpecExtensions LinkTypeExtensions { get; init; } = RSpecExtensions.None;

    /// <summary>The link's attributes and child elements the model does not describe (such as <c>&lt;component_manager&gt;</c>).</summary>
    public RSpecExtensions Extensions { get; init; } = RSpecExtensions.None;
}

/// <summary>
/// What a link should be like from one of its interfaces to another (<c>&lt;property&gt;</c>). Either
/// end may be the link's own client id, meaning the LAN as a whole (as geni-lib writes the shaping of a LAN).
/// </summary>
/// <param name="SourceId">The client id of the interface the traffic leaves.</param>
/// <param name="DestinationId">The client id of the interface the traffic reaches (<c>dest_id</c>).</param>
/// <param name="CapacityKbps">The capacity in kilobits per second, when said.</param>
/// <param name="LatencyMs">The one-way latency in milliseconds, when said.</param>
/// <param name="PacketLoss">The fraction of packets lost (0 to 1), when said.</param>
public sealed record LinkProperty(
    string SourceId,
    string DestinationId,
    double? CapacityKbps,
    double? LatencyMs,
    double? PacketLoss)
{
    /// <summary>What the model does not describe in <c>&lt;property&gt;</c>.</summary>
    public RSpecExtensions Extensions { get; init; } = RSpecExtensions.None;
}
