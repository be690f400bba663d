using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using NetServ.Geni.Clearinghouse;
using NetServ.Geni.Credentials;
using NetServ.Geni.Identity;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.AmApi;

/// <summary>
/// A GENI client's way to one aggregate: HTTPS with the user's certificate (<c>cloudlab.pem</c>), the server checked against
/// the CA given for it or, without one, not at all (as omni and geni-lib do: the aggregates' certificates are signed by their
/// federation's CA, which no system trusts), and the AM API v3 client over it. Disposing closes the connection.
/// </summary>
public sealed class AggregateAccess : IDisposable
{
    private readonly HttpClient http;
    private readonly TimeProvider time;

    private AggregateAccess(HttpClient http, AmApiClient client, TimeProvider time)
    {
        this.http = http;
        this.time = time;
        Client = client;
    }

    public AmApiClient Client { get; }

    /// <summary>Whether the server's certificate is checked (a CA was given).</summary>
    public bool ServerChecked { get; private init; }

    /// <summary>An access to <paramref name="aggregate"/> as <paramref name="identity"/>; <paramref name="serverCa"/> (PEM) checks the server.</summary>
    /// <exception cref="IdentityException"><paramref name="serverCa"/> cannot be read.</exception>
    public static AggregateAccess Open(Aggregate aggregate, GeniIdentity identity, string? serverCa, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        ArgumentNullException.ThrowIfNull(identity);
        X509Certificate2? root = null;
        if (serverCa is not null)
        {
            try
            {
                root = X509Certificate2.CreateFromPem(File.ReadAllText(serverCa));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new IdentityException($"cannot read the aggregate's CA certificate {serverCa}: {e.Message}", e);
            }
        }

        var clock = time ?? TimeProvider.System;
        var handler = XmlRpcClient.CreateHandler(identity.Certificate, (_, presented, _, _) => root is null || ChainsTo(root, presented as X509Certificate2, clock.GetUtcNow()));
        var http = new HttpClient(handler);
        return new AggregateAccess(http, new AmApiClient(new XmlRpcClient(http, aggregate.Url, time: clock), aggregate, clock), clock) { ServerChecked = root is not null };
    }

    /// <summary>A client of <paramref name="clearinghouse"/> over the same connection: the same certificate, the server checked alike.</summary>
    public ClearinghouseClient Clearinghouse(ClearinghouseService clearinghouse) => new(clearinghouse, url => new XmlRpcClient(http, url, time: time));

    /// <summary>A client's check of a server: its certificate chains to <paramref name="root"/> (and to no system root).</summary>
    public static bool ChainsTo(X509Certificate2 root, X509Certificate2? presented, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (presented is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        return chain.Build(presented);
    }

    /// <summary>
    /// A slice credential saved to a file: the signed XML (as <c>omni getslicecred -o</c> and <c>netserv-am credential</c> write
    /// it), or the AM API v3 struct as JSON (<c>{"geni_type": "geni_sfa", "geni_version": "3", "geni_value": "…"}</c>, as omni
    /// writes it with <c>--api-version 3</c>); with the credential read, for its slice URN and expiry.
    /// </summary>
    /// <exception cref="CredentialException">The file cannot be read or holds no credential.</exception>
    public static (AmCredential Credential, GeniCredential Parsed) ReadCredentialFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CredentialException($"cannot read the credential file {path}: {e.Message}", e);
        }

        var xml = text.TrimStart().StartsWith('{') ? GeniValue(text, path) : text;
        var parsed = GeniCredential.Parse(xml);
        return (AmCredential.Sfa(xml), parsed);
    }

    private static string GeniValue(string json, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.TryGetProperty("geni_value", out var value) && value.GetString() is { } xml
                ? xml
                : throw new CredentialException($"{path} is JSON without a geni_value string: not a saved credential");
        }
        catch (JsonException e)
        {
            throw new CredentialException($"{path} is neither a signed credential nor its JSON struct: {e.Message}", e);
        }
    }

    public void Dispose() => http.Dispose();
}
