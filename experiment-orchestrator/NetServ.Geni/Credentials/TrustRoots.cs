using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NetServ.Geni.Identity;

namespace NetServ.Geni.Credentials;

/// <summary>
/// The certificates of the authorities whose credentials an aggregate believes: every certificate of
/// every PEM file (<c>*.pem</c>, <c>*.crt</c>) of a trust directory, as GENI aggregates keep their
/// <c>trusted_roots</c>.
/// </summary>
public sealed class TrustRoots : IDisposable
{
    private TrustRoots(X509Certificate2Collection certificates) => Certificates = certificates;

    public X509Certificate2Collection Certificates { get; }

    /// <summary>Roots given by the caller (copied: disposing these roots does not dispose them).</summary>
    public static TrustRoots From(IEnumerable<X509Certificate2> certificates)
        => new([.. certificates.Select(c => X509CertificateLoader.LoadCertificate(c.RawData))]);

    /// <exception cref="CredentialException">The directory cannot be read, a file is not PEM, or it holds no certificate at all.</exception>
    public static TrustRoots LoadDirectory(string directory)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            foreach (var file in Directory.EnumerateFiles(directory).Where(f => f.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".crt", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
            {
                foreach (var block in PemBlock.ReadAll(File.ReadAllText(file)).Where(b => b.Label == "CERTIFICATE"))
                {
                    certificates.Add(X509CertificateLoader.LoadCertificate(block.Data));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IdentityException or CryptographicException)
        {
            throw new CredentialException($"cannot read the trusted roots in {directory}: {e.Message}", e);
        }

        return certificates.Count > 0
            ? new TrustRoots(certificates)
            : throw new CredentialException($"the trust directory {directory} holds no certificate (PEM files, *.pem or *.crt): no credential could be believed");
    }

    /// <summary>
    /// A chain that trusts these roots only, checked at <paramref name="time"/>: no system roots (a GENI
    /// certificate comes from a clearinghouse, not a web CA), no downloads, no revocation check.
    /// </summary>
    internal X509Chain Chain(DateTimeOffset time, IEnumerable<X509Certificate2> intermediates)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Certificates);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = time.UtcDateTime;
        return chain;
    }

    public void Dispose()
    {
        foreach (var certificate in Certificates)
        {
            certificate.Dispose();
        }
    }
}

/// <summary>Credentials cannot be checked or issued: a trust directory or an authority's files are missing or unreadable. What is wrong, for a person.</summary>
public sealed class CredentialException : Exception
{
    public CredentialException()
    {
    }

    public CredentialException(string message)
        : base(message)
    {
    }

    public CredentialException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
