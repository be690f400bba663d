using System.Buffers.Text;

namespace NetServ.Apps.OverloadControl;

/// <summary>What the Receiving Entity asks for: a target rate of requests per second, or a fraction to reject.</summary>
internal enum FeedbackKind : byte
{
    /// <summary>Let at most <see cref="OverloadFeedback.Value"/> requests per second through.</summary>
    Rate,

    /// <summary>Reject the fraction <see cref="OverloadFeedback.Value"/> (0 to 1) of requests.</summary>
    Drop,

    /// <summary>The server is no longer overloaded: let everything through.</summary>
    Off,
}

/// <summary>
/// One feedback datagram from the overloaded SIP server (the Receiving Entity) to the module (the
/// Sending Entity). The format is one ASCII line, fields separated by spaces, an optional CRLF:
/// <code>
/// OC-FEEDBACK rate=120 seq=7      admit at most 120 requests/s (a decimal number, 0 rejects all)
/// OC-FEEDBACK drop=0.25 seq=8     reject a quarter of the requests
/// OC-FEEDBACK off seq=9           no longer overloaded: pass everything
/// </code>
/// <c>seq</c> is the sender's counter (optional, default 0); a module ignores feedback older than
/// the last it applied. Unknown <c>key=value</c> fields are ignored so the format can grow.
/// </summary>
internal readonly record struct OverloadFeedback(FeedbackKind Kind, double Value, long Sequence)
{
    /// <summary>The first word of every feedback datagram.</summary>
    public static ReadOnlySpan<byte> Magic => "OC-FEEDBACK"u8;

    /// <summary>Parses one datagram; <see langword="false"/> when it is not well-formed feedback.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out OverloadFeedback feedback)
    {
        feedback = default;
        if (datagram.EndsWith("\r\n"u8))
        {
            datagram = datagram[..^2];
        }
        else if (datagram.EndsWith("\n"u8))
        {
            datagram = datagram[..^1];
        }

        if (!datagram.StartsWith(Magic) || datagram.Length == Magic.Length || datagram[Magic.Length] != (byte)' ')
        {
            return false;
        }

        FeedbackKind? kind = null;
        double value = 0;
        long sequence = 0;
        var rest = datagram[(Magic.Length + 1)..];
        while (!rest.IsEmpty)
        {
            var space = rest.IndexOf((byte)' ');
            var field = space < 0 ? rest : rest[..space];
            rest = space < 0 ? [] : rest[(space + 1)..];
            if (field.IsEmpty)
            {
                continue;
            }

            if (field.SequenceEqual("off"u8))
            {
                if (kind is not null)
                {
                    return false;
                }

                kind = FeedbackKind.Off;
                continue;
            }

            var equals = field.IndexOf((byte)'=');
            if (equals <= 0)
            {
                return false;
            }

            var key = field[..equals];
            var text = field[(equals + 1)..];
            if (key.SequenceEqual("rate"u8) || key.SequenceEqual("drop"u8))
            {
                if (kind is not null || !TryParseNumber(text, out value))
                {
                    return false;
                }

                kind = key[0] == (byte)'r' ? FeedbackKind.Rate : FeedbackKind.Drop;
                if (kind == FeedbackKind.Drop && value > 1)
                {
                    return false;
                }
            }
            else if (key.SequenceEqual("seq"u8))
            {
                if (!Utf8Parser.TryParse(text, out sequence, out var used) || used != text.Length || sequence < 0)
                {
                    return false;
                }
            }
        }

        if (kind is not { } parsed)
        {
            return false;
        }

        feedback = new OverloadFeedback(parsed, value, sequence);
        return true;
    }

    /// <summary>Writes the datagram for this feedback; <see langword="false"/> when it does not fit.</summary>
    public bool TryFormat(Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        var text = Kind switch
        {
            FeedbackKind.Rate => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"OC-FEEDBACK rate={Value:0.###} seq={Sequence}"),
            FeedbackKind.Drop => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"OC-FEEDBACK drop={Value:0.####} seq={Sequence}"),
            _ => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"OC-FEEDBACK off seq={Sequence}"),
        };
        if (text.Length > destination.Length)
        {
            return false;
        }

        bytesWritten = System.Text.Encoding.ASCII.GetBytes(text, destination);
        return true;
    }

    private static bool TryParseNumber(ReadOnlySpan<byte> text, out double value) =>
        Utf8Parser.TryParse(text, out value, out var used) && used == text.Length && double.IsFinite(value) && value >= 0;
}
