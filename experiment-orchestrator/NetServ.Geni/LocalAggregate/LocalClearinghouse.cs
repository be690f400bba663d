using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Geni.Authority;
using NetServ.Geni.Clearinghouse;
using NetServ.Geni.Credentials;
using NetServ.Geni.Identity;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.LocalAggregate;

/// <summary>A slice the local slice authority made.</summary>
/// <param name="Urn">Its URN.</param>
/// <param name="Name">Its name.</param>
/// <param name="Owner">The URN of the user who made it, the only one it gives the slice's credential to.</param>
/// <param name="Created">When it was made.</param>
/// <param name="Expires">When it ends.</param>
public sealed record AuthoritySlice(string Urn, string Name, string Owner, DateTimeOffset Created, DateTimeOffset Expires);

/// <summary>
/// The clearinghouse of the local authority, served by netserv-am beside its aggregate so that a GENI
/// client gets its credentials as it would from CloudLab's: the Common Federation API v2's member
/// authority (<c>get_credentials</c> of a user) and slice authority (<c>create("SLICE")</c>,
/// <c>get_credentials</c> and <c>lookup</c> of a slice), and ProtoGENI's slice authority
/// (<c>GetCredential</c>, <c>Resolve</c>, <c>Register</c>). The caller is the TLS client certificate
/// (already chained to the trust directory); a slice's credential goes to its owner only. Slices are
/// kept in one JSON file of the state directory, so they survive a restart.
/// </summary>
public sealed partial class LocalClearinghouse
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private readonly LocalAuthority authority;
    private readonly TimeProvider time;
    private readonly string stateFile;
    private readonly TimeSpan sliceLifetime;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private readonly Dictionary<string, AuthoritySlice> slices;

    /// <param name="authority">The authority that signs the credentials (with its private key).</param>
    /// <param name="stateDirectory">Where the slices are kept.</param>
    /// <param name="time">For creation and expiry.</param>
    /// <param name="sliceLifetime">How long a new slice lasts (7 days when not given).</param>
    /// <param name="logger">Where it says what it made and refused.</param>
    public LocalClearinghouse(LocalAuthority authority, string stateDirectory, TimeProvider time, TimeSpan? sliceLifetime = null, ILogger<LocalClearinghouse>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        this.authority = authority;
        this.time = time;
        this.sliceLifetime = sliceLifetime ?? TimeSpan.FromDays(7);
        this.logger = logger ?? NullLogger<LocalClearinghouse>.Instance;
        Directory.CreateDirectory(stateDirectory);
        stateFile = Path.Combine(stateDirectory, "slice-authority.json");
        slices = File.Exists(stateFile)
            ? (JsonSerializer.Deserialize<List<AuthoritySlice>>(File.ReadAllText(stateFile), Json) ?? []).ToDictionary(s => s.Urn, StringComparer.Ordinal)
            : new Dictionary<string, AuthoritySlice>(StringComparer.Ordinal);
    }

    /// <summary>The slices it knows, expired ones included.</summary>
    public IReadOnlyList<AuthoritySlice> Slices
    {
        get
        {
            lock (gate)
            {
                return [.. slices.Values];
            }
        }
    }

    /// <summary>Registers both protocols' methods on <paramref name="server"/> (their names differ from the AM API's).</summary>
    public XmlRpcServer Register(XmlRpcServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return server
            .Register("get_version", (_, _) => Task.FromResult<XmlRpcValue>(Success(Version())))
            .Register("get_credentials", (call, _) => Task.FromResult<XmlRpcValue>(GetCredentials(call)))
            .Register("create", (call, _) => Task.FromResult<XmlRpcValue>(Create(call)))
            .Register("lookup", (call, _) => Task.FromResult<XmlRpcValue>(Lookup(call)))
            .Register("GetCredential", (call, _) => Task.FromResult<XmlRpcValue>(ProtoGeniGetCredential(call)))
            .Register("Resolve", (call, _) => Task.FromResult<XmlRpcValue>(ProtoGeniResolve(call)))
            .Register("Register", (call, _) => Task.FromResult<XmlRpcValue>(ProtoGeniRegister(call)));
    }

    private XmlRpcStruct Version() => new()
    {
        { "VERSION", "2" },
        { "URN", authority.Urn },
        { "IMPLEMENTATION", new XmlRpcStruct { { "code_tag", "netserv-am" } } },
        { "SERVICES", new XmlRpcArray("MEMBER", "SLICE") },
        { "CREDENTIAL_TYPES", new XmlRpcStruct { { "SFA", new XmlRpcArray("3") } } },
    };

    // Federation API v2.

    private XmlRpcStruct GetCredentials(XmlRpcCallContext call)
    {
        if (Caller(call) is not { } caller)
        {
            return Failure(FederationCode.AUTHENTICATION_ERROR, "the TLS client certificate names no GENI user URN");
        }

        var urn = Argument(call, 0)?.AsString();
        var parsed = GeniUrn.TryParse(urn);
        if (parsed is null)
        {
            return Failure(FederationCode.ARGUMENT_ERROR, $"'{urn}' is not a GENI URN");
        }

        if (parsed.Type == "user")
        {
            if (!string.Equals(urn, caller.Urn, StringComparison.Ordinal))
            {
                return Failure(FederationCode.AUTHORIZATION_ERROR, $"{caller.Urn} may not have the credential of {urn}");
            }

            Log.Issued(logger, "user", caller.Urn, caller.Urn);
            return Success(CredentialList(authority.IssueUserCredential(caller.Certificate)));
        }

        if (parsed.Type != "slice")
        {
            return Failure(FederationCode.ARGUMENT_ERROR, $"credentials are given for users and slices, not for a {parsed.Type}");
        }

        return SliceCredential(caller, urn!, out var credential) is { } refusal
            ? Failure(refusal.Code, refusal.Message)
            : Success(CredentialList(credential!));
    }

    private XmlRpcStruct Create(XmlRpcCallContext call)
    {
        if (Caller(call) is not { } caller)
        {
            return Failure(FederationCode.AUTHENTICATION_ERROR, "the TLS client certificate names no GENI user URN");
        }

        var type = Argument(call, 0)?.AsString();
        if (!string.Equals(type, ClearinghouseMessages.SliceType, StringComparison.OrdinalIgnoreCase))
        {
            return Failure(FederationCode.NOT_IMPLEMENTED, $"this slice authority makes SLICE objects, not {type}");
        }

        var fields = Argument(call, 2) is XmlRpcStruct options && options.TryGetValue("fields", out var f) ? f.AsStruct() : new XmlRpcStruct();
        if (fields.GetStringOrNull("SLICE_PROJECT_URN") is { } project)
        {
            return Failure(FederationCode.ARGUMENT_ERROR, $"Unknown project {project}: the local authority has no projects; leave the project out");
        }

        var name = fields.GetStringOrNull("SLICE_NAME");
        if (name is null)
        {
            return Failure(FederationCode.ARGUMENT_ERROR, "fields.SLICE_NAME is missing");
        }

        return MakeSlice(caller, name, out var slice) is { } refusal
            ? Failure(refusal.Code, refusal.Message)
            : Success(SliceInfo(slice!));
    }

    private XmlRpcStruct Lookup(XmlRpcCallContext call)
    {
        if (Caller(call) is null)
        {
            return Failure(FederationCode.AUTHENTICATION_ERROR, "the TLS client certificate names no GENI user URN");
        }

        if (!string.Equals(Argument(call, 0)?.AsString(), ClearinghouseMessages.SliceType, StringComparison.OrdinalIgnoreCase))
        {
            return Failure(FederationCode.NOT_IMPLEMENTED, "this slice authority looks up SLICE objects only");
        }

        var match = Argument(call, 2) is XmlRpcStruct options && options.TryGetValue("match", out var m) ? m.AsStruct() : new XmlRpcStruct();
        var urn = match.GetStringOrNull("SLICE_URN");
        var name = match.GetStringOrNull("SLICE_NAME");
        var now = time.GetUtcNow();
        var found = new XmlRpcStruct();
        foreach (var slice in Slices.Where(s => (urn is null || s.Urn == urn) && (name is null || s.Name == name)))
        {
            if (match.TryGetValue("SLICE_EXPIRED", out var expired) && expired.AsBoolean() != (slice.Expires <= now))
            {
                continue;
            }

            found.Add(slice.Urn, SliceInfo(slice));
        }

        return Success(found);
    }

    // ProtoGENI's slice authority.

    private XmlRpcStruct ProtoGeniGetCredential(XmlRpcCallContext call)
    {
        if (Caller(call) is not { } caller)
        {
            return ProtoGeni(GeniCode.FORBIDDEN, "the TLS client certificate names no GENI user URN");
        }

        if (Argument(call, 0) is not XmlRpcStruct arguments || arguments.GetStringOrNull("urn") is not { } urn)
        {
            Log.Issued(logger, "user", caller.Urn, caller.Urn);
            return Success(authority.IssueUserCredential(caller.Certificate));
        }

        return SliceCredential(caller, urn, out var credential) is { } refusal
            ? ProtoGeni(refusal.Code == FederationCode.AUTHORIZATION_ERROR ? GeniCode.FORBIDDEN : GeniCode.SEARCHFAILED, refusal.Message)
            : Success(credential!);
    }

    private XmlRpcStruct ProtoGeniResolve(XmlRpcCallContext call)
    {
        if (Caller(call) is null)
        {
            return ProtoGeni(GeniCode.FORBIDDEN, "the TLS client certificate names no GENI user URN");
        }

        var urn = (Argument(call, 0) as XmlRpcStruct)?.GetStringOrNull("urn");
        var slice = Find(urn);
        return slice is null || slice.Expires <= time.GetUtcNow()
            ? ProtoGeni(GeniCode.SEARCHFAILED, $"No such slice {urn}")
            : Success(new XmlRpcStruct { { "urn", slice.Urn }, { "hrn", slice.Name }, { "creator_urn", slice.Owner }, { "expires", ClearinghouseMessages.Rfc3339(slice.Expires) } });
    }

    private XmlRpcStruct ProtoGeniRegister(XmlRpcCallContext call)
    {
        if (Caller(call) is not { } caller)
        {
            return ProtoGeni(GeniCode.FORBIDDEN, "the TLS client certificate names no GENI user URN");
        }

        var urn = (Argument(call, 0) as XmlRpcStruct)?.GetStringOrNull("urn");
        var parsed = GeniUrn.TryParse(urn);
        if (parsed is null || parsed.Type != "slice" || !string.Equals(urn, SafeSliceUrn(parsed.Name), StringComparison.Ordinal))
        {
            return ProtoGeni(GeniCode.BADARGS, $"'{urn}' is not a slice URN of this authority ({authority.Urn})");
        }

        var refusal = MakeSlice(caller, parsed.Name, out var slice);
        if (refusal is not null)
        {
            return ProtoGeni(refusal.Code == FederationCode.DUPLICATE_ERROR ? GeniCode.ALREADYEXISTS : GeniCode.BADARGS, refusal.Message);
        }

        SliceCredential(caller, slice!.Urn, out var credential);
        return Success(credential!);
    }

    // Both.

    private sealed record Refusal(FederationCode Code, string Message);

    private sealed record CallerIdentity(string Urn, X509Certificate2 Certificate);

    private Refusal? MakeSlice(CallerIdentity caller, string name, out AuthoritySlice? slice)
    {
        slice = null;
        var urn = SafeSliceUrn(name);
        if (urn is null)
        {
            return new Refusal(FederationCode.ARGUMENT_ERROR, $"'{name}' is not a slice name: up to 64 letters, digits, '-', '_' and '.', not starting with '.' or '-'");
        }

        var now = time.GetUtcNow();
        lock (gate)
        {
            if (slices.TryGetValue(urn, out var existing) && existing.Expires > now)
            {
                return new Refusal(FederationCode.DUPLICATE_ERROR, $"[DUPLICATE] DUPLICATE_ERROR: the slice {urn} exists (until {ClearinghouseMessages.Rfc3339(existing.Expires)})");
            }

            slice = new AuthoritySlice(urn, name, caller.Urn, now, now + sliceLifetime);
            slices[urn] = slice;
            Save();
        }

        Log.SliceMade(logger, urn, caller.Urn);
        return null;
    }

    private Refusal? SliceCredential(CallerIdentity caller, string urn, out string? credential)
    {
        credential = null;
        var slice = Find(urn);
        if (slice is null)
        {
            return new Refusal(FederationCode.ARGUMENT_ERROR, $"Unknown slice urn {urn}");
        }

        if (slice.Expires <= time.GetUtcNow())
        {
            return new Refusal(FederationCode.ARGUMENT_ERROR, $"the slice {urn} expired at {ClearinghouseMessages.Rfc3339(slice.Expires)}");
        }

        if (!string.Equals(slice.Owner, caller.Urn, StringComparison.Ordinal))
        {
            Log.Refused(logger, urn, caller.Urn);
            return new Refusal(FederationCode.AUTHORIZATION_ERROR, $"{caller.Urn} is not a member of the slice {urn}");
        }

        credential = authority.IssueSliceCredential(caller.Certificate, slice.Name, slice.Expires);
        Log.Issued(logger, "slice", urn, caller.Urn);
        return null;
    }

    private AuthoritySlice? Find(string? urn)
    {
        if (urn is null)
        {
            return null;
        }

        lock (gate)
        {
            return slices.GetValueOrDefault(urn);
        }
    }

    private string? SafeSliceUrn(string name)
    {
        try
        {
            return authority.SliceUrn(name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private void Save()
    {
        var temporary = stateFile + ".new";
        File.WriteAllText(temporary, JsonSerializer.Serialize(slices.Values.ToList(), Json));
        File.Move(temporary, stateFile, overwrite: true);
    }

    private static CallerIdentity? Caller(XmlRpcCallContext call)
        => call.ClientCertificate is { } certificate && GeniIdentity.PublicIdUrnOf(certificate) is { } urn ? new CallerIdentity(urn, certificate) : null;

    private static XmlRpcValue? Argument(XmlRpcCallContext call, int index) => call.Parameters.Count > index ? call.Parameters[index] : null;

    private static XmlRpcStruct SliceInfo(AuthoritySlice slice) => new()
    {
        { "SLICE_URN", slice.Urn },
        { "SLICE_NAME", slice.Name },
        { "SLICE_OWNER", slice.Owner },
        { "SLICE_CREATION", ClearinghouseMessages.Rfc3339(slice.Created) },
        { "SLICE_EXPIRATION", ClearinghouseMessages.Rfc3339(slice.Expires) },
        { "SLICE_EXPIRED", false },
    };

    private static XmlRpcArray CredentialList(string credential)
        => new(new XmlRpcStruct { { "geni_type", "geni_sfa" }, { "geni_version", "3" }, { "geni_value", credential } });

    // Both protocols answer success alike: {code: 0, value, output: ""}.
    private static XmlRpcStruct Success(XmlRpcValue value) => new() { { "code", 0 }, { "value", value }, { "output", "" } };

    private static XmlRpcStruct Failure(FederationCode code, string output) => new() { { "code", (int)code }, { "value", XmlRpcNil.Instance }, { "output", output } };

    private static XmlRpcStruct ProtoGeni(GeniCode code, string output) => new() { { "code", (int)code }, { "value", 0 }, { "output", output } };

    private static partial class Log
    {
        [LoggerMessage(EventId = 3564, Level = LogLevel.Information, Message = "Made the slice {Slice} for {Owner}")]
        public static partial void SliceMade(ILogger logger, string slice, string owner);

        [LoggerMessage(EventId = 3565, Level = LogLevel.Information, Message = "Issued a {Kind} credential for {Target} to {Caller}")]
        public static partial void Issued(ILogger logger, string kind, string target, string caller);

        [LoggerMessage(EventId = 3566, Level = LogLevel.Warning, Message = "Refused the credential of the slice {Slice} to {Caller}, who is not its owner")]
        public static partial void Refused(ILogger logger, string slice, string caller);
    }
}
