using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace NetServ.Testbed.Ssh;

/// <summary>What a node's presented host key means against its pins.</summary>
internal enum HostKeyVerdict
{
    /// <summary>The key is the one pinned.</summary>
    Trusted,

    /// <summary>Nothing pins a key for the node (or only the manifest does, and the key matches it): record it.</summary>
    FirstContact,

    /// <summary>A different key is pinned: refuse the connection.</summary>
    Changed,
}

/// <summary>
/// Host key pinning in OpenSSH's known_hosts format (<c>[host]:port key-type base64-key</c>), so the experiment's
/// file also works with <c>ssh -o UserKnownHostsFile=…</c>. Parsing and checking work on text and key bytes; the
/// session reads and appends the file.
/// </summary>
/// <remarks>Hashed host names (<c>|1|…</c>) and <c>@cert-authority</c>/<c>@revoked</c> lines are skipped: the session writes neither.</remarks>
internal static class KnownHosts
{
    /// <summary>How SHA-256 fingerprints start, as <c>ssh-keygen -l</c> prints them.</summary>
    public const string FingerprintPrefix = "SHA256:";

    /// <summary>The name known_hosts gives the node: the host alone on port 22, <c>[host]:port</c> on any other.</summary>
    public static string HostField(string host, int port) => port == 22 ? host : $"[{host}]:{port}";

    /// <summary>The SHA-256 fingerprint of a public key blob, as <c>ssh-keygen -l</c> prints it.</summary>
    public static string Fingerprint(ReadOnlySpan<byte> keyBlob) =>
        FingerprintPrefix + Convert.ToBase64String(SHA256.HashData(keyBlob)).TrimEnd('=');

    /// <summary>
    /// The key type a public key blob names in its first field (<c>ssh-ed25519</c>, <c>ssh-rsa</c>…). The type, not the
    /// signature algorithm SSH.NET negotiated (<c>rsa-sha2-512</c> is an <c>ssh-rsa</c> key).
    /// </summary>
    public static bool TryReadKeyType(ReadOnlySpan<byte> keyBlob, out string keyType)
    {
        keyType = "";
        if (keyBlob.Length < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(keyBlob);
        if (length == 0 || length > (uint)(keyBlob.Length - 4))
        {
            return false;
        }

        keyType = Encoding.ASCII.GetString(keyBlob.Slice(4, (int)length));
        return true;
    }

    /// <summary>The known_hosts line that pins <paramref name="keyBlob"/> for the node, without a line end.</summary>
    public static string Line(string host, int port, ReadOnlySpan<byte> keyBlob)
    {
        if (!TryReadKeyType(keyBlob, out var keyType))
        {
            throw new ArgumentException("not an SSH public key blob", nameof(keyBlob));
        }

        return $"{HostField(host, port)} {keyType} {Convert.ToBase64String(keyBlob)}";
    }

    /// <summary>The keys <paramref name="knownHostsText"/> pins for the node, in file order; lines that do not parse are skipped.</summary>
    public static IReadOnlyList<byte[]> Find(string knownHostsText, string host, int port)
    {
        ArgumentNullException.ThrowIfNull(knownHostsText);
        var name = HostField(host, port);
        var keys = new List<byte[]>();
        foreach (var rawLine in knownHostsText.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] is '#' or '@' or '|')
            {
                continue;
            }

            var fields = line.Split((char[]?)null, 4, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3 || !fields[0].Split(',').Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var blob = new byte[fields[2].Length];
            if (Convert.TryFromBase64String(fields[2], blob, out var written))
            {
                keys.Add(blob[..written]);
            }
        }

        return keys;
    }

    /// <summary>
    /// Checks <paramref name="presentedKey"/> against the manifest's fingerprint (when given) and the keys the file pins
    /// for the node. On <see cref="HostKeyVerdict.Changed"/>, <paramref name="expectedFingerprint"/> is the pin it broke.
    /// </summary>
    public static HostKeyVerdict Check(ReadOnlySpan<byte> presentedKey, string? manifestFingerprint, IReadOnlyList<byte[]> pinnedKeys, out string? expectedFingerprint)
    {
        ArgumentNullException.ThrowIfNull(pinnedKeys);
        expectedFingerprint = null;
        if (manifestFingerprint is not null && !string.Equals(Fingerprint(presentedKey), manifestFingerprint, StringComparison.Ordinal))
        {
            expectedFingerprint = manifestFingerprint;
            return HostKeyVerdict.Changed;
        }

        if (pinnedKeys.Count == 0)
        {
            return HostKeyVerdict.FirstContact;
        }

        foreach (var key in pinnedKeys)
        {
            if (presentedKey.SequenceEqual(key))
            {
                return HostKeyVerdict.Trusted;
            }
        }

        // A node that now presents a key of another type has changed as surely as one with a new key of the same type:
        // the same client negotiates the same type with an unchanged sshd.
        expectedFingerprint = Fingerprint(pinnedKeys[0]);
        return HostKeyVerdict.Changed;
    }
}
