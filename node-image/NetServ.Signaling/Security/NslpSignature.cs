using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NetServ.Signaling.Nslp;

namespace NetServ.Signaling.Security;

/// <summary>
/// Signs and verifies NSLP requests (paper section 5.2). The signature covers the canonical form
/// of the whole request — start line, every header but <c>signature</c> sorted by name, and the
/// body — so the URL, the module digest, the filter and the user cannot be changed on the way.
/// A nonce and a timestamp are signed with it, so a captured request cannot be replayed later.
/// </summary>
public static class NslpSignature
{
    /// <summary>How far a request's timestamp may be from the node's clock.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The bytes that are signed.</summary>
    public static byte[] CanonicalForm(NslpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = new StringBuilder();
        text.Append(NslpRequest.MethodName(request.Method)).Append(' ').Append(request.Target).Append(' ').Append(request.Version).Append('\n');
        foreach (var (name, value) in request.Headers
            .Where(h => h.Key is not NslpHeaderNames.Signature and not NslpHeaderNames.ContentLength)
            .OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append(':').Append(value.Trim()).Append('\n');
        }

        text.Append('\n');
        var head = Encoding.UTF8.GetBytes(text.ToString());
        return [.. head, .. request.Body.Span];
    }

    /// <summary>Adds a nonce, a timestamp and the signature of <paramref name="key"/>.</summary>
    public static void Sign(NslpRequest request, UserPrivateKey key, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(time);
        request.Headers[NslpHeaderNames.Nonce] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        request.Headers[NslpHeaderNames.Timestamp] = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        request.Headers.Remove(NslpHeaderNames.Signature);
        request.Headers[NslpHeaderNames.Signature] = Convert.ToBase64String(key.Sign(CanonicalForm(request)));
    }

    /// <summary>
    /// Checks the signature against <paramref name="key"/> and the timestamp against
    /// <paramref name="now"/>. Does not remember nonces: the caller rejects repeats.
    /// </summary>
    public static bool Verify(NslpRequest request, UserPublicKey key, DateTimeOffset now, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(key);
        var signatureText = request.Headers[NslpHeaderNames.Signature];
        if (string.IsNullOrWhiteSpace(signatureText))
        {
            error = "the request is not signed (no signature header)";
            return false;
        }

        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(signatureText.Trim());
        }
        catch (FormatException)
        {
            error = "the signature header is not base64";
            return false;
        }

        if (string.IsNullOrWhiteSpace(request.Headers[NslpHeaderNames.Nonce]))
        {
            error = "the request has no nonce";
            return false;
        }

        if (!long.TryParse(request.Headers[NslpHeaderNames.Timestamp], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            error = "the request has no valid timestamp";
            return false;
        }

        var timestamp = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
        if ((now - timestamp).Duration() > MaxClockSkew)
        {
            error = $"the request's timestamp {timestamp:O} is more than {MaxClockSkew.TotalMinutes:0} minutes from the node's clock {now:O}";
            return false;
        }

        if (!key.Verify(CanonicalForm(request), signature))
        {
            error = "the signature does not verify with the user's public key";
            return false;
        }

        error = null;
        return true;
    }
}
