using System.CommandLine;
using NetServ.Geni.AmApi;
using NetServ.Geni.Clearinghouse;
using NetServ.Geni.Credentials;
using NetServ.Geni.Identity;
using NetServ.Orchestrator.Experiments;

namespace NetServ.Orchestrator.Commands;

/// <summary>
/// The options that name a GENI aggregate and the user's identity there, shared by <c>run --aggregate</c> and <c>slice</c>:
/// <c>--cert</c> (cloudlab.pem), its passphrase, <c>--credential</c> (the slice credential) and <c>--aggregate-ca</c>.
/// </summary>
internal sealed class AggregateArguments
{
    /// <summary>The environment variable the passphrase of <c>--cert</c>'s key is read from when no file is given.</summary>
    public const string PassphraseVariable = "NETSERV_GENI_PASSPHRASE";

    public AggregateArguments(bool aggregateRequired)
    {
        Aggregate = new Option<string?>("--aggregate")
        {
            Description = $"a GENI aggregate (AM API v3): {string.Join(", ", Aggregates.Known.Select(a => a.Name))} (local:PORT for netserv-am on another port), or its https:// URL",
            Required = aggregateRequired,
        };
        Cert = new Option<string?>("--cert") { Description = "your certificate and key as CloudLab's \"Download Credentials\" gives them (cloudlab.pem), or netserv-am init's users/NAME.pem" };
        PassphraseFile = new Option<string?>("--passphrase-file") { Description = $"a file whose first line is the passphrase of --cert's key (else ${PassphraseVariable}, else asked on the terminal)" };
        Credential = new Option<string?>("--credential") { Description = "the slice credential, as omni getslicecred -o or netserv-am credential saves it: the slice is the one it names" };
        Clearinghouse = new Option<string?>("--clearinghouse")
        {
            Description = $"instead of --credential, get the slice credential from a clearinghouse, making the slice (--slice) if it does not exist: {string.Join(", ", Clearinghouses.Known.Select(c => c.Name))} (local:PORT), or its https:// URL",
        };
        Slice = new Option<string?>("--slice") { Description = "the slice's name, with --clearinghouse" };
        Project = new Option<string?>("--project") { Description = "the project the slice belongs to (CloudLab), with --clearinghouse" };
        Protocol = new Option<string>("--protocol")
        {
            Description = "how an https:// --clearinghouse is spoken to: federation (the GENI Federation API v2) or protogeni (ProtoGENI's slice authority)",
            DefaultValueFactory = _ => "federation",
        };
        Protocol.AcceptOnlyFromAmong("federation", "protogeni");
        AggregateCa = new Option<string?>("--aggregate-ca") { Description = "the CA certificate (PEM) the aggregate's TLS certificate must chain to; without it the server is not checked, as omni does (netserv-am: its authority/sa-cert.pem)" };
        ReadyTimeout = new Option<double>("--ready-timeout") { Description = "minutes to wait until every sliver is ready", DefaultValueFactory = _ => 30 };
        PollInterval = new Option<double>("--poll-interval") { Description = "seconds between two Status calls while waiting", DefaultValueFactory = _ => 10 };
    }

    public Option<string?> Aggregate { get; }

    public Option<string?> Cert { get; }

    public Option<string?> PassphraseFile { get; }

    public Option<string?> Credential { get; }

    public Option<string?> Clearinghouse { get; }

    public Option<string?> Slice { get; }

    public Option<string?> Project { get; }

    public Option<string> Protocol { get; }

    public Option<string?> AggregateCa { get; }

    public Option<double> ReadyTimeout { get; }

    public Option<double> PollInterval { get; }

    public IEnumerable<Option> All => [Aggregate, Cert, PassphraseFile, Credential, Clearinghouse, Slice, Project, Protocol, AggregateCa, ReadyTimeout, PollInterval];

    /// <summary>Whether the command line names an aggregate.</summary>
    public bool Given(ParseResult result) => result.GetValue(Aggregate) is not null;

    /// <summary>Why the options do not go together (exit 2, nothing done); null when they do.</summary>
    public string? Problem(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!Given(result))
        {
            return All.Skip(1).FirstOrDefault(o => result.GetResult(o) is { Implicit: false }) is { } alone ? $"{alone.Name} goes with --aggregate" : null;
        }

        if (!Aggregates.TryResolve(result.GetValue(Aggregate)!, out _, out var error))
        {
            return $"--aggregate: {error}";
        }

        if (result.GetValue(Cert) is null)
        {
            return "--aggregate needs --cert: your certificate and key (CloudLab: cloudlab.pem from \"Download Credentials\"; netserv-am: users/NAME.pem of netserv-am init)";
        }

        if (result.GetValue(Credential) is not null && result.GetValue(Clearinghouse) is not null)
        {
            return "--credential and --clearinghouse are two ways to the slice credential: give one";
        }

        if (result.GetValue(Clearinghouse) is { } clearinghouse)
        {
            if (!Clearinghouses.TryResolve(clearinghouse, ProtocolOf(result), out _, out var chError))
            {
                return $"--clearinghouse: {chError}";
            }

            if (result.GetValue(Slice) is null)
            {
                return "--clearinghouse needs --slice NAME: the slice to make or find there";
            }
        }
        else if (result.GetValue(Credential) is null)
        {
            return "--aggregate needs the slice credential: --credential FILE (CloudLab: omni getslicecred -o; netserv-am: netserv-am credential --slice NAME), or --clearinghouse NAME --slice NAME to get it there";
        }
        else if (new Option[] { Slice, Project }.FirstOrDefault(o => result.GetResult(o) is { Implicit: false }) is { } alone)
        {
            return $"{alone.Name} goes with --clearinghouse";
        }

        return result.GetValue(ReadyTimeout) <= 0 || result.GetValue(PollInterval) <= 0 ? "--ready-timeout and --poll-interval must be positive" : null;
    }

    /// <summary>
    /// Reads the identity, opens the aggregate and gets the slice credential (from the file, or from the clearinghouse, which
    /// makes the slice when it does not exist); null with the reason on <paramref name="error"/> (a file that cannot be read,
    /// a wrong passphrase, a credential for another user, a clearinghouse's refusal). What the clearinghouse did goes to
    /// <paramref name="progress"/> (standard error: standard output stays the command's own).
    /// </summary>
    public async Task<(AggregateAccess Access, AggregateRun Run)?> OpenAsync(ParseResult result, TextWriter progress, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(error);
        var aggregate = Aggregates.Resolve(result.GetValue(Aggregate)!);
        GeniIdentity? identity = null;
        AggregateAccess? access = null;
        try
        {
            identity = GeniIdentity.LoadFile(result.GetValue(Cert)!, Passphrase(result.GetValue(PassphraseFile)));
            access = AggregateAccess.Open(aggregate, identity, result.GetValue(AggregateCa));
            var (credential, parsed, source) = result.GetValue(Clearinghouse) is { } clearinghouse
                ? await FromClearinghouseAsync(result, access, identity, clearinghouse, progress, cancellationToken).ConfigureAwait(false)
                : FromFile(result.GetValue(Credential)!);
            if (parsed.OwnerUrn != identity.UserUrn)
            {
                error.WriteLine($"netserv-lab: the credential {source} is {parsed.OwnerUrn}'s, and --cert is {identity.UserUrn}'s: the aggregate would refuse it (CREDENTIAL_MISMATCH); use a credential issued to you");
                return Fail();
            }

            if (parsed.Expires < DateTimeOffset.UtcNow)
            {
                error.WriteLine($"netserv-lab: the credential {source} expired at {parsed.Expires:u}: get a new one (omni getslicecred, netserv-am credential, or --clearinghouse)");
                return Fail();
            }

            var slice = new SliceReservation(access.Client, parsed.TargetUrn, [credential]);
            var run = new AggregateRun(slice, identity.UserUrn)
            {
                Polling = new StatusPollerOptions
                {
                    Timeout = TimeSpan.FromMinutes(result.GetValue(ReadyTimeout)),
                    Interval = TimeSpan.FromSeconds(result.GetValue(PollInterval)),
                },
            };
            return (access, run);
        }
        catch (Exception e) when (e is IdentityException or CredentialException or CredentialFormatException or ClearinghouseException)
        {
            error.WriteLine($"netserv-lab: {e.Message}");
            return Fail();
        }

        (AggregateAccess, AggregateRun)? Fail()
        {
            access?.Dispose();
            identity?.Dispose();
            return null;
        }
    }

    private static (AmCredential Credential, GeniCredential Parsed, string Source) FromFile(string path)
    {
        var (credential, parsed) = AggregateAccess.ReadCredentialFile(path);
        return (credential, parsed, path);
    }

    private async Task<(AmCredential Credential, GeniCredential Parsed, string Source)> FromClearinghouseAsync(ParseResult result, AggregateAccess access, GeniIdentity identity, string name, TextWriter output, CancellationToken cancellationToken)
    {
        var service = Clearinghouses.TryResolve(name, ProtocolOf(result), out var found, out var problem) ? found : throw new CredentialException(problem);
        var slice = await access.Clearinghouse(service).CreateSliceAsync(result.GetValue(Slice)!, identity.UserUrn, result.GetValue(Project), cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"{(slice.Created ? "made the slice" : "the slice exists:")} {slice.SliceUrn} at {service}; its credential came from there").ConfigureAwait(false);
        return (AmCredential.Sfa(slice.Credential), GeniCredential.Parse(slice.Credential), $"of {slice.SliceUrn} from {service.Name}");
    }

    private ClearinghouseProtocol ProtocolOf(ParseResult result)
        => result.GetValue(Protocol) == "protogeni" ? ClearinghouseProtocol.ProtoGeni : ClearinghouseProtocol.Federation;

    /// <summary>The passphrase of the key: a file, the environment, or the terminal (not echoed).</summary>
    private static PassphraseSource Passphrase(string? file) =>
        file is not null ? PassphraseSource.FromFile(file)
        : Environment.GetEnvironmentVariable(PassphraseVariable) is { Length: > 0 } ? PassphraseSource.FromEnvironment(PassphraseVariable)
        : PassphraseSource.FromTerminal();
}
