using NetServ.Contracts.Status;
using NetServ.Node.Forwarding;
using NetServ.Sdk;
using NetServ.Sdk.Packaging;
using NetServ.Signaling.Nslp;

namespace NetServ.Node.Control;

/// <summary>An installed module in the controller's registry: what was asked, where it lives, when it expires.</summary>
internal sealed class ModuleRecord
{
    public required string User { get; init; }

    public required ModuleName Name { get; init; }

    public required Uri Url { get; init; }

    public required string Digest { get; init; }

    public required ModulePackageInfo Package { get; init; }

    public required string CodeDirectory { get; init; }

    public required string DataDirectory { get; init; }

    public PacketFilter? Filter { get; init; }

    public IReadOnlyList<FilterRule> Rules { get; init; } = [];

    public ModuleProperties Properties { get; init; } = ModuleProperties.Empty;

    public IReadOnlyList<string> Dependencies { get; init; } = [];

    /// <summary>The ports the module's servers may listen on, as the install policy granted them; sent with every install in the container.</summary>
    public IReadOnlyList<int> AllowedPorts { get; init; } = [];

    public required string Origin { get; init; }

    /// <summary>Installation order within the node, for reinstalling in the same order.</summary>
    public long Sequence { get; init; }

    public DateTimeOffset InstalledAt { get; init; }

    public DateTimeOffset RefreshedAt { get; set; }

    public TimeSpan Ttl { get; set; }

    public DateTimeOffset ExpiresAt => RefreshedAt + Ttl;

    public ITimer? ExpiryTimer { get; set; }

    /// <summary>The module as status and PROBE show it, without its container's view of it.</summary>
    public ModuleStatus Describe(DateTimeOffset now) => new()
    {
        Name = Name.ToString(),
        User = User,
        Url = Url.ToString(),
        Digest = Digest,
        EntryType = Package.EntryType,
        Filter = Filter?.ToString(),
        Rules = Rules.Count,
        Properties = Properties.Format(),
        Dependencies = string.Join(",", Dependencies),
        Origin = Origin,
        InstalledAt = InstalledAt,
        ExpiresAt = ExpiresAt,
        ExpiresInSeconds = Math.Max(0, (int)(ExpiresAt - now).TotalSeconds),
    };
}
