using System.Globalization;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.AmApi;

/// <summary>
/// A credential as the AM API v3 passes it: <c>{geni_type, geni_version, geni_value}</c>
/// (http://groups.geni.net/geni/wiki/GAPI_AM_API_V3/CommonConcepts#credentials).
/// </summary>
/// <param name="Type">The credential's type, <c>geni_sfa</c> for the signed XML credentials of GENI clearinghouses.</param>
/// <param name="Version">The type's version: <c>3</c> for SFA credentials.</param>
/// <param name="Value">The credential itself: for SFA, the signed XML document.</param>
public sealed record AmCredential(string Type, string Version, string Value)
{
    /// <summary>An SFA credential (a user or slice credential from a clearinghouse), <c>geni_sfa</c> version 3.</summary>
    public static AmCredential Sfa(string signedXml) => new("geni_sfa", "3", signedXml);

    internal XmlRpcStruct ToXmlRpc() => new() { { "geni_type", Type }, { "geni_version", Version }, { "geni_value", Value } };
}

/// <summary>A user to give login to at Provision (<c>geni_users</c>): the user's URN and SSH public keys.</summary>
/// <param name="Urn">The user's URN (<c>urn:publicid:IDN+emulab.net+user+alice</c>).</param>
/// <param name="Keys">SSH public keys in OpenSSH's one-line form.</param>
public sealed record AmUser(string Urn, IReadOnlyList<string> Keys);

/// <summary>An rspec format as GetVersion lists them and <c>geni_rspec_version</c> asks for one.</summary>
/// <param name="Type">The format's type (<c>GENI</c>; compared without case).</param>
/// <param name="Version">Its version (<c>3</c>).</param>
public sealed record RSpecVersion(string Type, string Version)
{
    /// <summary>GENI RSpec version 3, the one every compliant aggregate speaks.</summary>
    public static RSpecVersion Geni3 { get; } = new("GENI", "3");

    internal XmlRpcStruct ToXmlRpc() => new() { { "type", Type }, { "version", Version } };
}

/// <summary>The operational actions every aggregate knows (PerformOperationalAction's <c>action</c>).</summary>
public enum OperationalAction
{
    /// <summary><c>geni_start</c>: boot the provisioned resources.</summary>
    Start,

    /// <summary><c>geni_restart</c>: reboot them.</summary>
    Restart,

    /// <summary><c>geni_stop</c>: stop them, keeping the reservation.</summary>
    Stop,
}

/// <summary>
/// The AM API v3 method calls, argument by argument as the API defines them
/// (http://groups.geni.net/geni/wiki/GAPI_AM_API_V3, "Method signatures", and the options of
/// http://groups.geni.net/geni/wiki/GAPI_AM_API_V3/CommonConcepts). Every method but GetVersion takes
/// <c>credentials</c> (an array of <see cref="AmCredential"/> structs) and ends with an <c>options</c>
/// struct; times are RFC 3339 strings in UTC. No I/O: calls in, <see cref="XmlRpcMethodCall"/> out.
/// </summary>
internal static class AmApiRequests
{
    /// <summary><c>GetVersion(struct options)</c>.</summary>
    public static XmlRpcMethodCall GetVersion() => new("GetVersion", [new XmlRpcStruct()]);

    /// <summary><c>ListResources(credentials, options{geni_rspec_version, geni_available, geni_compressed})</c>: the advertisement.</summary>
    public static XmlRpcMethodCall ListResources(IReadOnlyList<AmCredential> credentials, bool availableOnly, bool compressed, RSpecVersion? version = null)
        => new("ListResources", [Credentials(credentials), Options(version ?? RSpecVersion.Geni3, compressed: compressed, available: availableOnly)]);

    /// <summary><c>Describe(urns, credentials, options{geni_rspec_version, geni_compressed})</c>: the manifest of a slice or of slivers.</summary>
    public static XmlRpcMethodCall Describe(IReadOnlyList<string> urns, IReadOnlyList<AmCredential> credentials, bool compressed, RSpecVersion? version = null)
        => new("Describe", [Urns(urns), Credentials(credentials), Options(version ?? RSpecVersion.Geni3, compressed: compressed)]);

    /// <summary><c>Allocate(slice_urn, credentials, rspec, options{geni_end_time})</c>.</summary>
    public static XmlRpcMethodCall Allocate(string sliceUrn, IReadOnlyList<AmCredential> credentials, string requestRSpec, DateTimeOffset? endTime)
    {
        ArgumentException.ThrowIfNullOrEmpty(sliceUrn);
        ArgumentException.ThrowIfNullOrEmpty(requestRSpec);
        return new("Allocate", [sliceUrn, Credentials(credentials), requestRSpec, Options(endTime: endTime)]);
    }

    /// <summary><c>Renew(urns, credentials, expiration_time, options{geni_best_effort, geni_extend_alap})</c>.</summary>
    public static XmlRpcMethodCall Renew(IReadOnlyList<string> urns, IReadOnlyList<AmCredential> credentials, DateTimeOffset expiration, bool bestEffort, bool extendAsLongAsPossible = false)
    {
        var options = Options(bestEffort: bestEffort);
        if (extendAsLongAsPossible)
        {
            options.Add("geni_extend_alap", true);
        }

        return new("Renew", [Urns(urns), Credentials(credentials), Rfc3339(expiration), options]);
    }

    /// <summary><c>Provision(urns, credentials, options{geni_rspec_version, geni_best_effort, geni_end_time, geni_users})</c>.</summary>
    public static XmlRpcMethodCall Provision(IReadOnlyList<string> urns, IReadOnlyList<AmCredential> credentials, IReadOnlyList<AmUser> users, bool bestEffort, DateTimeOffset? endTime, RSpecVersion? version = null)
    {
        ArgumentNullException.ThrowIfNull(users);
        var options = Options(version ?? RSpecVersion.Geni3, bestEffort: bestEffort, endTime: endTime);
        options.Add("geni_users", new XmlRpcArray(users.Select(u => (XmlRpcValue)new XmlRpcStruct
        {
            { "urn", u.Urn },
            { "keys", new XmlRpcArray(u.Keys.Select(k => (XmlRpcValue)k).ToArray()) },
        }).ToArray()));
        return new("Provision", [Urns(urns), Credentials(credentials), options]);
    }

    /// <summary><c>Status(urns, credentials, options)</c>.</summary>
    public static XmlRpcMethodCall Status(IReadOnlyList<string> urns, IReadOnlyList<AmCredential> credentials)
        => new("Status", [Urns(urns), Credentials(credentials), new XmlRpcStruct()]);

    /// <summary><c>PerformOperationalAction(urns, credentials, action, options{geni_best_effort})</c>.</summary>
    public static XmlRpcMethodCall PerformOperationalAction(IReadOnlyList<string> urns, IReadOnlyList<AmCredential> credentials, OperationalAction action, bool bestEffort)
        => new("PerformOperationalAction", [Urns(urns), Credentials(credentials), ActionName(action), Options(bestEffort: bestEffort)]);

    /// <summary><c>Delete(urns, credentials, options{geni_best_effort})</c>.</summary>
    public static XmlRpcMethodCall Delete(IReadOnlyList<string> urns, IReadOnlyList<AmCredential> credentials, bool bestEffort)
        => new("Delete", [Urns(urns), Credentials(credentials), Options(bestEffort: bestEffort)]);

    /// <summary><c>Shutdown(slice_urn, credentials, options)</c>: an operator's emergency stop of a slice.</summary>
    public static XmlRpcMethodCall Shutdown(string sliceUrn, IReadOnlyList<AmCredential> credentials)
    {
        ArgumentException.ThrowIfNullOrEmpty(sliceUrn);
        return new("Shutdown", [sliceUrn, Credentials(credentials), new XmlRpcStruct()]);
    }

    /// <summary>The action's name on the wire.</summary>
    public static string ActionName(OperationalAction action) => action switch
    {
        OperationalAction.Start => "geni_start",
        OperationalAction.Restart => "geni_restart",
        OperationalAction.Stop => "geni_stop",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "not an operational action"),
    };

    /// <summary>A time as the API writes them: RFC 3339 in UTC, to the second (<c>2026-12-06T14:00:00Z</c>).</summary>
    public static string Rfc3339(DateTimeOffset time)
        => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static XmlRpcArray Credentials(IReadOnlyList<AmCredential> credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return new XmlRpcArray(credentials.Select(c => (XmlRpcValue)c.ToXmlRpc()).ToArray());
    }

    private static XmlRpcArray Urns(IReadOnlyList<string> urns)
    {
        ArgumentNullException.ThrowIfNull(urns);
        if (urns.Count == 0)
        {
            throw new ArgumentException("name the slice or at least one sliver", nameof(urns));
        }

        return new XmlRpcArray(urns.Select(u => (XmlRpcValue)u).ToArray());
    }

    // Options the caller leaves at their defaults are not sent: aggregates that do not know an
    // option must ignore it, but not all do, and the defaults are the API's own.
    private static XmlRpcStruct Options(RSpecVersion? version = null, bool compressed = false, bool available = false, bool bestEffort = false, DateTimeOffset? endTime = null)
    {
        var options = new XmlRpcStruct();
        if (version is not null)
        {
            options.Add("geni_rspec_version", version.ToXmlRpc());
        }

        if (available)
        {
            options.Add("geni_available", true);
        }

        if (compressed)
        {
            options.Add("geni_compressed", true);
        }

        if (bestEffort)
        {
            options.Add("geni_best_effort", true);
        }

        if (endTime is { } end)
        {
            options.Add("geni_end_time", Rfc3339(end));
        }

        return options;
    }
}
