using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NetServ.Geni.Identity;

/// <summary>
/// An experimenter's GENI identity: the certificate from the clearinghouse with its private key,
/// usable as a TLS client certificate, and the user URN it names.
/// </summary>
public sealed class GeniIdentity : IDisposable
{
    private const string UrnPrefix = "urn:publicid:IDN+";

    internal GeniIdentity(X509Certificate2 certificate, string userUrn)
    {
        Certificate = certificate;
        UserUrn = userUrn;
    }

    /// <summary>The user's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The user URN from the certificate's subjectAltName, such as <c>urn:publicid:IDN+emulab.net+user+alice</c>.</summary>
    public string UserUrn { get; }

    /// <summary>
    /// Reads a PEM file holding the certificate and its key, as CloudLab's "Download Credentials"
    /// gives it (<c>cloudlab.pem</c>): the key in the legacy OpenSSL form (encrypted or not) or
    /// in PKCS#8 (encrypted or not). <paramref name="passphrase"/> is asked only when the key is encrypted.
    /// </summary>
    /// <exception cref="IdentityException">The file cannot be read, has no certificate or key, the passphrase is wrong, the key is not the certificate's, or the certificate names no user URN.</exception>
    public static GeniIdentity LoadFile(string path, PassphraseSource? passphrase)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IdentityException($"cannot read {path}: {e.Message}", e);
        }

        return Load(text, passphrase, path);
    }

    /// <summary>Reads PEM text; see <see cref="LoadFile"/>. <paramref name="description"/> names it in messages.</summary>
    /// <exception cref="IdentityException">See <see cref="LoadFile"/>.</exception>
    public static GeniIdentity Load(string pem, PassphraseSource? passphrase, string description = "the key")
    {
        ArgumentNullException.ThrowIfNull(pem);
        var blocks = PemBlock.ReadAll(pem);
        var keyBlock = blocks.FirstOrDefault(b => b.Label is "RSA PRIVATE KEY" or "PRIVATE KEY" or "ENCRYPTED PRIVATE KEY")
            ?? throw new IdentityException($"{description} holds no private key (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)");
        var certificates = blocks.Where(b => b.Label == "CERTIFICATE").ToList();
        if (certificates.Count == 0)
        {
            throw new IdentityException($"{description} holds no certificate (BEGIN CERTIFICATE)");
        }

        using var key = ReadKey(keyBlock, passphrase, description);
        var publicKey = key.ExportSubjectPublicKeyInfo();
        foreach (var block in certificates)
        {
            X509Certificate2 certificate;
            try
            {
                certificate = X509CertificateLoader.LoadCertificate(block.Data);
            }
            catch (CryptographicException e)
            {
                throw new IdentityException($"a certificate in {description} is not readable: {e.Message}", e);
            }

            using (certificate)
            {
                // cloudlab.pem may carry the authority's certificate too: the user's is the one of the key.
                if (!certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(publicKey))
                {
                    continue;
                }

                var urn = UserUrnOf(certificate)
                    ?? throw new IdentityException($"the certificate in {description} ({certificate.Subject}) names no user URN ({UrnPrefix}…+user+…) in its subjectAltName");
                return new GeniIdentity(certificate.CopyWithPrivateKey(key), urn);
            }
        }

        throw new IdentityException($"the private key in {description} is not the key of its certificate");
    }

    /// <summary>The user URN among the subjectAltName URIs, or <see langword="null"/>.</summary>
    internal static string? UserUrnOf(X509Certificate2 certificate)
        => PublicIdUrnsOf(certificate).FirstOrDefault(u => u.Contains("+user+", StringComparison.OrdinalIgnoreCase));

    /// <summary>The first GENI URN of the subjectAltName, or <see langword="null"/>.</summary>
    internal static string? PublicIdUrnOf(X509Certificate2 certificate)
        => PublicIdUrnsOf(certificate) is [var first, ..] ? first : null;

    /// <summary>The GENI URNs (<c>urn:publicid:IDN+…</c>) among the subjectAltName URIs, in order; none when it has none or is malformed.</summary>
    internal static IReadOnlyList<string> PublicIdUrnsOf(X509Certificate2 certificate)
    {
        var urns = new List<string>();
        var extension = certificate.Extensions["2.5.29.17"];
        if (extension is null)
        {
            return urns;
        }

        // .NET enumerates DNS names and addresses of a subjectAltName, not URIs: read GeneralNames.
        try
        {
            var names = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            var uri = new Asn1Tag(TagClass.ContextSpecific, 6);
            while (names.HasData)
            {
                if (names.PeekTag() == uri)
                {
                    var value = names.ReadCharacterString(UniversalTagNumber.IA5String, uri);
                    if (value.StartsWith(UrnPrefix, StringComparison.OrdinalIgnoreCase))
                    {
                        urns.Add(value);
                    }
                }
                else
                {
                    names.ReadEncodedValue();
                }
            }
        }
        catch (AsnContentException)
        {
            return [];
        }

        return urns;
    }

    public void Dispose() => Certificate.Dispose();

    private static RSA ReadKey(PemBlock block, PassphraseSource? passphrase, string description)
    {
        var rsa = RSA.Create();
        try
        {
            switch (block.Label)
            {
                case "RSA PRIVATE KEY" when block.Headers.TryGetValue("DEK-Info", out var dekInfo):
                    var phrase = Ask(passphrase, description);
                    var der = LegacyPemKey.Decrypt(dekInfo, block.Data, phrase) ?? throw WrongPassphrase(description);
                    try
                    {
                        rsa.ImportRSAPrivateKey(der, out _);
                    }
                    catch (CryptographicException e)
                    {
                        // The padding matched by chance (about 1 in 256): still the wrong passphrase.
                        throw WrongPassphrase(description, e);
                    }
                    finally
                    {
                        CryptographicOperations.ZeroMemory(der);
                    }

                    break;
                case "RSA PRIVATE KEY":
                    rsa.ImportRSAPrivateKey(block.Data, out _);
                    break;
                case "PRIVATE KEY":
                    rsa.ImportPkcs8PrivateKey(block.Data, out _);
                    break;
                default:
                    try
                    {
                        rsa.ImportEncryptedPkcs8PrivateKey(Ask(passphrase, description), block.Data, out _);
                    }
                    catch (CryptographicException e)
                    {
                        throw WrongPassphrase(description, e);
                    }

                    break;
            }

            return rsa;
        }
        catch (CryptographicException e)
        {
            rsa.Dispose();
            throw new IdentityException($"the private key in {description} is not a readable RSA key: {e.Message}", e);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    private static string Ask(PassphraseSource? passphrase, string description)
        => (passphrase ?? throw new IdentityException($"the private key in {description} is encrypted: give its passphrase"))
           .Get(description) ?? throw new IdentityException($"no passphrase given for {description}");

    private static IdentityException WrongPassphrase(string description, Exception? inner = null)
        => new($"wrong passphrase for the private key in {description} (it is the one you chose when you downloaded the credentials)", inner!);
}
