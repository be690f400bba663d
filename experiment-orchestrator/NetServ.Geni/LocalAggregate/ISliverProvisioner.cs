using NetServ.RSpec;

namespace NetServ.Geni.LocalAggregate;

/// <summary>A user of a slice whose SSH keys go onto its nodes at Provision (the <c>geni_users</c> option).</summary>
/// <param name="Urn">The user's URN.</param>
/// <param name="Keys">The user's SSH public keys, one per entry as <c>authorized_keys</c> takes them.</param>
public sealed record SliverUser(string Urn, IReadOnlyList<string> Keys);

/// <summary>How a node that was provisioned is reached, and what its interfaces got.</summary>
/// <param name="ClientId">The node's client id in the request.</param>
/// <param name="LoginHost">The host its SSH server is reached at.</param>
/// <param name="LoginPort">The port of its SSH server.</param>
/// <param name="Username">The account the users' keys log into.</param>
/// <param name="InterfaceAddresses">The address (<c>198.18.1.1/24</c>) each interface got, by interface client id.</param>
public sealed record ProvisionedNode(string ClientId, string LoginHost, int LoginPort, string Username, IReadOnlyDictionary<string, string> InterfaceAddresses);

/// <summary>What a provisioned node really is, as the provisioner finds it (a container's state, say).</summary>
public enum NodeCondition
{
    /// <summary>It runs.</summary>
    Running,

    /// <summary>It exists but does not run (stopped, paused, exited).</summary>
    Stopped,

    /// <summary>It is not there (removed behind the aggregate's back, or lost when the aggregate restarted).</summary>
    Gone,
}

/// <summary>
/// What turns slivers into running nodes (containers on the Docker testbed, namespaces on the
/// local one). The aggregate keeps the GENI state; a provisioner only realises it.
/// </summary>
public interface ISliverProvisioner
{
    /// <summary>Creates the nodes of <paramref name="request"/> (only those being provisioned, with the links among them) for <paramref name="sliceUrn"/>, with the users' keys installed.</summary>
    Task<IReadOnlyList<ProvisionedNode>> ProvisionAsync(string sliceUrn, RequestRSpec request, IReadOnlyList<SliverUser> users, CancellationToken cancellationToken);

    /// <summary>Starts (or restarts) provisioned nodes.</summary>
    Task StartAsync(string sliceUrn, IReadOnlyList<string> clientIds, CancellationToken cancellationToken);

    /// <summary>Stops provisioned nodes, keeping them.</summary>
    Task StopAsync(string sliceUrn, IReadOnlyList<string> clientIds, CancellationToken cancellationToken);

    /// <summary>What each of the provisioned nodes <paramref name="clientIds"/> really is now.</summary>
    Task<IReadOnlyDictionary<string, NodeCondition>> InspectAsync(string sliceUrn, IReadOnlyList<string> clientIds, CancellationToken cancellationToken);

    /// <summary>Removes provisioned nodes and all they left. Releasing a node that is already gone is not an error.</summary>
    Task ReleaseAsync(string sliceUrn, IReadOnlyList<string> clientIds, CancellationToken cancellationToken);
}
