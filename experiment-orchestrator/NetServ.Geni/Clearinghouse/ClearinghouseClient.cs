using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Geni.AmApi;
using NetServ.Geni.Credentials;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.Clearinghouse;

/// <summary>A slice and the caller's credential for it.</summary>
/// <param name="SliceUrn">The slice's URN.</param>
/// <param name="Credential">The signed slice credential (SFA XML), for the AM API's <c>credentials</c>.</param>
/// <param name="Created">Whether this call made the slice (else it existed).</param>
public sealed record SliceCredential(string SliceUrn, string Credential, bool Created);

/// <summary>
/// Gets a user's credentials from a clearinghouse: the user credential, and a slice made (or found)
/// with its slice credential, in the protocol of <see cref="ClearinghouseService.Protocol"/>. The
/// XML-RPC clients carry the user's certificate: the clearinghouse knows the caller by it.
/// </summary>
public sealed partial class ClearinghouseClient
{
    private readonly Func<Uri, XmlRpcClient> connect;
    private readonly ILogger logger;
    private string? userCredential;

    /// <param name="clearinghouse">Where and how.</param>
    /// <param name="connect">An XML-RPC client, with the user's certificate, for an authority's URL.</param>
    /// <param name="logger">Where calls are logged.</param>
    public ClearinghouseClient(ClearinghouseService clearinghouse, Func<Uri, XmlRpcClient> connect, ILogger<ClearinghouseClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(clearinghouse);
        ArgumentNullException.ThrowIfNull(connect);
        Clearinghouse = clearinghouse;
        this.connect = connect;
        this.logger = logger ?? NullLogger<ClearinghouseClient>.Instance;
    }

    public ClearinghouseService Clearinghouse { get; }

    /// <summary>The user credential of <paramref name="userUrn"/>, the caller (fetched once).</summary>
    /// <exception cref="ClearinghouseException">The clearinghouse refused, could not be reached, or answered malformed.</exception>
    public Task<string> GetUserCredentialAsync(string userUrn, CancellationToken cancellationToken = default)
        => OrFallbackAsync(() => UserCredentialAsync(userUrn, cancellationToken), f => f.GetUserCredentialAsync(userUrn, cancellationToken));

    private async Task<string> UserCredentialAsync(string userUrn, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userUrn);
        if (userCredential is not null)
        {
            return userCredential;
        }

        userCredential = Clearinghouse.Protocol == ClearinghouseProtocol.Federation
            ? await CallAsync(Clearinghouse.MemberAuthority, ClearinghouseMessages.GetCredentials(userUrn, []), ClearinghouseMessages.ReadSfaCredential, cancellationToken).ConfigureAwait(false)
            : await CallAsync(Clearinghouse.SliceAuthority, ClearinghouseMessages.ProtoGeniUserCredential(), v => v.AsString(), cancellationToken).ConfigureAwait(false);
        return userCredential;
    }

    /// <summary>
    /// Makes the slice <paramref name="sliceName"/> (in <paramref name="project"/> when given), or finds it
    /// when it exists, and returns the caller's credential for it.
    /// </summary>
    /// <exception cref="ClearinghouseException">The clearinghouse refused (the slice is someone else's, the name is not accepted…), could not be reached, or answered malformed.</exception>
    public Task<SliceCredential> CreateSliceAsync(string sliceName, string userUrn, string? project = null, CancellationToken cancellationToken = default)
        => OrFallbackAsync(() => SliceAsync(sliceName, userUrn, project, cancellationToken), f => f.CreateSliceAsync(sliceName, userUrn, project, cancellationToken));

    private async Task<SliceCredential> SliceAsync(string sliceName, string userUrn, string? project, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sliceName);
        var user = await UserCredentialAsync(userUrn, cancellationToken).ConfigureAwait(false);
        var authority = GeniUrn.TryParse(userUrn)?.Authority ?? throw new ArgumentException($"'{userUrn}' is not a GENI user URN", nameof(userUrn));
        var sliceUrn = ClearinghouseMessages.SliceUrn(authority, sliceName, project);
        var credentials = new[] { AmCredential.Sfa(user) };
        if (Clearinghouse.Protocol == ClearinghouseProtocol.Federation)
        {
            var created = true;
            try
            {
                var projectUrn = project is null ? null : new GeniUrn(authority, "project", project).ToString();
                sliceUrn = await CallAsync(Clearinghouse.SliceAuthority, ClearinghouseMessages.CreateSlice(sliceName, projectUrn, credentials), ClearinghouseMessages.ReadCreatedSliceUrn, cancellationToken).ConfigureAwait(false);
            }
            catch (ClearinghouseException e) when (e.Code == (int)FederationCode.DUPLICATE_ERROR)
            {
                Log.SliceExisted(logger, sliceUrn, Clearinghouse.Name);
                created = false;
            }

            var credential = await CallAsync(Clearinghouse.SliceAuthority, ClearinghouseMessages.GetCredentials(sliceUrn, credentials), ClearinghouseMessages.ReadSfaCredential, cancellationToken).ConfigureAwait(false);
            return new SliceCredential(sliceUrn, credential, created);
        }

        // ProtoGENI: Resolve says whether it exists; Register makes it and returns its credential.
        var exists = await ResolvesAsync(user, sliceUrn, cancellationToken).ConfigureAwait(false);
        var method = exists ? "GetCredential" : "Register";
        var value = await CallAsync(Clearinghouse.SliceAuthority, ClearinghouseMessages.ProtoGeniSliceCall(method, user, sliceUrn), v => v.AsString(), cancellationToken).ConfigureAwait(false);
        return new SliceCredential(sliceUrn, value, !exists);
    }

    /// <summary>The caller's credential for the existing slice <paramref name="sliceUrn"/>.</summary>
    /// <exception cref="ClearinghouseException">The slice is unknown or someone else's, or the call failed.</exception>
    public Task<string> GetSliceCredentialAsync(string sliceUrn, string userUrn, CancellationToken cancellationToken = default)
        => OrFallbackAsync(() => SliceCredentialAsync(sliceUrn, userUrn, cancellationToken), f => f.GetSliceCredentialAsync(sliceUrn, userUrn, cancellationToken));

    private async Task<string> SliceCredentialAsync(string sliceUrn, string userUrn, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sliceUrn);
        var user = await UserCredentialAsync(userUrn, cancellationToken).ConfigureAwait(false);
        return Clearinghouse.Protocol == ClearinghouseProtocol.Federation
            ? await CallAsync(Clearinghouse.SliceAuthority, ClearinghouseMessages.GetCredentials(sliceUrn, [AmCredential.Sfa(user)]), ClearinghouseMessages.ReadSfaCredential, cancellationToken).ConfigureAwait(false)
            : await CallAsync(Clearinghouse.SliceAuthority, ClearinghouseMessages.ProtoGeniSliceCall("GetCredential", user, sliceUrn), v => v.AsString(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The call; when the clearinghouse does not serve its protocol at all (the method unknown, or no such URL) and it has a
    /// <see cref="ClearinghouseService.Fallback"/>, the same call there.
    /// </summary>
    private async Task<T> OrFallbackAsync<T>(Func<Task<T>> call, Func<ClearinghouseClient, Task<T>> fallback)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ClearinghouseException e) when (Clearinghouse.Fallback is { } other && e.NotServed)
        {
            Log.FallingBack(logger, Clearinghouse.Name, other.Name, e.Method);
            return await fallback(new ClearinghouseClient(other, connect)).ConfigureAwait(false);
        }
    }

    private async Task<bool> ResolvesAsync(string user, string sliceUrn, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(Clearinghouse.SliceAuthority, ClearinghouseMessages.ProtoGeniSliceCall("Resolve", user, sliceUrn), v => v, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ClearinghouseException e) when (e.Code == (int)GeniCode.SEARCHFAILED)
        {
            return false;
        }
    }

    private async Task<T> CallAsync<T>(Uri authority, XmlRpcMethodCall call, Func<XmlRpcValue, T> read, CancellationToken cancellationToken)
    {
        var method = call.MethodName;
        Log.Calling(logger, method, authority);
        XmlRpcValue answer;
        try
        {
            answer = await connect(authority).CallAsync(method, call.Parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (XmlRpcFaultException e)
        {
            throw new ClearinghouseException(method, Clearinghouse, $"the clearinghouse answered with XML-RPC fault {e.Code}.",
                e.Code == XmlRpcFault.MethodNotFound
                    ? $"the URL does not serve {(Clearinghouse.Protocol == ClearinghouseProtocol.Federation ? "the Federation API v2" : "ProtoGENI's slice authority")}: check it, or try the other protocol (--protocol)."
                    : "read what it said; try again later.",
                null, e.FaultString, e) { NotServed = e.Code == XmlRpcFault.MethodNotFound };
        }
        catch (XmlRpcTransportException e)
        {
            throw new ClearinghouseException(method, Clearinghouse, "no answer: the clearinghouse could not be reached, refused the TLS handshake (your certificate), or took too long.",
                "check your certificate (cloudlab.pem, current and with the right passphrase) and the network; then try again.", null, e.Message, e)
            {
                NotServed = e.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.MethodNotAllowed,
            };
        }
        catch (XmlRpcFormatException e)
        {
            throw Malformed(method, e);
        }

        try
        {
            var result = ClearinghouseMessages.ReadReturn(answer);
            if (result.Code != 0)
            {
                Log.Refused(logger, method, Clearinghouse.Name, result.Code, AmApiException.Clean(result.Output));
                throw ClearinghouseException.FromCode(method, Clearinghouse, result.Code, result.Output);
            }

            return read(result.Value);
        }
        catch (XmlRpcTypeException e)
        {
            throw Malformed(method, e);
        }
    }

    private ClearinghouseException Malformed(string method, Exception e)
        => new(method, Clearinghouse, $"the answer is not what the protocol defines ({e.Message}).",
            "check that the URL is the clearinghouse's and the protocol is the one it speaks (--protocol federation|protogeni).", null, null, e);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3561, Level = LogLevel.Debug, Message = "{Method} at {Authority}")]
        public static partial void Calling(ILogger logger, string method, Uri authority);

        [LoggerMessage(EventId = 3562, Level = LogLevel.Warning, Message = "{Method} at {Clearinghouse} refused with code {Code}: {Output}")]
        public static partial void Refused(ILogger logger, string method, string clearinghouse, int code, string output);

        [LoggerMessage(EventId = 3567, Level = LogLevel.Information, Message = "{Clearinghouse} does not serve {Method}: trying {Fallback}")]
        public static partial void FallingBack(ILogger logger, string clearinghouse, string fallback, string method);

        [LoggerMessage(EventId = 3563, Level = LogLevel.Information, Message = "The slice {Slice} existed at {Clearinghouse}: its credential is fetched")]
        public static partial void SliceExisted(ILogger logger, string slice, string clearinghouse);
    }
}
