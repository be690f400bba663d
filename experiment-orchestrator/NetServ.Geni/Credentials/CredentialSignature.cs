using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml;

namespace NetServ.Geni.Credentials;

/// <summary>A credential's signature checked: by whom (the certificate whose key verifies it) and with which other certificates, or why it does not hold.</summary>
internal sealed class SignatureCheck : IDisposable
{
    private SignatureCheck(string? problem, X509Certificate2? signer, X509Certificate2Collection certificates)
    {
        Problem = problem;
        Signer = signer;
        Certificates = certificates;
    }

    /// <summary>Why the signature does not hold, or <see langword="null"/> when it does.</summary>
    public string? Problem { get; }

    public X509Certificate2? Signer { get; }

    /// <summary>Every certificate of the signature's <c>X509Data</c>, the signer's among them.</summary>
    public X509Certificate2Collection Certificates { get; }

    public static SignatureCheck Valid(X509Certificate2 signer, X509Certificate2Collection certificates) => new(null, signer, certificates);

    public static SignatureCheck Invalid(string problem, X509Certificate2Collection? certificates = null) => new(problem, null, certificates ?? []);

    public void Dispose()
    {
        foreach (var certificate in Certificates)
        {
            certificate.Dispose();
        }
    }
}

/// <summary>
/// Verifies the XML signature of a credential as GENI tools write it (xmlsec1 with the SFA
/// template): one <c>&lt;Signature&gt;</c> under <c>&lt;signatures&gt;</c> whose one
/// <c>&lt;Reference URI="#ref0"&gt;</c> names the credential's <c>xml:id</c>, the enveloped-signature
/// transform, C14N 1.0, a SHA-1 or SHA-256 digest, an RSA-SHA1 or RSA-SHA256 signature, and the
/// signer's certificate with its issuers in <c>&lt;X509Data&gt;</c>. A bare <c>&lt;KeyValue&gt;</c> is
/// never believed: the key is a certificate's, so that its chain can be checked.
/// </summary>
internal static class CredentialSignature
{
    public static SignatureCheck Check(ParsedCredential parsed, CredentialLimits limits)
    {
        try
        {
            return CheckSignature(parsed, limits);
        }
        catch (CredentialFormatException e)
        {
            return SignatureCheck.Invalid(e.Detail);
        }
        catch (Exception e) when (e is XmlException or CryptographicException)
        {
            return SignatureCheck.Invalid($"the signed content cannot be canonicalized or checked: {e.Message}");
        }
    }

    private static SignatureCheck CheckSignature(ParsedCredential parsed, CredentialLimits limits)
    {
        var id = parsed.Credential.Id;

        // The referenced element must be the credential read, and the only one with that id:
        // otherwise a signature over one element could vouch for another (signature wrapping).
        var sameId = parsed.Document.SelectNodes($"//*[@xml:id='{id.Replace("'", "", StringComparison.Ordinal)}']", XmlNamespaces)!;
        if (sameId.Count != 1 || sameId[0] != parsed.Element)
        {
            return SignatureCheck.Invalid($"{sameId.Count} elements have xml:id \"{id}\"; exactly one, the credential, must");
        }

        var signatures = CredentialReader.Single(parsed.Document.DocumentElement!, "signatures", required: false);
        var candidates = signatures is null ? [] : CredentialReader.Children(signatures, "Signature", XmlDsig.Namespace)
            .Where(s => ReferenceUri(s) == "#" + id)
            .ToList();
        if (candidates.Count != 1)
        {
            return SignatureCheck.Invalid(candidates.Count == 0
                ? $"the credential is not signed: no <Signature> under <signatures> references #{id}"
                : $"{candidates.Count} signatures reference #{id}");
        }

        var signature = candidates[0];
        var signedInfo = Dsig(signature, "SignedInfo");
        var canonicalization = Algorithm(Dsig(signedInfo, "CanonicalizationMethod"));
        if (canonicalization is not (XmlDsig.C14N or XmlDsig.C14NWithComments))
        {
            return SignatureCheck.Invalid($"the signature is canonicalized with {canonicalization}; C14N 1.0 ({XmlDsig.C14N}) is taken");
        }

        var signatureMethod = Algorithm(Dsig(signedInfo, "SignatureMethod"));
        if (signatureMethod is not (XmlDsig.RsaSha1 or XmlDsig.RsaSha256))
        {
            return SignatureCheck.Invalid($"the signature method is {signatureMethod}; RSA-SHA1 and RSA-SHA256 are taken");
        }

        var reference = Dsig(signedInfo, "Reference");
        if (CredentialReader.Children(signedInfo, "Reference", XmlDsig.Namespace).Skip(1).Any())
        {
            return SignatureCheck.Invalid("the signature has more than one <Reference>; a credential's covers the credential alone");
        }

        var enveloped = false;
        if (CredentialReader.Single(reference, "Transforms", required: false, XmlDsig.Namespace) is { } transforms)
        {
            foreach (var transform in CredentialReader.Children(transforms, "Transform", XmlDsig.Namespace))
            {
                switch (Algorithm(transform))
                {
                    case XmlDsig.EnvelopedSignature:
                        enveloped = true;
                        break;
                    case XmlDsig.C14N or XmlDsig.C14NWithComments:
                        // A same-document reference's node set has no comments: either is C14N 1.0 here.
                        break;
                    case var other:
                        return SignatureCheck.Invalid($"the reference has the transform {other}; enveloped-signature and C14N 1.0 are taken");
                }
            }
        }

        var digestMethod = Algorithm(Dsig(reference, "DigestMethod"));
        if (XmlDsig.HashOf(digestMethod) is not { } digestHash || digestMethod is XmlDsig.RsaSha1 or XmlDsig.RsaSha256)
        {
            return SignatureCheck.Invalid($"the digest method is {digestMethod}; SHA-1 and SHA-256 are taken");
        }

        var digest = XmlDsig.Hash(digestHash, XmlDsig.Canonicalize(parsed.Element, enveloped ? signature : null));
        if (!CryptographicOperations.FixedTimeEquals(digest, Base64(Dsig(reference, "DigestValue"), "DigestValue")))
        {
            return SignatureCheck.Invalid("the credential's digest does not match its signature's: it was changed after it was signed");
        }

        var signatureValue = Base64(Dsig(signature, "SignatureValue"), "SignatureValue");
        var certificates = Certificates(signature, limits);
        var signedBytes = XmlDsig.Canonicalize(signedInfo);
        var hash = XmlDsig.HashOf(signatureMethod)!.Value;
        foreach (var certificate in certificates)
        {
            using var key = certificate.GetRSAPublicKey();
            if (key is not null && key.VerifyData(signedBytes, signatureValue, hash, RSASignaturePadding.Pkcs1))
            {
                return SignatureCheck.Valid(certificate, certificates);
            }
        }

        return SignatureCheck.Invalid(certificates.Count == 0
            ? "the signature carries no certificate (<X509Data><X509Certificate>) to verify it with"
            : "the signature value does not verify with the key of any certificate in the signature: the signed information was changed or signed with another key",
            certificates);
    }

    private static XmlNamespaceManager XmlNamespaces
    {
        get
        {
            var manager = new XmlNamespaceManager(new NameTable());
            manager.AddNamespace("xml", CredentialReader.XmlNamespace);
            return manager;
        }
    }

    private static string? ReferenceUri(XmlElement signature)
        => CredentialReader.Single(signature, "SignedInfo", required: false, XmlDsig.Namespace) is { } signedInfo
           && CredentialReader.Single(signedInfo, "Reference", required: false, XmlDsig.Namespace) is { } reference
            ? reference.GetAttribute("URI")
            : null;

    private static XmlElement Dsig(XmlElement parent, string name) => CredentialReader.Single(parent, name, required: true, XmlDsig.Namespace)!;

    private static string Algorithm(XmlElement element) => element.GetAttribute("Algorithm");

    private static byte[] Base64(XmlElement element, string name)
    {
        try
        {
            return Convert.FromBase64String(element.InnerText);
        }
        catch (FormatException e)
        {
            throw new CredentialFormatException(CredentialFormatError.InvalidValue, $"<{name}> is not base64", 0, 0, e);
        }
    }

    private static X509Certificate2Collection Certificates(XmlElement signature, CredentialLimits limits)
    {
        var certificates = new X509Certificate2Collection();
        if (CredentialReader.Single(signature, "KeyInfo", required: false, XmlDsig.Namespace) is not { } keyInfo)
        {
            return certificates;
        }

        try
        {
            foreach (var data in CredentialReader.Children(keyInfo, "X509Data", XmlDsig.Namespace))
            {
                foreach (var element in CredentialReader.Children(data, "X509Certificate", XmlDsig.Namespace))
                {
                    if (certificates.Count == limits.MaxCertificates)
                    {
                        throw new CredentialFormatException(CredentialFormatError.TooLarge, $"the signature carries more than {limits.MaxCertificates} certificates");
                    }

                    try
                    {
                        certificates.Add(X509CertificateLoader.LoadCertificate(Base64(element, "X509Certificate")));
                    }
                    catch (CryptographicException e)
                    {
                        throw new CredentialFormatException(CredentialFormatError.InvalidValue, $"an <X509Certificate> of the signature is not a certificate: {e.Message}", 0, 0, e);
                    }
                }
            }
        }
        catch
        {
            foreach (var loaded in certificates)
            {
                loaded.Dispose();
            }

            throw;
        }

        return certificates;
    }
}
