using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Geni.Credentials;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.LocalAggregate;

/// <summary>
/// The GENI AM API v3 over an <see cref="XmlRpcServer"/>: reads each method's arguments, checks the
/// credentials (signature, trusted signer, expiry, owner the TLS client, privilege), calls the
/// <see cref="AggregateManager"/>, and answers with the v3 return struct
/// <c>{code: {geni_code, am_type, am_code}, value, output}</c>. A refusal is such a struct with its code, never a fault.
/// </summary>
public sealed partial class AmApiV3Dispatcher
{
    private const string AmType = "netserv";

    // The operations the reference aggregate (gcf am3.py) maps each call to, as credentials name privileges.
    private const string CreateSliver = "createsliver";
    private const string DeleteSlice = "deleteslice";
    private const string SliverStatusPrivilege = "getsliceresources";
    private const string RenewSliver = "renewsliver";
    private const string ShutdownPrivilege = "shutdown";

    private readonly AggregateManager manager;
    private readonly CredentialVerifier verifier;
    private readonly ILogger logger;

    public AmApiV3Dispatcher(AggregateManager manager, CredentialVerifier verifier, ILogger<AmApiV3Dispatcher>? logger = null)
    {
        this.manager = manager;
        this.verifier = verifier;
        this.logger = logger ?? NullLogger<AmApiV3Dispatcher>.Instance;
    }

    /// <summary>Registers the v3 methods on <paramref name="server"/>.</summary>
    public XmlRpcServer Register(XmlRpcServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return server
            .Register("GetVersion", (call, _) => Task.FromResult(GetVersion()))
            .Register("ListResources", (call, token) => Answer(call, () => ListResourcesAsync(call, token)))
            .Register("Describe", (call, token) => Answer(call, () => DescribeAsync(call, token)))
            .Register("Allocate", (call, token) => Answer(call, () => AllocateAsync(call, token)))
            .Register("Provision", (call, token) => Answer(call, () => ProvisionAsync(call, token)))
            .Register("Status", (call, token) => Answer(call, () => StatusAsync(call, token)))
            .Register("Renew", (call, token) => Answer(call, () => RenewAsync(call, token)))
            .Register("PerformOperationalAction", (call, token) => Answer(call, () => ActAsync(call, token)))
            .Register("Delete", (call, token) => Answer(call, () => DeleteAsync(call, token)))
            .Register("Shutdown", (call, token) => Answer(call, () => ShutdownAsync(call, token)));
    }

    /// <summary>GetVersion's answer: <c>geni_api</c> 3 at the top level (clients refuse an answer without it) and in the value.</summary>
    internal XmlRpcValue GetVersion()
    {
        var options = manager.Options;
        XmlRpcStruct RspecVersion(string schema) => new()
        {
            { "type", "GENI" },
            { "version", "3" },
            { "schema", schema },
            { "namespace", AggregateRSpecs.Rspec3.NamespaceName },
            { "extensions", new XmlRpcArray() },
        };
        var value = new XmlRpcStruct
        {
            { "geni_api", 3 },
            { "geni_api_versions", new XmlRpcStruct { { "3", options.Url.ToString() } } },
            { "geni_request_rspec_versions", new XmlRpcArray(RspecVersion(AggregateRSpecs.RequestSchema)) },
            { "geni_ad_rspec_versions", new XmlRpcArray(RspecVersion(AggregateRSpecs.AdSchema)) },
            { "geni_credential_types", new XmlRpcArray(new XmlRpcStruct { { "geni_type", GeniCredential.GeniType }, { "geni_version", GeniCredential.GeniVersion } }) },
            { "geni_single_allocation", false },
            { "geni_allocate", "geni_many" },
            { "geni_am_type", AmType },
            { "geni_am_urn", options.AggregateUrn },
        };
        var answer = Success(value);
        answer.Add("geni_api", 3);
        return answer;
    }

    private async Task<XmlRpcValue> ListResourcesAsync(XmlRpcCallContext call, CancellationToken token)
    {
        var credentials = Credentials(call, 0);
        var options = Options(call, 1);
        Authorize(call, credentials, null, null);
        CheckRspecVersion(options, required: true);
        var advertisement = await manager.ListResourcesAsync(Flag(options, "geni_available"), token).ConfigureAwait(false);
        return Success(Flag(options, "geni_compressed") ? AggregateRSpecs.Compress(advertisement) : advertisement);
    }

    private async Task<XmlRpcValue> DescribeAsync(XmlRpcCallContext call, CancellationToken token)
    {
        var (urns, credentials, options) = (Urns(call), Credentials(call, 1), Options(call, 2));
        await AuthorizeForAsync(call, urns, credentials, SliverStatusPrivilege, token).ConfigureAwait(false);
        CheckRspecVersion(options, required: true);
        var answer = await manager.DescribeAsync(urns, token).ConfigureAwait(false);
        var manifest = answer.Manifest!;
        return Success(new XmlRpcStruct
        {
            { "geni_rspec", Flag(options, "geni_compressed") ? AggregateRSpecs.Compress(manifest) : manifest },
            { "geni_urn", answer.SliceUrn },
            { "geni_slivers", Slivers(answer.Slivers) },
        });
    }

    private async Task<XmlRpcValue> AllocateAsync(XmlRpcCallContext call, CancellationToken token)
    {
        var sliceUrn = Parameter(call, 0, "slice_urn").AsString();
        var credentials = Credentials(call, 1);
        var rspec = Parameter(call, 2, "rspec").AsString();
        var options = Options(call, 3);
        var credential = Authorize(call, credentials, sliceUrn, CreateSliver);
        var answer = await manager.AllocateAsync(sliceUrn, rspec, credential.Expires, Time(options, "geni_end_time"), token).ConfigureAwait(false);
        return Success(new XmlRpcStruct { { "geni_rspec", answer.Manifest! }, { "geni_slivers", Slivers(answer.Slivers) } });
    }

    private async Task<XmlRpcValue> ProvisionAsync(XmlRpcCallContext call, CancellationToken token)
    {
        var (urns, credentials, options) = (Urns(call), Credentials(call, 1), Options(call, 2));
        var credential = await AuthorizeForAsync(call, urns, credentials, CreateSliver, token).ConfigureAwait(false);
        CheckRspecVersion(options, required: false);
        var answer = await manager.ProvisionAsync(urns, credential.Expires, Time(options, "geni_end_time"), Users(options), token).ConfigureAwait(false);
        return Success(new XmlRpcStruct { { "geni_rspec", answer.Manifest! }, { "geni_slivers", Slivers(answer.Slivers) } });
    }

    private async Task<XmlRpcValue> StatusAsync(XmlRpcCallContext call, CancellationToken token)
    {
        var (urns, credentials) = (Urns(call), Credentials(call, 1));
        await AuthorizeForAsync(call, urns, credentials, SliverStatusPrivilege, token).ConfigureAwait(false);
        var answer = await manager.StatusAsync(urns, token).ConfigureAwait(false);
        return Success(new XmlRpcStruct { { "geni_urn", answer.SliceUrn }, { "geni_slivers", Slivers(answer.Slivers) } });
    }

    private async Task<XmlRpcValue> RenewAsync(XmlRpcCallContext call, CancellationToken token)
    {
        var (urns, credentials) = (Urns(call), Credentials(call, 1));
        var requested = TimeOf(Parameter(call, 2, "expiration_time"), "expiration_time");
        var credential = await AuthorizeForAsync(call, urns, credentials, RenewSliver, token).ConfigureAwait(false);
        return Success(Slivers(await manager.RenewAsync(urns, requested, credential.Expires, token).ConfigureAwait(false)));
    }

    private async Task<XmlRpcValue> ActAsync(XmlRpcCallContext call, CancellationToken token)
    {
        var (urns, credentials) = (Urns(call), Credentials(call, 1));
        var action = Parameter(call, 2, "action").AsString();
        var options = Options(call, 3);
        await AuthorizeForAsync(call, urns, credentials, CreateSliver, token).ConfigureAwait(false);
        return Success(Slivers(await manager.PerformOperationalActionAsync(urns, action, Flag(options, "geni_best_effort"), token).ConfigureAwait(false)));
    }

    private async Task<XmlRpcValue> DeleteAsync(XmlRpcCallContext call, CancellationToken token)
    {
        var (urns, credentials) = (Urns(call), Credentials(call, 1));
        await AuthorizeForAsync(call, urns, credentials, DeleteSlice, token).ConfigureAwait(false);
        return Success(Slivers(await manager.DeleteAsync(urns, token).ConfigureAwait(false)));
    }

    private async Task<XmlRpcValue> ShutdownAsync(XmlRpcCallContext call, CancellationToken token)
    {
        var sliceUrn = Parameter(call, 0, "slice_urn").AsString();
        Authorize(call, Credentials(call, 1), sliceUrn, ShutdownPrivilege);
        await manager.ShutdownAsync(sliceUrn, token).ConfigureAwait(false);
        return Success(true);
    }

    /// <summary>Runs a method, turning its refusal into the v3 error struct.</summary>
    private async Task<XmlRpcValue> Answer(XmlRpcCallContext call, Func<Task<XmlRpcValue>> method)
    {
        try
        {
            return await method().ConfigureAwait(false);
        }
        catch (AggregateRefusalException e)
        {
            Log.Refused(logger, call.MethodName, (int)e.Code, e.Message);
            return Error(e.Code, $"{call.MethodName}: {e.Message}");
        }
        catch (XmlRpcTypeException e)
        {
            Log.Refused(logger, call.MethodName, (int)GeniCode.BADARGS, e.Message);
            return Error(GeniCode.BADARGS, $"{call.MethodName}: bad arguments: {e.Message}");
        }
    }

    /// <summary>The credentials checked against the slice the URNs name.</summary>
    private async Task<GeniCredential> AuthorizeForAsync(XmlRpcCallContext call, IReadOnlyList<string> urns, IReadOnlyList<string> credentials, string privilege, CancellationToken token)
    {
        // Credentials first where the URN is the slice itself, so a stranger learns nothing of which slices are here.
        if (urns.Count > 0 && GeniUrn.TryParse(urns[0]) is { Type: "slice" })
        {
            var credential = Authorize(call, credentials, urns[0], privilege);
            await manager.SliceOfAsync(urns, token).ConfigureAwait(false);
            return credential;
        }

        return Authorize(call, credentials, await manager.SliceOfAsync(urns, token).ConfigureAwait(false), privilege);
    }

    private GeniCredential Authorize(XmlRpcCallContext call, IReadOnlyList<string> credentials, string? targetUrn, string? privilege)
    {
        if (call.ClientCertificate is not { } caller)
        {
            throw new AggregateRefusalException(GeniCode.FORBIDDEN, "the connection has no client certificate: the AM API is called with the user's GENI certificate");
        }

        var check = verifier.VerifyAny(credentials, caller, targetUrn, privilege);
        return check.Refusal is { } refusal
            ? throw new AggregateRefusalException((GeniCode)(int)refusal, check.Message)
            : check.Credential!;
    }

    private static XmlRpcStruct Success(XmlRpcValue value) => new()
    {
        { "code", new XmlRpcStruct { { "geni_code", (int)GeniCode.SUCCESS }, { "am_type", AmType }, { "am_code", 0 } } },
        { "value", value },
        { "output", "" },
    };

    private static XmlRpcStruct Error(GeniCode code, string output) => new()
    {
        { "code", new XmlRpcStruct { { "geni_code", (int)code }, { "am_type", AmType } } },
        { "value", "" },
        { "output", output },
    };

    private static XmlRpcArray Slivers(IReadOnlyList<SliverStatus> slivers) => new([.. slivers.Select(s => (XmlRpcValue)new XmlRpcStruct
    {
        { "geni_sliver_urn", s.SliverUrn },
        { "geni_expires", Rfc3339(s.Expires) },
        { "geni_allocation_status", s.AllocationStatus },
        { "geni_operational_status", s.OperationalStatus },
        { "geni_error", s.Error },
    })]);

    internal static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static XmlRpcValue Parameter(XmlRpcCallContext call, int index, string name)
        => index < call.Parameters.Count ? call.Parameters[index] : throw new AggregateRefusalException(GeniCode.BADARGS, $"the argument {name} (number {index + 1}) is missing");

    private static IReadOnlyList<string> Urns(XmlRpcCallContext call) => [.. Parameter(call, 0, "urns").AsArray().Select(u => u.AsString())];

    /// <summary>The credential list: <c>{geni_type: geni_sfa, geni_version, geni_value}</c> structs (v3) or bare documents (v2 clients).</summary>
    private static IReadOnlyList<string> Credentials(XmlRpcCallContext call, int index)
        => [.. Parameter(call, index, "credentials").AsArray().Select(c => c switch
        {
            XmlRpcString s => s.Value,
            XmlRpcStruct s when string.Equals(s.GetStringOrNull("geni_type"), GeniCredential.GeniType, StringComparison.OrdinalIgnoreCase) => s.GetString("geni_value"),
            XmlRpcStruct => null,
            _ => throw new AggregateRefusalException(GeniCode.BADARGS, $"a credential is a {c.TypeName}; give structs {{geni_type, geni_version, geni_value}}"),
        }).OfType<string>()];

    private static XmlRpcStruct Options(XmlRpcCallContext call, int index)
        => index < call.Parameters.Count && !call.Parameters[index].IsNil ? call.Parameters[index].AsStruct() : [];

    private static bool Flag(XmlRpcStruct options, string name)
        => options.TryGetValue(name, out var value) && value switch
        {
            XmlRpcBoolean b => b.Value,
            XmlRpcInt i => i.Value != 0,
            XmlRpcString s => s.Value is "1" or "true" or "True",
            _ => false,
        };

    private static void CheckRspecVersion(XmlRpcStruct options, bool required)
    {
        if (!options.TryGetValue("geni_rspec_version", out var value))
        {
            if (required)
            {
                throw new AggregateRefusalException(GeniCode.BADARGS, "the option geni_rspec_version is missing; give {type: GENI, version: 3}");
            }

            return;
        }

        var version = value.AsStruct();
        var (type, number) = (version.GetString("type"), version["version"].ToString());
        if (!string.Equals(type.Trim(), "GENI", StringComparison.OrdinalIgnoreCase) || number.Trim() != "3")
        {
            throw new AggregateRefusalException(GeniCode.BADVERSION, $"rspec {type} version {number} is not one this aggregate writes; it writes GENI version 3");
        }
    }

    private static DateTimeOffset? Time(XmlRpcStruct options, string name)
        => options.TryGetValue(name, out var value) && !value.IsNil ? TimeOf(value, name) : null;

    /// <summary>A time as clients send it: an RFC 3339 string, or an XML-RPC dateTime (UTC when it says no zone).</summary>
    private static DateTimeOffset TimeOf(XmlRpcValue value, string name) => value switch
    {
        XmlRpcDateTime d => new DateTimeOffset(DateTime.SpecifyKind(d.Value, DateTimeKind.Utc)),
        XmlRpcString s when DateTimeOffset.TryParse(s.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) => t,
        _ => throw new AggregateRefusalException(GeniCode.BADARGS, $"{name} is {value.Describe()}, not a time (RFC 3339, such as 2026-12-06T12:00:00Z)"),
    };

    /// <summary><c>geni_users</c>: <c>[{urn, keys: [...]}]</c>.</summary>
    private static IReadOnlyList<SliverUser> Users(XmlRpcStruct options)
        => options.TryGetValue("geni_users", out var users)
            ? [.. users.AsArray().Select(u => u.AsStruct()).Select(u => new SliverUser(u.GetString("urn"), [.. u.GetArray("keys").Select(k => k.AsString())]))]
            : [];

    private static partial class Log
    {
        [LoggerMessage(EventId = 3541, Level = LogLevel.Information, Message = "{Method} refused with GENI code {Code}: {Reason}")]
        public static partial void Refused(ILogger logger, string method, int code, string reason);
    }
}
