using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using NetServ.Contracts.Configuration;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;

namespace NetServ.Node.Signaling;

/// <summary>
/// Authenticates requests that arrive by signaling (paper section 5.2): the user must be
/// configured with a public key, the signature must verify over the canonical request, the
/// timestamp must be recent, and a nonce is accepted once (a replayed request is refused).
/// </summary>
internal sealed class RequestAuthenticator
{
    private readonly Dictionary<string, UserPublicKey> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _seenNonces = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    /// <summary>How long a nonce is remembered: as long as its timestamp could still pass the clock check.</summary>
    public static TimeSpan NonceMemory => NslpSignature.MaxClockSkew * 2;

    public RequestAuthenticator(IOptions<NodeConfiguration> options, TimeProvider time)
    {
        _time = time;
        foreach (var user in options.Value.Users)
        {
            if (user.PublicKey is { Length: > 0 } pem && UserPublicKey.TryParse(pem, out var key, out _))
            {
                _keys[user.Name] = key;
            }
        }
    }

    /// <summary>Checks <paramref name="request"/>; on failure the error says why, in words for the user.</summary>
    public bool TryAuthenticate(NslpRequest request, [NotNullWhen(true)] out string? user, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        user = request.Headers[NslpHeaderNames.User]?.Trim();
        if (string.IsNullOrEmpty(user))
        {
            error = "the request names no user";
            user = null;
            return false;
        }

        if (!_keys.TryGetValue(user, out var key))
        {
            error = $"unknown user '{user}' (or no public key configured for it on this node)";
            user = null;
            return false;
        }

        var now = _time.GetUtcNow();
        if (!NslpSignature.Verify(request, key, now, out error))
        {
            user = null;
            return false;
        }

        var nonce = $"{user}/{request.Headers[NslpHeaderNames.Nonce]}";
        lock (_lock)
        {
            // Nonces are kept as long as their timestamps could still pass the clock check.
            foreach (var expired in _seenNonces.Where(p => now - p.Value > NonceMemory).Select(p => p.Key).ToArray())
            {
                _seenNonces.Remove(expired);
            }

            if (!_seenNonces.TryAdd(nonce, now))
            {
                error = "the request was seen before (replayed nonce)";
                user = null;
                return false;
            }
        }

        return true;
    }
}
