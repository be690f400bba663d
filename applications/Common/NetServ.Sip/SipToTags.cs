using System.Security.Cryptography;

namespace NetServ.Sip;

/// <summary>
/// Makes the To tags of a responder that keeps no state. RFC 3261 section 19.3 asks for tags that
/// are globally unique and cryptographically random, with at least 32 bits of randomness, and
/// section 8.2.7 asks a stateless UAS for the same tag whenever the same request comes again (a
/// retransmission). So the tag is a keyed hash of what names the dialog on the caller's side, Call-ID
/// and From tag: one tag per dialog, unpredictable without the key, 64 bits, and nothing to remember
/// or allocate per request.
/// </summary>
/// <remarks>
/// The keyed hash is the first 64 bits of SHA-256 over a random key of the responder's followed by
/// the dialog's names. Cut to 64 of its 256 bits, the digest gives away nothing to extend (a length
/// extension needs the whole state), so it serves as well as an HMAC here at the cost of one digest:
/// an HMAC-SHA256 per request, whose key setup OpenSSL repeats on every call, took a third of the
/// KeepAlive module's forwarding rate (the paper's configuration 6).
/// </remarks>
public sealed class SipToTags
{
    /// <summary>How long a tag is: 16 lower-case hex digits (64 bits).</summary>
    public const int Length = 16;

    /// <summary>Call-ID and From tag are hashed from a buffer on the stack up to this size; longer ones are digested first.</summary>
    private const int StackInput = 256;

    /// <summary>The key's length: as long as the digest, and kept apart from the message by its fixed length.</summary>
    private const int KeyLength = 32;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(KeyLength);

    /// <summary>Writes the tag for the dialog <paramref name="callId"/> and <paramref name="fromTag"/> into the first <see cref="Length"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(ReadOnlySpan<byte> callId, ReadOnlySpan<byte> fromTag, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length);
        Span<byte> keyed = stackalloc byte[KeyLength + StackInput];
        _key.CopyTo(keyed);
        var input = keyed[KeyLength..];
        var length = callId.Length + 1 + fromTag.Length;

        // A byte no token contains keeps "ab"+"c" apart from "a"+"bc".
        if (length <= input.Length)
        {
            callId.CopyTo(input);
            input[callId.Length] = 0;
            fromTag.CopyTo(input[(callId.Length + 1)..]);
        }
        else
        {
            // Only values of hundreds of bytes get here: digesting them keeps the input on the stack.
            SHA256.HashData(callId, input);
            input[SHA256.HashSizeInBytes] = 0;
            SHA256.HashData(fromTag, input[(SHA256.HashSizeInBytes + 1)..]);
            length = (2 * SHA256.HashSizeInBytes) + 1;
        }

        Span<byte> mac = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(keyed[..(KeyLength + length)], mac);
        for (var i = 0; i < Length / 2; i++)
        {
            destination[2 * i] = Hex(mac[i] >> 4);
            destination[(2 * i) + 1] = Hex(mac[i] & 0xF);
        }
    }

    private static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
