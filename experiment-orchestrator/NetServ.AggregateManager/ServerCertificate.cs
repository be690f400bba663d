using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NetServ.Geni.Authority;

namespace NetServ.AggregateManager;

/// <summary>
/// The aggregate's TLS certificate for 127.0.0.1, issued at each start by the local authority, so that a client
/// checks the server against the same root it trusts for credentials (<c>trusted_roots/</c>) and nothing is kept.
/// </summary>
internal static class ServerCertificate
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    public static X509Certificate2 Issue(LocalAuthority authority, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(authority);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1, O=NetServ local aggregate", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        var now = time.GetUtcNow();
        var notAfter = now + Lifetime < authority.Certificate.NotAfter ? now + Lifetime : new DateTimeOffset(authority.Certificate.NotAfter.ToUniversalTime());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(authority.Certificate, now - TimeSpan.FromMinutes(5), notAfter, serial);
        using var withKey = issued.CopyWithPrivateKey(key);

        // Through PKCS#12 so that the key is one TLS can use.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);
    }
}
