// The model of a GENI RSpec v3 manifest: what an aggregate says it gave, as far as reaching the nodes goes.
namespace NetServ.RSpec;

/// <summary>
/// A GENI RSpec v3 manifest (<c>&lt;rspec type="manifest"&gt;</c>), the answer of an aggregate's
/// Allocate, Provision and Describe: the nodes it gave, how to log in to each, and their interfaces'
/// addresses. Only what the orchestrator needs to reach the nodes is modelled; links and extensions are skipped.
/// </summary>
/// <param name="Nodes">The nodes, in document order.</param>
public sealed record ManifestRSpec(ValueList<ManifestNode> Nodes)
{
    /// <summary>The node called <paramref name="clientId"/>, or <see langword="null"/>.</summary>
    public ManifestNode? FindNode(string clientId) => Nodes.FirstOrDefault(n => n.ClientId == clientId);

    /// <summary>The node whose <c>sliver_id</c> is <paramref name="sliverUrn"/>, or <see langword="null"/>.</summary>
    public ManifestNode? FindNodeOfSliver(string sliverUrn) => Nodes.FirstOrDefault(n => n.SliverId == sliverUrn);
}

/// <summary>A node the aggregate gave.</summary>
/// <param name="ClientId">The experimenter's name for the node, as in the request.</param>
/// <param name="SliverId">The sliver's URN, which Status and Delete name; <see langword="null"/> when the aggregate wrote none.</param>
/// <param name="ComponentId">The machine's URN, when the aggregate names it.</param>
/// <param name="ComponentManagerId">The aggregate's URN, when written.</param>
/// <param name="HostName">The node's name in the aggregate's DNS (<c>&lt;host name&gt;</c>), when given.</param>
/// <param name="Logins">How to log in (<c>&lt;services&gt;&lt;login&gt;</c>), in document order: one per user on CloudLab.</param>
/// <param name="Interfaces">The node's interfaces, in document order.</param>
public sealed record ManifestNode(
    string ClientId,
    string? SliverId,
    string? ComponentId,
    string? ComponentManagerId,
    string? HostName,
    ValueList<NodeLogin> Logins,
    ValueList<ManifestInterface> Interfaces);

/// <summary>One <c>&lt;login authentication hostname port username&gt;</c> of a node's services.</summary>
/// <param name="Authentication">How the login is authenticated (<c>ssh-keys</c>).</param>
/// <param name="Hostname">The host to connect to.</param>
/// <param name="Port">The port (22 unless the node is a VM or container behind a shared address).</param>
/// <param name="Username">The user to log in as, when the aggregate says.</param>
public sealed record NodeLogin(string Authentication, string Hostname, int Port, string? Username)
{
    /// <summary>As an ssh destination: <c>user@host:port</c>.</summary>
    public override string ToString() => $"{(Username is null ? "" : Username + "@")}{Hostname}:{Port}";
}

/// <summary>An interface of a node in a manifest, with the addresses the aggregate gave it.</summary>
/// <param name="ClientId">The experimenter's name for the interface, as in the request.</param>
/// <param name="SliverId">The interface sliver's URN, when written.</param>
/// <param name="MacAddress">Its MAC address, when written.</param>
/// <param name="Ips">Its addresses, in document order.</param>
public sealed record ManifestInterface(string ClientId, string? SliverId, string? MacAddress, ValueList<RSpecIp> Ips);
