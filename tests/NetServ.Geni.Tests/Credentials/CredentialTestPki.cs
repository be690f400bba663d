using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using NetServ.Geni.Authority;
using NetServ.Geni.Credentials;

namespace NetServ.Geni.Tests.Credentials;

/// <summary>
/// Authorities and users for credential tests: the local authority (a root that is the slice
/// authority), alice and bob under it, and an authority nobody trusts. Keys are 2048-bit RSA as
/// GENI's are; the clock starts at the real time so that xmlsec1, which checks certificates against
/// it, agrees.
/// </summary>
internal sealed class CredentialTestPki : IDisposable
{
    public CredentialTestPki()
    {
        Time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        Authority = LocalAuthority.Create(Time);
        Stranger = LocalAuthority.Create(Time, new LocalAuthorityOptions { AuthorityName = "netserv.local" });
        Alice = User(Authority, "alice");
        Bob = User(Authority, "bob");
        Roots = TrustRoots.From([Authority.Certificate]);
    }

    public FakeTimeProvider Time { get; }

    public LocalAuthority Authority { get; }

    /// <summary>An authority of the same name whose root is not trusted.</summary>
    public LocalAuthority Stranger { get; }

    /// <summary>alice's certificate with her key.</summary>
    public X509Certificate2 Alice { get; }

    public X509Certificate2 Bob { get; }

    public TrustRoots Roots { get; }

    public CredentialVerifier Verifier() => new(Roots, Time);

    /// <summary>A credential's content: <paramref name="privilege"/> on <paramref name="targetUrn"/> for <paramref name="owner"/> (alice), for a day.</summary>
    public CredentialContent Content(string targetUrn, X509Certificate2? owner = null, string privilege = "*") => new()
    {
        Owner = owner ?? Alice,
        Target = Alice,
        TargetUrn = targetUrn,
        Expires = Time.GetUtcNow().AddDays(1),
        Privileges = [new CredentialPrivilege(privilege, true)],
    };

    public static X509Certificate2 User(LocalAuthority authority, string name)
    {
        using var key = RSA.Create(2048);
        using var certificate = authority.IssueUserCertificate(name, key, $"{name}@example.org");
        return certificate.CopyWithPrivateKey(key);
    }

    public void Dispose()
    {
        Authority.Dispose();
        Stranger.Dispose();
        Alice.Dispose();
        Bob.Dispose();
        Roots.Dispose();
    }
}
