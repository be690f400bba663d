using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace NetServ.Signaling.Security;

/// <summary>
/// A NetServ user's signing key (paper section 5.2): ECDSA P-256 or Ed25519, kept as a PEM
/// <c>PRIVATE KEY</c> (PKCS#8) in a file only its owner reads. <c>netserv keygen</c> makes one.
/// </summary>
public sealed class UserPrivateKey : IDisposable
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string Ed25519Oid = "1.3.101.112";

    private readonly ECDsa? _ecdsa;
    private readonly Key? _ed25519;

    private UserPrivateKey(ECDsa ecdsa)
    {
        _ecdsa = ecdsa;
        Algorithm = UserKeyAlgorithm.EcdsaP256;
        PublicKey = PublicKeyOf(ecdsa.ExportSubjectPublicKeyInfo());
    }

    private UserPrivateKey(Key ed25519)
    {
        _ed25519 = ed25519;
        Algorithm = UserKeyAlgorithm.Ed25519;
        PublicKey = PublicKeyOf(ed25519.PublicKey.Export(KeyBlobFormat.PkixPublicKey));
    }

    /// <summary>The key's algorithm.</summary>
    public UserKeyAlgorithm Algorithm { get; }

    /// <summary>The matching public key, for the node's configuration.</summary>
    public UserPublicKey PublicKey { get; }

    /// <summary>Makes a new key.</summary>
    public static UserPrivateKey Generate(UserKeyAlgorithm algorithm) => algorithm switch
    {
        UserKeyAlgorithm.EcdsaP256 => new UserPrivateKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)),
        _ => new UserPrivateKey(Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport })),
    };

    /// <summary>Reads a PEM <c>PRIVATE KEY</c> (PKCS#8) of either algorithm.</summary>
    public static bool TryParse(string pem, [NotNullWhen(true)] out UserPrivateKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        if (!PemEncoding.TryFind(pem, out var fields) || !string.Equals(pem[fields.Label], "PRIVATE KEY", StringComparison.Ordinal))
        {
            error = "expected a PEM 'PRIVATE KEY' (PKCS#8), as netserv keygen writes";
            return false;
        }

        var der = Convert.FromBase64String(pem[fields.Base64Data]);
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            reader.ReadInteger();
            var oid = reader.ReadSequence().ReadObjectIdentifier();
            switch (oid)
            {
                case EcPublicKeyOid:
                    var ecdsa = ECDsa.Create();
                    ecdsa.ImportPkcs8PrivateKey(der, out _);
                    if (ecdsa.KeySize != 256)
                    {
                        ecdsa.Dispose();
                        error = "only the P-256 curve is supported for ECDSA keys";
                        return false;
                    }

                    key = new UserPrivateKey(ecdsa);
                    break;
                case Ed25519Oid:
                    key = new UserPrivateKey(Key.Import(SignatureAlgorithm.Ed25519, der, KeyBlobFormat.PkixPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
                    break;
                default:
                    error = $"unsupported key algorithm {oid}: use ECDSA P-256 or Ed25519";
                    return false;
            }
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or FormatException)
        {
            error = $"the key is not a PKCS#8 private key: {e.Message}";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Signs <paramref name="data"/>: 64 bytes (ECDSA as r || s over SHA-256, or Ed25519).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) =>
        _ecdsa is not null
            ? _ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            : SignatureAlgorithm.Ed25519.Sign(_ed25519!, data);

    /// <summary>The key as a PEM <c>PRIVATE KEY</c> (PKCS#8).</summary>
    public string ToPem() =>
        _ecdsa is not null
            ? PemEncoding.WriteString("PRIVATE KEY", _ecdsa.ExportPkcs8PrivateKey())
            : PemEncoding.WriteString("PRIVATE KEY", _ed25519!.Export(KeyBlobFormat.PkixPrivateKey));

    private static UserPublicKey PublicKeyOf(byte[] subjectPublicKeyInfo) =>
        UserPublicKey.TryParse(Convert.ToBase64String(subjectPublicKeyInfo), out var key, out var error)
            ? key
            : throw new CryptographicException($"the public half of a new key does not parse: {error}");

    /// <inheritdoc />
    public void Dispose()
    {
        _ecdsa?.Dispose();
        _ed25519?.Dispose();
    }
}
