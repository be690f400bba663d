namespace ServerModule1;

/// <summary>
/// The module's protocol, apart from its socket: what the server answers to one request. It takes and
/// writes bytes only, so tests check it without a network.
/// </summary>
internal static class Greeting
{
    /// <summary>What every reply starts with.</summary>
    public static ReadOnlySpan<byte> Prefix => "hello "u8;

    /// <summary>Writes the reply to <paramref name="request"/> (the prefix, then the request) into <paramref name="reply"/>.</summary>
    /// <returns><see langword="false"/> when <paramref name="reply"/> is too small; nothing is written then.</returns>
    public static bool TryWrite(ReadOnlySpan<byte> request, Span<byte> reply, out int written)
    {
        written = 0;
        if (reply.Length < Prefix.Length + request.Length)
        {
            return false;
        }

        Prefix.CopyTo(reply);
        request.CopyTo(reply[Prefix.Length..]);
        written = Prefix.Length + request.Length;
        return true;
    }
}
