using System.Globalization;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using NetServ.Geni.Identity;

namespace NetServ.Geni.Credentials;

/// <summary>What a credential states, before it is signed.</summary>
public sealed record CredentialContent
{
    /// <summary>The owner's certificate (<c>owner_gid</c>); the owner's URN is taken from it unless <see cref="OwnerUrn"/> is given.</summary>
    public required X509Certificate2 Owner { get; init; }

    /// <summary>The target's certificate (<c>target_gid</c>): the slice's, or the user's for a user credential.</summary>
    public required X509Certificate2 Target { get; init; }

    public string? OwnerUrn { get; init; }

    public string? TargetUrn { get; init; }

    public required DateTimeOffset Expires { get; init; }

    public required IReadOnlyList<CredentialPrivilege> Privileges { get; init; }

    public string Serial { get; init; } = "1";

    /// <summary>The credential's UUID; a new one when not given.</summary>
    public Guid? Uuid { get; init; }
}

/// <summary>
/// Writes and signs credentials as GENI tools do (the SFA signature template signed by xmlsec1):
/// <c>&lt;credential xml:id="ref0"&gt;</c>, a <c>&lt;Signature xml:id="Sig_ref0"&gt;</c> under
/// <c>&lt;signatures&gt;</c> with the enveloped-signature transform and C14N 1.0, and the signer's
/// certificate followed by its issuers' in <c>&lt;X509Data&gt;</c>, so that any aggregate can check the chain.
/// </summary>
public sealed class CredentialSigner
{
    private const string Id = "ref0";
    private readonly X509Certificate2 signer;
    private readonly IReadOnlyList<X509Certificate2> issuers;
    private readonly CredentialSignatureAlgorithm algorithm;

    /// <param name="signer">The authority's certificate with its private key (RSA).</param>
    /// <param name="issuers">The certificates above it, up to its root (none when it is a root).</param>
    /// <param name="algorithm">RSA-SHA1 by default, as GENI tools sign.</param>
    /// <exception cref="CredentialException">The certificate has no RSA private key.</exception>
    public CredentialSigner(X509Certificate2 signer, IReadOnlyList<X509Certificate2>? issuers = null, CredentialSignatureAlgorithm algorithm = CredentialSignatureAlgorithm.RsaSha1)
    {
        ArgumentNullException.ThrowIfNull(signer);
        using (var key = signer.GetRSAPrivateKey())
        {
            if (key is null)
            {
                throw new CredentialException($"the signer's certificate ({signer.Subject}) has no RSA private key to sign credentials with");
            }
        }

        this.signer = signer;
        this.issuers = issuers ?? [];
        this.algorithm = algorithm;
    }

    /// <summary>The signed <c>&lt;signed-credential&gt;</c> document.</summary>
    public string Sign(CredentialContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var ownerUrn = content.OwnerUrn ?? UrnOf(content.Owner, "owner");
        var targetUrn = content.TargetUrn ?? UrnOf(content.Target, "target");
        var (signatureMethod, digestMethod) = XmlDsig.UrisOf(algorithm);

        var xml = new StringBuilder()
            .Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .Append("<signed-credential xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"http://www.geni.net/resources/credential/2/credential.xsd\" xsi:schemaLocation=\"http://www.protogeni.net/resources/credential/ext/policy/1 http://www.protogeni.net/resources/credential/ext/policy/1/policy.xsd\">\n")
            .Append(CultureInfo.InvariantCulture, $"<credential xml:id=\"{Id}\">\n")
            .Append("<type>privilege</type>\n")
            .Append(CultureInfo.InvariantCulture, $"<serial>{Escape(content.Serial)}</serial>\n")
            .Append(CultureInfo.InvariantCulture, $"<owner_gid>{content.Owner.ExportCertificatePem()}\n</owner_gid>\n")
            .Append(CultureInfo.InvariantCulture, $"<owner_urn>{Escape(ownerUrn)}</owner_urn>\n")
            .Append(CultureInfo.InvariantCulture, $"<target_gid>{content.Target.ExportCertificatePem()}\n</target_gid>\n")
            .Append(CultureInfo.InvariantCulture, $"<target_urn>{Escape(targetUrn)}</target_urn>\n")
            .Append(CultureInfo.InvariantCulture, $"<uuid>{content.Uuid ?? Guid.NewGuid()}</uuid>\n")
            .Append(CultureInfo.InvariantCulture, $"<expires>{content.Expires.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}</expires>\n")
            .Append("<privileges>\n");
        foreach (var privilege in content.Privileges)
        {
            xml.Append(CultureInfo.InvariantCulture, $"<privilege><name>{Escape(privilege.Name)}</name><can_delegate>{(privilege.CanDelegate ? "true" : "false")}</can_delegate></privilege>\n");
        }

        xml.Append("</privileges>\n</credential>\n<signatures>\n")
            .Append(CultureInfo.InvariantCulture, $"<Signature xmlns=\"{XmlDsig.Namespace}\" xml:id=\"Sig_{Id}\">\n")
            .Append("<SignedInfo>\n")
            .Append(CultureInfo.InvariantCulture, $"<CanonicalizationMethod Algorithm=\"{XmlDsig.C14N}\"/>\n")
            .Append(CultureInfo.InvariantCulture, $"<SignatureMethod Algorithm=\"{signatureMethod}\"/>\n")
            .Append(CultureInfo.InvariantCulture, $"<Reference URI=\"#{Id}\">\n")
            .Append(CultureInfo.InvariantCulture, $"<Transforms><Transform Algorithm=\"{XmlDsig.EnvelopedSignature}\"/></Transforms>\n")
            .Append(CultureInfo.InvariantCulture, $"<DigestMethod Algorithm=\"{digestMethod}\"/>\n")
            .Append("<DigestValue></DigestValue>\n</Reference>\n</SignedInfo>\n")
            .Append("<SignatureValue></SignatureValue>\n<KeyInfo>\n<X509Data>\n");
        foreach (var certificate in issuers.Prepend(signer))
        {
            xml.Append("<X509Certificate>").Append(Base64Lines(certificate.RawData)).Append("</X509Certificate>\n");
        }

        using var key = signer.GetRSAPrivateKey()!;
        var parameters = key.ExportParameters(includePrivateParameters: false);
        xml.Append("</X509Data>\n<KeyValue>\n<RSAKeyValue>\n")
            .Append("<Modulus>").Append(Base64Lines(parameters.Modulus!)).Append("</Modulus>\n")
            .Append("<Exponent>").Append(Convert.ToBase64String(parameters.Exponent!)).Append("</Exponent>\n")
            .Append("</RSAKeyValue>\n</KeyValue>\n</KeyInfo>\n</Signature>\n</signatures>\n</signed-credential>\n");

        // Read back, digest and sign the very nodes a verifier will canonicalize.
        var parsed = CredentialReader.Read(xml.ToString(), CredentialLimits.Default);
        var signature = (XmlElement)parsed.Document.DocumentElement!.GetElementsByTagName("Signature", XmlDsig.Namespace)[0]!;
        var signedInfo = (XmlElement)signature.GetElementsByTagName("SignedInfo", XmlDsig.Namespace)[0]!;
        var hash = XmlDsig.HashOf(digestMethod)!.Value;
        signedInfo.GetElementsByTagName("DigestValue", XmlDsig.Namespace)[0]!.InnerText =
            Convert.ToBase64String(XmlDsig.Hash(hash, XmlDsig.Canonicalize(parsed.Element, signature)));
        var value = key.SignData(XmlDsig.Canonicalize(signedInfo), hash, RSASignaturePadding.Pkcs1);
        signature.GetElementsByTagName("SignatureValue", XmlDsig.Namespace)[0]!.InnerText = Base64Lines(value);
        return parsed.Document.OuterXml + "\n";
    }

    private static string UrnOf(X509Certificate2 certificate, string role)
        => GeniIdentity.PublicIdUrnOf(certificate)
           ?? throw new CredentialException($"the {role}'s certificate ({certificate.Subject}) names no GENI URN in its subjectAltName: give the {role}'s URN");

    private static string Escape(string text) => SecurityElement.Escape(text);

    /// <summary>Base64 in lines of 64, as xmlsec1 writes it.</summary>
    private static string Base64Lines(byte[] data)
    {
        var base64 = Convert.ToBase64String(data);
        var lines = new StringBuilder("\n");
        for (var i = 0; i < base64.Length; i += 64)
        {
            lines.Append(base64.AsSpan(i, Math.Min(64, base64.Length - i))).Append('\n');
        }

        return lines.ToString();
    }
}
