using System.Diagnostics.CodeAnalysis;
using NetServ.RSpec;

namespace NetServ.Geni.AmApi;

/// <summary>What GetVersion says about an aggregate (the <c>value</c> struct of its answer).</summary>
/// <param name="Api">The AM API version of the URL called (<c>geni_api</c>).</param>
/// <param name="ApiVersions">Each API version the aggregate speaks and its URL (<c>geni_api_versions</c>).</param>
/// <param name="RequestRSpecVersions">The request rspec formats it reads (<c>geni_request_rspec_versions</c>).</param>
/// <param name="AdRSpecVersions">The advertisement formats it writes (<c>geni_ad_rspec_versions</c>).</param>
/// <param name="CredentialTypes">The credential types it accepts (<c>geni_credential_types</c>); empty when it does not say.</param>
/// <param name="SingleAllocation">Whether slivers must be allocated, provisioned and deleted all together (<c>geni_single_allocation</c>).</param>
/// <param name="Allocate">Whether Allocate may be called again on a slice that has slivers here (<c>geni_allocate</c>).</param>
public sealed record AmVersion(
    int Api,
    IReadOnlyDictionary<string, string> ApiVersions,
    IReadOnlyList<RSpecVersionInfo> RequestRSpecVersions,
    IReadOnlyList<RSpecVersionInfo> AdRSpecVersions,
    IReadOnlyList<AmCredentialType> CredentialTypes,
    bool SingleAllocation,
    AllocateMode Allocate)
{
    /// <summary>Whether the aggregate reads <paramref name="version"/> requests (type and version compared without case).</summary>
    public bool AcceptsRequests(RSpecVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return RequestRSpecVersions.Any(v => string.Equals(v.Type, version.Type, StringComparison.OrdinalIgnoreCase)
            && string.Equals(v.Version, version.Version, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>An rspec format an aggregate lists in GetVersion.</summary>
/// <param name="Type">The type (<c>GENI</c>).</param>
/// <param name="Version">The version (<c>3</c>).</param>
/// <param name="Schema">The schema's URL, when given.</param>
/// <param name="Namespace">The format's XML namespace, when given.</param>
/// <param name="Extensions">The namespaces of the extensions it understands.</param>
public sealed record RSpecVersionInfo(string Type, string Version, string? Schema, string? Namespace, IReadOnlyList<string> Extensions);

/// <summary>A credential type an aggregate accepts (<c>geni_credential_types</c>), as <see cref="AmCredential"/> names it.</summary>
/// <param name="Type">The type (<c>geni_sfa</c>).</param>
/// <param name="Version">Its version (<c>3</c>).</param>
public sealed record AmCredentialType(string Type, string Version);

/// <summary>The values of <c>geni_allocate</c>.</summary>
public enum AllocateMode
{
    /// <summary><c>geni_single</c> (the default): one Allocate per slice until its slivers are deleted.</summary>
    GeniSingle,

    /// <summary><c>geni_disjoint</c>: more Allocates, each with its own rspec of new resources.</summary>
    GeniDisjoint,

    /// <summary><c>geni_many</c>: more Allocates, also of resources tied to those already there.</summary>
    GeniMany,
}

/// <summary>A sliver's allocation state (<c>geni_allocation_status</c>).</summary>
public enum AllocationState
{
    /// <summary>A value the API does not define; <see cref="AmSliver.AllocationStatus"/> has it.</summary>
    Other,

    /// <summary><c>geni_unallocated</c>: released (deleted or expired).</summary>
    Unallocated,

    /// <summary><c>geni_allocated</c>: reserved, not yet provisioned.</summary>
    Allocated,

    /// <summary><c>geni_provisioned</c>: instantiated.</summary>
    Provisioned,
}

/// <summary>A sliver's operational state (<c>geni_operational_status</c>): the API's own values; aggregates may add more.</summary>
public enum OperationalState
{
    /// <summary>A value the API does not define (or none); <see cref="AmSliver.OperationalStatus"/> has it.</summary>
    Other,

    /// <summary><c>geni_pending_allocation</c>: allocated, not yet provisioned.</summary>
    PendingAllocation,

    /// <summary><c>geni_notready</c>: provisioned, not started.</summary>
    NotReady,

    /// <summary><c>geni_configuring</c>: booting or being set up.</summary>
    Configuring,

    /// <summary><c>geni_stopping</c>: on its way to <see cref="NotReady"/>.</summary>
    Stopping,

    /// <summary><c>geni_ready</c>: up.</summary>
    Ready,

    /// <summary><c>geni_ready_busy</c>: up, and busy with an operational action.</summary>
    ReadyBusy,

    /// <summary><c>geni_failed</c>: failed; <see cref="AmSliver.Error"/> usually says why.</summary>
    Failed,
}

/// <summary>One sliver as Allocate, Provision, Status, Renew, PerformOperationalAction and Delete list them.</summary>
/// <param name="Urn">The sliver's URN (<c>geni_sliver_urn</c>).</param>
/// <param name="AllocationStatus">Its allocation state as sent (<c>geni_allocation_status</c>).</param>
/// <param name="OperationalStatus">Its operational state as sent (<c>geni_operational_status</c>), or <see langword="null"/> where the answer has none (Allocate, Delete).</param>
/// <param name="Expires">When it expires (<c>geni_expires</c>), when said.</param>
/// <param name="Error">Why it failed (<c>geni_error</c>), when it did; <see langword="null"/> when empty.</param>
public sealed record AmSliver(string Urn, string AllocationStatus, string? OperationalStatus, DateTimeOffset? Expires, string? Error)
{
    public AllocationState Allocation => AllocationStatus switch
    {
        "geni_unallocated" => AllocationState.Unallocated,
        "geni_allocated" => AllocationState.Allocated,
        "geni_provisioned" => AllocationState.Provisioned,
        _ => AllocationState.Other,
    };

    public OperationalState Operational => OperationalStatus switch
    {
        "geni_pending_allocation" => OperationalState.PendingAllocation,
        "geni_notready" => OperationalState.NotReady,
        "geni_configuring" => OperationalState.Configuring,
        "geni_stopping" => OperationalState.Stopping,
        "geni_ready" => OperationalState.Ready,
        "geni_ready_busy" => OperationalState.ReadyBusy,
        "geni_failed" => OperationalState.Failed,
        _ => OperationalState.Other,
    };
}

/// <summary>What Allocate, Provision and Describe answer: a manifest and the slivers it covers.</summary>
/// <param name="RSpec">The manifest rspec (<c>geni_rspec</c>), decompressed.</param>
/// <param name="SliceUrn">The slice (<c>geni_urn</c>; Describe only).</param>
/// <param name="Slivers">The slivers (<c>geni_slivers</c>).</param>
public sealed record AmManifestResult(string RSpec, string? SliceUrn, IReadOnlyList<AmSliver> Slivers)
{
    /// <summary>Reads <see cref="RSpec"/> as a manifest: each node's login and addresses.</summary>
    public bool TryReadManifest([NotNullWhen(true)] out ManifestRSpec? manifest, [NotNullWhen(false)] out RSpecError? error)
        => ManifestReader.TryRead(RSpec, out manifest, out error);
}

/// <summary>What Status answers.</summary>
/// <param name="SliceUrn">The slice (<c>geni_urn</c>).</param>
/// <param name="Slivers">Its slivers here, with their states (<c>geni_slivers</c>).</param>
public sealed record AmSliceStatus(string SliceUrn, IReadOnlyList<AmSliver> Slivers);
