using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography;

namespace NetServ.Signaling.Security;

/// <summary>The signature algorithms a NetServ user's key may use (paper section 5.2).</summary>
public enum UserKeyAlgorithm
{
    /// <summary>ECDSA on NIST P-256 with SHA-256.</summary>
    EcdsaP256,

    /// <summary>Ed25519 (RFC 8032).</summary>
    Ed25519,
}

/// <summary>A user's public key as configured on the node: a PEM <c>PUBLIC KEY</c> (SubjectPublicKeyInfo).</summary>
public sealed class UserPublicKey
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private const string Ed25519Oid = "1.3.101.112";

    private UserPublicKey(UserKeyAlgorithm algorithm, byte[] subjectPublicKeyInfo, byte[] publicKey)
    {
        Algorithm = algorithm;
        SubjectPublicKeyInfo = subjectPublicKeyInfo;
        PublicKey = publicKey;
    }

    /// <summary>The key's algorithm.</summary>
    public UserKeyAlgorithm Algorithm { get; }

    /// <summary>The DER SubjectPublicKeyInfo.</summary>
    public byte[] SubjectPublicKeyInfo { get; }

    /// <summary>The raw public key bits (an uncompressed EC point, or 32 Ed25519 bytes).</summary>
    public byte[] PublicKey { get; }

    /// <summary>The key as a PEM <c>PUBLIC KEY</c>, the form the node's configuration holds.</summary>
    public string ToPem() => PemEncoding.WriteString("PUBLIC KEY", SubjectPublicKeyInfo);

    /// <summary>Whether <paramref name="signature"/> is this key's signature over <paramref name="data"/>.</summary>
    /// <remarks>ECDSA signatures are IEEE P1363 (r || s, 64 bytes) over SHA-256; Ed25519 signatures are 64 bytes.</remarks>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != 64)
        {
            return false;
        }

        switch (Algorithm)
        {
            case UserKeyAlgorithm.EcdsaP256:
                using (var ecdsa = ECDsa.Create())
                {
                    ecdsa.ImportSubjectPublicKeyInfo(SubjectPublicKeyInfo, out _);
                    return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
                }

            default:
                var key = NSec.Cryptography.PublicKey.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519, PublicKey, NSec.Cryptography.KeyBlobFormat.RawPublicKey);
                return NSec.Cryptography.SignatureAlgorithm.Ed25519.Verify(key, data, signature);
        }
    }

    /// <summary>Parses a PEM <c>PUBLIC KEY</c>, or its base64 body alone.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out UserPublicKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        byte[] der;
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            if (!PemEncoding.TryFind(text, out var fields))
            {
                error = "the PEM block is malformed";
                return false;
            }

            var label = text[fields.Label];
            if (!string.Equals(label, "PUBLIC KEY", StringComparison.Ordinal))
            {
                error = $"expected a PEM 'PUBLIC KEY', found '{label}'";
                return false;
            }

            der = Convert.FromBase64String(text[fields.Base64Data]);
        }
        else
        {
            try
            {
                der = Convert.FromBase64String(text.Trim());
            }
            catch (FormatException)
            {
                error = "the key is neither PEM nor base64";
                return false;
            }
        }

        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var spki = reader.ReadSequence();
            if (reader.HasData)
            {
                error = "the key has bytes after its SubjectPublicKeyInfo";
                return false;
            }

            var algorithm = spki.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            string? parameter = algorithm.HasData && algorithm.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier) ? algorithm.ReadObjectIdentifier() : null;
            var bits = spki.ReadBitString(out _);
            switch (oid)
            {
                case EcPublicKeyOid when parameter == P256Oid && bits.Length == 65:
                    // Importing checks that the point lies on the curve.
                    using (var ecdsa = ECDsa.Create())
                    {
                        ecdsa.ImportSubjectPublicKeyInfo(der, out _);
                    }

                    key = new UserPublicKey(UserKeyAlgorithm.EcdsaP256, der, bits);
                    break;
                case EcPublicKeyOid:
                    error = "only the P-256 curve is supported for ECDSA keys";
                    return false;
                case Ed25519Oid when bits.Length == 32:
                    key = new UserPublicKey(UserKeyAlgorithm.Ed25519, der, bits);
                    break;
                default:
                    error = $"unsupported key algorithm {oid}: use ECDSA P-256 or Ed25519";
                    return false;
            }
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or FormatException)
        {
            error = $"the key is not a SubjectPublicKeyInfo: {e.Message}";
            return false;
        }

        error = null;
        return true;
    }
}
