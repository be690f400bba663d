using NetServ.Geni.Credentials;

namespace NetServ.Geni.LocalAggregate;

/// <summary>What the local aggregate manager gives and for how long; plain defaults, checked by <see cref="Validate"/>.</summary>
public sealed record AggregateOptions
{
    /// <summary>The authority part of the aggregate's URNs: <c>urn:publicid:IDN+netserv.local+authority+cm</c>, its nodes and slivers.</summary>
    public string AuthorityName { get; init; } = "netserv.local";

    /// <summary>The URL clients reach the aggregate at, as GetVersion names it in <c>geni_api_versions</c>.</summary>
    public Uri Url { get; init; } = new("https://127.0.0.1:12369/protogeni/xmlrpc/am/3.0");

    /// <summary>How many nodes the aggregate can give at once, all slices together.</summary>
    public int NodeCount { get; init; } = 16;

    /// <summary>The sliver type of the nodes it advertises.</summary>
    public string SliverType { get; init; } = "docker-container";

    /// <summary>The disk image its nodes boot.</summary>
    public string DiskImage { get; init; } = "netserv/node";

    /// <summary>How long an allocation is held before it must be provisioned (the reference aggregate holds one 10 minutes).</summary>
    public TimeSpan AllocationLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a provisioned sliver lasts unless renewed.</summary>
    public TimeSpan SliverLifetime { get; init; } = TimeSpan.FromHours(6);

    /// <summary>The latest a sliver may be renewed to, from now (the reference aggregate allows 7 days).</summary>
    public TimeSpan MaxLease { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How often the aggregate looks for expired slivers between calls.</summary>
    public TimeSpan ExpiryScanInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Where slices are kept across restarts (one JSON file per slice).</summary>
    public string StateDirectory { get; init; } = "/var/lib/netserv-am";

    /// <summary>The trust directory: the roots whose credentials the aggregate believes (<see cref="TrustRoots.LoadDirectory"/>).</summary>
    public string TrustDirectory { get; init; } = "/etc/netserv-am/trusted_roots";

    /// <summary>The aggregate's own URN (<c>component_manager_id</c>).</summary>
    public string AggregateUrn => new GeniUrn(AuthorityName, "authority", "cm").ToString();

    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (NodeCount < 1)
        {
            throw new ArgumentException($"the aggregate must give at least one node (NodeCount is {NodeCount})");
        }

        if (AllocationLifetime <= TimeSpan.Zero || SliverLifetime <= TimeSpan.Zero || MaxLease < SliverLifetime)
        {
            throw new ArgumentException($"lifetimes must be positive and MaxLease ({MaxLease}) at least SliverLifetime ({SliverLifetime})");
        }

        if (ExpiryScanInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"ExpiryScanInterval must be positive, not {ExpiryScanInterval}");
        }

        ArgumentException.ThrowIfNullOrEmpty(StateDirectory);
        ArgumentException.ThrowIfNullOrEmpty(AuthorityName);
    }
}
