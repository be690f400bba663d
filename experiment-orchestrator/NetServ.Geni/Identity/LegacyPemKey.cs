using System.Security.Cryptography;

namespace NetServ.Geni.Identity;

/// <summary>
/// Decrypts the legacy OpenSSL private key form (<c>Proc-Type: 4,ENCRYPTED</c>,
/// <c>DEK-Info: DES-EDE3-CBC,&lt;iv&gt;</c>), which .NET does not read: the key is derived from
/// the passphrase with EVP_BytesToKey (MD5, one iteration, salt = the first 8 bytes of the IV)
/// and the DER is CBC-encrypted with PKCS#7 padding. Writes it too, as CloudLab hands keys out.
/// </summary>
internal static class LegacyPemKey
{
    /// <summary>The DER (PKCS#1 RSAPrivateKey) inside, or <see langword="null"/> when the padding shows the passphrase is wrong.</summary>
    /// <exception cref="IdentityException">The cipher is not one OpenSSL writes in this form, or the IV is malformed.</exception>
    public static byte[]? Decrypt(string dekInfo, ReadOnlySpan<byte> encrypted, string passphrase)
    {
        var comma = dekInfo.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0)
        {
            throw new IdentityException($"the key's DEK-Info \"{dekInfo}\" has no IV");
        }

        var cipher = dekInfo[..comma].Trim().ToUpperInvariant();
        byte[] iv;
        try
        {
            iv = Convert.FromHexString(dekInfo[(comma + 1)..].Trim());
        }
        catch (FormatException e)
        {
            throw new IdentityException($"the key's DEK-Info IV is not hexadecimal: {dekInfo}", e);
        }

        using SymmetricAlgorithm algorithm = cipher switch
        {
#pragma warning disable CA5350 // CloudLab encrypts its users' keys with Triple-DES: reading them needs it.
            "DES-EDE3-CBC" => TripleDES.Create(),
#pragma warning restore CA5350
            "AES-128-CBC" or "AES-192-CBC" or "AES-256-CBC" => Aes.Create(),
            _ => throw new IdentityException($"the key is encrypted with {cipher}; keys encrypted with DES-EDE3-CBC or AES-CBC are read"),
        };
        var keyLength = cipher switch
        {
            "AES-128-CBC" => 16,
            "AES-192-CBC" or "DES-EDE3-CBC" => 24,
            _ => 32,
        };
        if (iv.Length != algorithm.BlockSize / 8)
        {
            throw new IdentityException($"the key's IV is {iv.Length} bytes; {cipher} takes {algorithm.BlockSize / 8}");
        }

        var key = BytesToKey(System.Text.Encoding.UTF8.GetBytes(passphrase), iv.AsSpan(0, 8), keyLength);
        try
        {
            algorithm.Key = key;
            return algorithm.DecryptCbc(encrypted, iv, PaddingMode.PKCS7);
        }
        catch (CryptographicException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// <paramref name="rsaPrivateKey"/> (PKCS#1 RSAPrivateKey DER) as <c>BEGIN RSA PRIVATE KEY</c> with
    /// <c>Proc-Type: 4,ENCRYPTED</c> and <c>DEK-Info: DES-EDE3-CBC,&lt;iv&gt;</c>, as <c>openssl rsa -des3 -traditional</c> writes it.
    /// </summary>
    public static string EncryptToPem(ReadOnlySpan<byte> rsaPrivateKey, string passphrase)
    {
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        var iv = RandomNumberGenerator.GetBytes(8);
        var key = BytesToKey(System.Text.Encoding.UTF8.GetBytes(passphrase), iv, 24);
        try
        {
#pragma warning disable CA5350 // CloudLab's layout, which every GENI tool reads: Triple-DES is what it has.
            using var des3 = TripleDES.Create();
#pragma warning restore CA5350
            des3.Key = key;
            var encrypted = des3.EncryptCbc(rsaPrivateKey, iv, PaddingMode.PKCS7);
            var body = new System.Text.StringBuilder()
                .Append("-----BEGIN RSA PRIVATE KEY-----\n")
                .Append("Proc-Type: 4,ENCRYPTED\n")
                .Append("DEK-Info: DES-EDE3-CBC,").Append(Convert.ToHexString(iv)).Append("\n\n");
            var base64 = Convert.ToBase64String(encrypted);
            for (var i = 0; i < base64.Length; i += 64)
            {
                body.Append(base64.AsSpan(i, Math.Min(64, base64.Length - i))).Append('\n');
            }

            return body.Append("-----END RSA PRIVATE KEY-----\n").ToString();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>OpenSSL's EVP_BytesToKey with MD5 and one iteration: D_i = MD5(D_{i-1} || passphrase || salt).</summary>
    internal static byte[] BytesToKey(ReadOnlySpan<byte> passphrase, ReadOnlySpan<byte> salt, int length)
    {
        var key = new byte[length];
        var input = new byte[MD5.HashSizeInBytes + passphrase.Length + salt.Length];
        Span<byte> digest = stackalloc byte[MD5.HashSizeInBytes];
        var previous = 0;
        for (var filled = 0; filled < length; filled += digest.Length)
        {
            digest[..previous].CopyTo(input);
            passphrase.CopyTo(input.AsSpan(previous));
            salt.CopyTo(input.AsSpan(previous + passphrase.Length));
#pragma warning disable CA5351 // EVP_BytesToKey is defined with MD5: the format fixes it, this only reads it.
            MD5.HashData(input.AsSpan(0, previous + passphrase.Length + salt.Length), digest);
#pragma warning restore CA5351
            digest[..Math.Min(digest.Length, length - filled)].CopyTo(key.AsSpan(filled));
            previous = digest.Length;
        }

        CryptographicOperations.ZeroMemory(input);
        return key;
    }
}
