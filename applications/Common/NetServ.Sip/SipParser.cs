using System.Text;
using static NetServ.Sip.SipSyntax;

namespace NetServ.Sip;

/// <summary>
/// Reads the start line of a SIP message from bytes (RFC 3261 section 7.1 and 7.2). Nothing is
/// allocated and nothing is copied: the parts are spans over the message. Returns
/// <see langword="false"/> for anything that is not a well-formed start line.
/// </summary>
public static class SipParser
{
    /// <summary>The version SIP/2.0 speaks.</summary>
    public static ReadOnlySpan<byte> Version => "SIP/2.0"u8;

    /// <summary>Parses <c>Method SP Request-URI SP SIP/2.0 CRLF</c> at the start of <paramref name="message"/>; <paramref name="consumed"/> is where the headers start.</summary>
    public static bool TryParseRequestLine(ReadOnlySpan<byte> message, out SipRequestLine line, out int consumed)
    {
        line = default;
        consumed = 0;
        var end = LineEnd(message, 0, out var terminator);
        if (end < 0)
        {
            return false;
        }

        var text = message[..end];
        var firstSpace = text.IndexOf(Space);
        if (firstSpace <= 0)
        {
            return false;
        }

        var method = text[..firstSpace];
        var rest = text[(firstSpace + 1)..];
        var secondSpace = rest.IndexOf(Space);
        if (secondSpace <= 0)
        {
            return false;
        }

        var uri = rest[..secondSpace];
        var version = rest[(secondSpace + 1)..];
        if (!IsToken(method) || uri.IndexOfAnyInRange((byte)0, (byte)' ') >= 0 || uri.Contains((byte)0x7F) || !Ascii.EqualsIgnoreCase(version, Version))
        {
            return false;
        }

        line = new SipRequestLine(method, uri, version);
        consumed = end + terminator;
        return true;
    }

    /// <summary>Parses <c>SIP/2.0 SP 3DIGIT SP Reason-Phrase CRLF</c> at the start of <paramref name="message"/>; <paramref name="consumed"/> is where the headers start.</summary>
    public static bool TryParseStatusLine(ReadOnlySpan<byte> message, out SipStatusLine line, out int consumed)
    {
        line = default;
        consumed = 0;
        var end = LineEnd(message, 0, out var terminator);
        var prefix = Version.Length;
        if (end < prefix + 5 || !Ascii.EqualsIgnoreCase(message[..prefix], Version) || message[prefix] != Space || message[prefix + 4] != Space)
        {
            return false;
        }

        var code = 0;
        foreach (var digit in message.Slice(prefix + 1, 3))
        {
            if (!char.IsAsciiDigit((char)digit))
            {
                return false;
            }

            code = (code * 10) + (digit - '0');
        }

        if (code is < 100 or > 699)
        {
            return false;
        }

        line = new SipStatusLine(code, message[(prefix + 5)..end]);
        consumed = end + terminator;
        return true;
    }
}
