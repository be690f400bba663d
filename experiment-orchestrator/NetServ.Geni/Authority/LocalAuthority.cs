using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NetServ.Geni.Credentials;

namespace NetServ.Geni.Authority;

/// <summary>The names and lifetimes of a local authority.</summary>
public sealed record LocalAuthorityOptions
{
    /// <summary>The authority part of every URN it issues: <c>urn:publicid:IDN+netserv.local+…</c>.</summary>
    public string AuthorityName { get; init; } = "netserv.local";

    public TimeSpan AuthorityLifetime { get; init; } = TimeSpan.FromDays(3650);

    public TimeSpan UserLifetime { get; init; } = TimeSpan.FromDays(365);

    /// <summary>How long user credentials and, unless asked otherwise, slice credentials last.</summary>
    public TimeSpan CredentialLifetime { get; init; } = TimeSpan.FromDays(30);

    public int KeySize { get; init; } = 2048;
}

/// <summary>
/// A GENI authority of one's own, for the local aggregate: a root certificate that is also the slice
/// authority (<c>urn:publicid:IDN+netserv.local+authority+sa</c>), which issues user certificates (the
/// user URN in the subjectAltName, as the clearinghouses do), slice certificates, and user and slice
/// credentials signed as GENI tools sign them.
/// </summary>
public sealed class LocalAuthority : IDisposable
{
    private readonly TimeProvider time;
    private readonly LocalAuthorityOptions options;
    private readonly CredentialSigner signer;

    private LocalAuthority(X509Certificate2 certificate, TimeProvider time, LocalAuthorityOptions options)
    {
        Certificate = certificate;
        this.time = time;
        this.options = options;
        signer = new CredentialSigner(certificate);
    }

    /// <summary>The authority's certificate, with its private key: the root its aggregate trusts.</summary>
    public X509Certificate2 Certificate { get; }

    public string Urn => new GeniUrn(options.AuthorityName, "authority", "sa").ToString();

    /// <summary>A new authority, with a new key.</summary>
    public static LocalAuthority Create(TimeProvider time, LocalAuthorityOptions? options = null)
    {
        options ??= new LocalAuthorityOptions();
        ValidateName(options.AuthorityName.Replace(':', '.'), "authority name");
        using var key = RSA.Create(options.KeySize);
        var request = new CertificateRequest($"CN={options.AuthorityName} slice authority, O=NetServ local authority", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(SubjectAltName(new GeniUrn(options.AuthorityName, "authority", "sa").ToString(), null));
        var now = time.GetUtcNow();
        var certificate = request.CreateSelfSigned(now - ClockSkew, now + options.AuthorityLifetime);
        return new LocalAuthority(certificate, time, options);
    }

    /// <summary>An authority from its certificate and private key (PEM), as <see cref="LocalAuthorityMaker"/> writes them.</summary>
    /// <exception cref="CredentialException">They cannot be read or do not match.</exception>
    public static LocalAuthority Load(string certificatePem, string keyPem, TimeProvider time, LocalAuthorityOptions? options = null)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (CryptographicException e)
        {
            throw new CredentialException($"the local authority's certificate and key cannot be read: {e.Message}", e);
        }

        var urn = GeniUrn.TryParse(Identity.GeniIdentity.PublicIdUrnOf(certificate));
        if (urn is null || urn.Type != "authority")
        {
            certificate.Dispose();
            throw new CredentialException($"the local authority's certificate ({certificate.Subject}) names no authority URN");
        }

        return new LocalAuthority(certificate, time, (options ?? new LocalAuthorityOptions()) with { AuthorityName = urn.Authority });
    }

    public string UserUrn(string userName) => new GeniUrn(options.AuthorityName, "user", ValidateName(userName, "user name")).ToString();

    public string SliceUrn(string sliceName) => new GeniUrn(options.AuthorityName, "slice", ValidateName(sliceName, "slice name")).ToString();

    /// <summary>A user's certificate for <paramref name="key"/>, for TLS client authentication and as owner of credentials.</summary>
    public X509Certificate2 IssueUserCertificate(string userName, RSA key, string? email = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Issue($"CN={userName}, OU={options.AuthorityName}, O=NetServ local authority", key, UserUrn(userName), email, options.UserLifetime, X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment);
    }

    /// <summary>A user credential: every privilege on the user itself, which calls about no slice (ListResources) take.</summary>
    public string IssueUserCredential(X509Certificate2 user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return signer.Sign(new CredentialContent
        {
            Owner = user,
            Target = user,
            Expires = Cap(time.GetUtcNow() + options.CredentialLifetime, user),
            Privileges = [new CredentialPrivilege(CredentialPrivilege.All, CanDelegate: true)],
        });
    }

    /// <summary>
    /// A slice credential for <paramref name="owner"/>: every privilege on the slice, until
    /// <paramref name="expires"/> (by default the credential lifetime), with a certificate of the slice's own as target.
    /// </summary>
    public string IssueSliceCredential(X509Certificate2 owner, string sliceName, DateTimeOffset? expires = null)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var sliceUrn = SliceUrn(sliceName);
        using var sliceKey = RSA.Create(options.KeySize);
        using var slice = Issue($"CN={sliceName}, OU={options.AuthorityName} slice, O=NetServ local authority", sliceKey, sliceUrn, null, options.CredentialLifetime, X509KeyUsageFlags.DigitalSignature);
        return signer.Sign(new CredentialContent
        {
            Owner = owner,
            Target = slice,
            TargetUrn = sliceUrn,
            Expires = Cap(expires ?? time.GetUtcNow() + options.CredentialLifetime, owner),
            Privileges = [new CredentialPrivilege(CredentialPrivilege.All, CanDelegate: true)],
        });
    }

    public void Dispose() => Certificate.Dispose();

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private X509Certificate2 Issue(string subject, RSA key, string urn, string? email, TimeSpan lifetime, X509KeyUsageFlags usage)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        request.CertificateExtensions.Add(SubjectAltName(urn, email));
        var now = time.GetUtcNow();
        var notAfter = now + lifetime < Certificate.NotAfter ? now + lifetime : new DateTimeOffset(Certificate.NotAfter.ToUniversalTime());
        return request.Create(Certificate, now - ClockSkew, notAfter, RandomSerial());
    }

    /// <summary>A credential does not outlive its owner's certificate.</summary>
    private static DateTimeOffset Cap(DateTimeOffset expires, X509Certificate2 owner)
    {
        var ownerEnd = new DateTimeOffset(owner.NotAfter.ToUniversalTime());
        return expires < ownerEnd ? expires : ownerEnd;
    }

    /// <summary>
    /// The subjectAltName as GENI certificates carry it: the URN and a <c>urn:uuid</c> as URIs, and
    /// the e-mail address. Written directly: <see cref="SubjectAlternativeNameBuilder"/> takes a
    /// <see cref="Uri"/>, which may rewrite a URN.
    /// </summary>
    private static X509Extension SubjectAltName(string urn, string? email)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            var uri = new Asn1Tag(TagClass.ContextSpecific, 6);
            writer.WriteCharacterString(UniversalTagNumber.IA5String, urn, uri);
            writer.WriteCharacterString(UniversalTagNumber.IA5String, $"urn:uuid:{Guid.NewGuid()}", uri);
            if (email is not null)
            {
                writer.WriteCharacterString(UniversalTagNumber.IA5String, email, new Asn1Tag(TagClass.ContextSpecific, 1));
            }
        }

        return new X509Extension("2.5.29.17", writer.Encode(), critical: false);
    }

    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        return serial;
    }

    /// <summary>Names go into URNs and file names: letters, digits, '-', '_' and '.', not starting with '.' or '-'.</summary>
    internal static string ValidateName(string name, string what)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 64 || name[0] is '.' or '-' || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"the {what} \"{name}\" is not a name a URN can carry (up to 64 letters, digits, '-', '_' and '.', not starting with '.' or '-')", nameof(name));
        }

        return name;
    }
}
