using Microsoft.Extensions.Options;
using NetServ.Contracts.Configuration;
using NetServ.Networking;
using NetServ.Sdk;
using NetServ.Signaling.Nslp;

namespace NetServ.Node.Control;

/// <summary>
/// What the install policy allows a SETUP: whose module it is, the packet filter it gets (null for
/// none), how long it lives without a refresh, and the ports its servers may listen on.
/// </summary>
internal sealed record InstallGrant(UserConfiguration User, PacketFilter? Filter, TimeSpan Ttl)
{
    /// <summary>The ports the module may listen on: the user's, enforced by the container.</summary>
    public IReadOnlyList<int> AllowedPorts => User.AllowedPorts;
}

/// <summary>
/// Who may install what (paper section 5.2): the user must be one the node knows; a packet filter
/// may select only destinations inside the user's prefixes, or a single address the user proves to
/// own with the reverse-routability check; a server module listens only on the user's ports; no
/// module lives longer than the node's maximum ttl without a refresh.
/// </summary>
internal sealed class InstallPolicy(IOptions<NodeConfiguration> options, ReverseRoutabilityCheck ownership)
{
    private NodeConfiguration Settings => options.Value;

    /// <summary>The refusal for a user the node does not know.</summary>
    public static Refusal UnknownUser(string user) => new(NslpStatus.Forbidden, $"unknown user '{user}'");

    /// <summary>Decides whether <paramref name="setup"/> may be installed, and with what filter, ttl and ports.</summary>
    public async Task<Outcome<InstallGrant>> AuthoriseAsync(SetupRequest setup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var user = Settings.Users.FirstOrDefault(u => u.Name == setup.User);
        if (user is null)
        {
            return new Outcome<InstallGrant>(UnknownUser(setup.User));
        }

        var allowed = user.AllowedPrefixes.Select(p => Ipv4Prefix.Parse(p)).ToArray();
        PacketFilter? filter = null;
        if (setup.HasFilter)
        {
            var destinations = setup.FilterDestinations.Count > 0 ? setup.FilterDestinations : allowed;
            if (destinations.Count == 0)
            {
                return Refuse(NslpStatus.Forbidden, $"user '{user.Name}' may not install packet filters (no allowed prefixes)");
            }

            foreach (var destination in destinations.Where(d => !allowed.Any(a => a.Contains(d))))
            {
                var outside = $"filter destination {destination} is outside the prefixes user '{user.Name}' may claim ({string.Join(", ", allowed.Select(a => a.ToString()))})";
                if (setup.OwnershipPassword is not { } password)
                {
                    return Refuse(NslpStatus.Forbidden, ownership.Enabled ? $"{outside}; an ownership-password would let this node check that the user owns a single address" : outside);
                }

                if (await ownership.VerifyAsync(destination, user.Name, password, cancellationToken).ConfigureAwait(false) is { } failure)
                {
                    return Refuse(NslpStatus.Forbidden, $"{outside}, and {failure}");
                }
            }

            filter = new PacketFilter(setup.FilterProtocol, setup.FilterPort, destinations.ToArray());
        }

        var ttl = setup.Ttl ?? TimeSpan.FromSeconds(Settings.DefaultTtlSeconds);
        if (ttl > TimeSpan.FromSeconds(Settings.MaxTtlSeconds))
        {
            ttl = TimeSpan.FromSeconds(Settings.MaxTtlSeconds);
        }

        return new Outcome<InstallGrant>(new InstallGrant(user, filter, ttl));
    }

    private static Outcome<InstallGrant> Refuse(int status, string message) => new Outcome<InstallGrant>(new Refusal(status, message));
}
