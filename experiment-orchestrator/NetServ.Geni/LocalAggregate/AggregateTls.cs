using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using NetServ.Geni.Credentials;

namespace NetServ.Geni.LocalAggregate;

/// <summary>The TLS side of the aggregate: a client certificate is accepted only when it chains to a root of the trust directory.</summary>
public static class AggregateTls
{
    /// <summary>
    /// A validation for Kestrel's <c>ClientCertificateValidation</c>: the certificate chains to
    /// <paramref name="roots"/> (and to no system root) at the injected time.
    /// </summary>
    public static Func<X509Certificate2, X509Chain?, SslPolicyErrors, bool> ClientCertificateValidation(TrustRoots roots, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(roots);
        ArgumentNullException.ThrowIfNull(time);
        return (certificate, presented, _) =>
        {
            using var chain = roots.Chain(time.GetUtcNow(), presented?.ChainElements.Select(e => e.Certificate) ?? []);
            return chain.Build(certificate);
        };
    }
}
