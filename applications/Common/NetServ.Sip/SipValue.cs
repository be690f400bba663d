using System.Text;
using static NetServ.Sip.SipSyntax;

namespace NetServ.Sip;

/// <summary>Reads and writes header values without allocating, across folded lines (RFC 3261 section 7.3.1).</summary>
public static class SipValue
{
    /// <summary>The first token of a value, after any white space: <c>keep-alive</c> of <c>keep-alive;id=1</c>. Empty when the value does not start with one.</summary>
    public static ReadOnlySpan<byte> FirstToken(ReadOnlySpan<byte> value)
    {
        var start = value.IndexOfAnyExcept(Lws);
        if (start < 0)
        {
            return [];
        }

        value = value[start..];
        var length = value.IndexOfAnyExcept(Token);
        return length < 0 ? value : value[..length];
    }

    /// <summary>
    /// Whether an Event value names the package <paramref name="package"/> (RFC 6665 section 8.2.1:
    /// <c>event-type *( SEMI event-param )</c>); compared without regard to case, as receivers here are tolerant.
    /// </summary>
    public static bool IsEvent(ReadOnlySpan<byte> value, ReadOnlySpan<byte> package)
    {
        var token = FirstToken(value);
        if (!Ascii.EqualsIgnoreCase(token, package))
        {
            return false;
        }

        // Only parameters may follow the package name.
        var rest = value[(value.IndexOf(token) + token.Length)..].TrimStart(Lws);
        return rest.IsEmpty || rest[0] == (byte)';';
    }

    /// <summary>Reads <c>CSeq: 1*DIGIT LWS Method</c>.</summary>
    public static bool TryParseCSeq(ReadOnlySpan<byte> value, out uint sequence, out ReadOnlySpan<byte> method)
    {
        sequence = 0;
        method = [];
        value = value.Trim(Lws);
        var digits = value.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        if (digits is <= 0 or > 10 || !IsWhiteSpaceOrBreak(value[digits]))
        {
            return false;
        }

        ulong number = 0;
        foreach (var digit in value[..digits])
        {
            number = (number * 10) + (ulong)(digit - '0');
        }

        // RFC 3261 section 8.1.1.5: less than 2**31.
        if (number >= 1u << 31)
        {
            return false;
        }

        var rest = value[digits..].TrimStart(Lws);
        if (!IsToken(rest))
        {
            return false;
        }

        sequence = (uint)number;
        method = rest;
        return true;
    }

    /// <summary>Reads <c>Content-Length: 1*DIGIT</c>.</summary>
    public static bool TryParseContentLength(ReadOnlySpan<byte> value, out int length)
    {
        length = 0;
        value = value.Trim(Lws);
        if (value.IsEmpty || value.Length > 9 || value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
        {
            return false;
        }

        foreach (var digit in value)
        {
            length = (length * 10) + (digit - '0');
        }

        return true;
    }

    /// <summary>
    /// Whether a From, To or Contact value carries the header parameter <paramref name="name"/>
    /// (<c>;tag=</c>, say). Parameters inside the angle brackets belong to the URI and do not count;
    /// nor does anything inside a quoted display name.
    /// </summary>
    public static bool HasParameter(ReadOnlySpan<byte> value, ReadOnlySpan<byte> name) => TryGetParameter(value, name, out _);

    /// <summary>
    /// The value of the header parameter <paramref name="name"/> of a From, To or Contact value (the
    /// token after <c>;tag=</c>, say; empty when the parameter has no value), as <see cref="HasParameter"/> finds it.
    /// </summary>
    public static bool TryGetParameter(ReadOnlySpan<byte> value, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> parameterValue)
    {
        parameterValue = [];
        var parameters = HeaderParameters(value);
        while (true)
        {
            var semicolon = parameters.IndexOf((byte)';');
            if (semicolon < 0)
            {
                return false;
            }

            parameters = parameters[(semicolon + 1)..];
            var candidate = FirstToken(parameters);
            if (Ascii.EqualsIgnoreCase(candidate, name))
            {
                var after = parameters[(parameters.IndexOf(candidate) + candidate.Length)..].TrimStart(Lws);
                if (after.IsEmpty || after[0] == (byte)';')
                {
                    return true;
                }

                if (after[0] == (byte)'=')
                {
                    parameterValue = FirstToken(after[1..]);
                    return true;
                }
            }
        }
    }

    /// <summary>Copies <paramref name="value"/> to <paramref name="destination"/> on one line: every fold becomes one space.</summary>
    public static bool TryWriteUnfolded(ReadOnlySpan<byte> value, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        var written = 0;
        var i = 0;
        while (i < value.Length)
        {
            var b = value[i];
            if (b is Cr or Lf)
            {
                while (written > 0 && IsWhiteSpace(destination[written - 1]))
                {
                    written--;
                }

                while (i < value.Length && value[i] is Cr or Lf or Space or Tab)
                {
                    i++;
                }

                b = Space;
            }
            else
            {
                i++;
            }

            if (written == destination.Length)
            {
                return false;
            }

            destination[written++] = b;
        }

        bytesWritten = written;
        return true;
    }

    /// <summary>The part of a name-addr or addr-spec value after the address, where header parameters stand.</summary>
    private static ReadOnlySpan<byte> HeaderParameters(ReadOnlySpan<byte> value)
    {
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            switch (value[i])
            {
                case (byte)'"':
                    quoted = !quoted;
                    break;
                case (byte)'\\' when quoted:
                    i++;
                    break;
                case (byte)'<' when !quoted:
                    var close = value[i..].IndexOf((byte)'>');
                    return close < 0 ? [] : value[(i + close + 1)..];
            }
        }

        // An addr-spec without brackets: its parameters are the header's (RFC 3261 section 20).
        return quoted ? [] : value;
    }

    private static bool IsWhiteSpaceOrBreak(byte b) => b is Space or Tab or Cr or Lf;
}
