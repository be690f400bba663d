using System.Buffers;

namespace NetServ.Sip;

/// <summary>The character classes of RFC 3261's grammar (section 25.1).</summary>
internal static class SipSyntax
{
    public const byte Space = (byte)' ';
    public const byte Tab = (byte)'\t';
    public const byte Cr = (byte)'\r';
    public const byte Lf = (byte)'\n';

    /// <summary>token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~").</summary>
    public static readonly SearchValues<byte> Token = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~"u8);

    /// <summary>Linear white space, folding included: what may stand between the words of a header value.</summary>
    public static ReadOnlySpan<byte> Lws => " \t\r\n"u8;

    public static bool IsWhiteSpace(byte b) => b is Space or Tab;

    /// <summary>Where the line starting at <paramref name="start"/> ends (CRLF, or a bare LF, which section 7.5 asks receivers to tolerate), or -1.</summary>
    public static int LineEnd(ReadOnlySpan<byte> message, int start, out int terminatorLength)
    {
        var lf = message[start..].IndexOf(Lf);
        if (lf < 0)
        {
            terminatorLength = 0;
            return -1;
        }

        lf += start;
        var crlf = lf > start && message[lf - 1] == Cr;
        terminatorLength = crlf ? 2 : 1;
        return crlf ? lf - 1 : lf;
    }

    /// <summary>Whether the span is a non-empty token.</summary>
    public static bool IsToken(ReadOnlySpan<byte> span) => span.Length > 0 && !span.ContainsAnyExcept(Token);
}
