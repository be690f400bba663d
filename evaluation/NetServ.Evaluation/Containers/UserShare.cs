using System.Globalization;
using NetServ.Contracts.Configuration;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Signaling.Nslp;

namespace NetServ.Evaluation.Containers;

/// <summary>
/// One user's share of the traffic through a node with many containers: the user, and the UDP
/// destination port that only this user's traffic carries. The user may claim the receiver's subnet;
/// its module's filter selects that subnet and its own port, so each container sees exactly its share.
/// </summary>
internal sealed record UserShare(string User, ushort Port)
{
    /// <summary>The most users a node is started with here (u000..u099; the paper's 100 containers).</summary>
    public const int MaxUsers = 100;

    /// <summary>The destination prefix every user may claim and filters on: the receiver's subnet, as in configuration 5.</summary>
    public const string Destination = BenchPath.ReceiverSubnet;

    /// <summary>The user as the node is configured with it: its allowed prefix, the default memory and CPU limits.</summary>
    public UserConfiguration NodeUser => new() { Name = User, AllowedPrefixes = [Destination] };

    /// <summary>The match of this user's traffic in an iptables rule (what its module's filter installs).</summary>
    public IReadOnlyList<string> Match => ["-d", Destination, "-p", "udp", "--dport", Port.ToString(CultureInfo.InvariantCulture)];

    /// <summary><paramref name="setup"/> with this user's filter: UDP to its port in the receiver's subnet.</summary>
    public ModuleSetup WithFilter(ModuleSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return setup with { FilterProtocol = "udp", FilterPort = Port, FilterDestination = Destination };
    }

    /// <summary>Users u000, u001, ... with consecutive ports from <paramref name="firstPort"/>: u000 is configuration 5's single user.</summary>
    public static IReadOnlyList<UserShare> Assign(int users, ushort firstPort = BenchPath.Port)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(users, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(users, MaxUsers);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstPort + users - 1, ushort.MaxValue, nameof(firstPort));
        return Enumerable.Range(0, users).Select(i => new UserShare(string.Create(CultureInfo.InvariantCulture, $"u{i:D3}"), (ushort)(firstPort + i))).ToArray();
    }
}
