using System.Buffers;
using System.Globalization;
using System.Text;

namespace NetServ.Signaling.Nslp;

/// <summary>The outcome of <see cref="NslpCodec.TryParse"/>.</summary>
public enum NslpParseStatus
{
    /// <summary>A whole message was parsed.</summary>
    Complete,

    /// <summary>The input ends before the message does; call again with more bytes.</summary>
    Incomplete,

    /// <summary>The input is not a valid message; the error says why.</summary>
    Invalid,
}

/// <summary>
/// Reads and writes NSLP messages in the textual format of the paper's Figure 4. Pure: bytes in,
/// messages out, no I/O. Every malformed input gives <see cref="NslpParseStatus.Invalid"/> with a
/// reason; no exception escapes.
/// </summary>
public static class NslpCodec
{
    /// <summary>The largest message (start line, headers and body) accepted.</summary>
    public const int MaxMessageLength = 1 << 20;

    /// <summary>The largest number of headers accepted.</summary>
    public const int MaxHeaders = 64;

    /// <summary>The longest line accepted.</summary>
    public const int MaxLineLength = 8192;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Parses one message from the start of <paramref name="input"/>. On <see cref="NslpParseStatus.Complete"/>,
    /// <paramref name="consumed"/> says how many bytes the message took.
    /// </summary>
    public static NslpParseStatus TryParse(ReadOnlySpan<byte> input, out int consumed, out NslpMessage? message, out string? error)
    {
        consumed = 0;
        message = null;
        error = null;

        // Tolerate line breaks before the start line, as HTTP does (keep-alive connections send them).
        var position = 0;
        while (position < input.Length && input[position] is (byte)'\r' or (byte)'\n')
        {
            position++;
        }

        var leading = position;
        NslpMessage? parsed = null;
        var headerCount = 0;
        while (true)
        {
            var remaining = input[position..];
            var newline = remaining.IndexOf((byte)'\n');
            if (newline < 0)
            {
                if (remaining.Length > MaxLineLength)
                {
                    error = "line too long";
                    return NslpParseStatus.Invalid;
                }

                // The blank lines before the start line count too, or a peer could send them without end.
                if (input.Length > MaxMessageLength)
                {
                    error = "message too long";
                    return NslpParseStatus.Invalid;
                }

                return NslpParseStatus.Incomplete;
            }

            if (newline > MaxLineLength)
            {
                error = "line too long";
                return NslpParseStatus.Invalid;
            }

            var lineBytes = remaining[..newline];
            if (!lineBytes.IsEmpty && lineBytes[^1] == (byte)'\r')
            {
                lineBytes = lineBytes[..^1];
            }

            // A CR is only allowed as part of a line's end: inside a header value it would be a line break
            // (NslpHeaders refuses those), and in an error message it would break the error header.
            if (lineBytes.Contains((byte)'\r'))
            {
                error = "a line holds a CR that does not end it";
                return NslpParseStatus.Invalid;
            }

            position += newline + 1;
            string line;
            try
            {
                line = StrictUtf8.GetString(lineBytes);
            }
            catch (DecoderFallbackException)
            {
                error = "message is not UTF-8 text";
                return NslpParseStatus.Invalid;
            }

            if (parsed is null)
            {
                parsed = ParseStartLine(line, out error);
                if (parsed is null)
                {
                    return NslpParseStatus.Invalid;
                }

                continue;
            }

            if (line.Length == 0)
            {
                break;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                error = $"header line '{Truncate(line)}' has no name followed by ':'";
                return NslpParseStatus.Invalid;
            }

            var name = line[..colon].Trim();
            if (!IsToken(name))
            {
                error = $"header name '{Truncate(name)}' is not a token";
                return NslpParseStatus.Invalid;
            }

            if (++headerCount > MaxHeaders)
            {
                error = $"more than {MaxHeaders} headers";
                return NslpParseStatus.Invalid;
            }

            parsed.Headers.Add(name, line[(colon + 1)..].Trim());
        }

        var lengthText = parsed.Headers[NslpHeaderNames.ContentLength];
        var bodyLength = 0;
        if (lengthText is not null
            && (!int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out bodyLength) || bodyLength > MaxMessageLength))
        {
            error = $"content-length '{Truncate(lengthText)}' is not a length up to {MaxMessageLength}";
            return NslpParseStatus.Invalid;
        }

        if (position - leading + bodyLength > MaxMessageLength)
        {
            error = "message too long";
            return NslpParseStatus.Invalid;
        }

        if (input.Length - position < bodyLength)
        {
            return NslpParseStatus.Incomplete;
        }

        parsed.Body = input.Slice(position, bodyLength).ToArray();
        consumed = position + bodyLength;
        message = parsed;
        return NslpParseStatus.Complete;
    }

    /// <summary>Parses exactly one whole message; anything else is an error.</summary>
    public static bool TryParseWhole(ReadOnlySpan<byte> input, out NslpMessage? message, out string? error)
    {
        switch (TryParse(input, out var consumed, out message, out error))
        {
            case NslpParseStatus.Complete when consumed == input.Length:
                return true;
            case NslpParseStatus.Complete:
                message = null;
                error = "bytes follow the end of the message";
                return false;
            case NslpParseStatus.Incomplete:
                error = "message is truncated";
                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// Parses a message carried in GIST NSLP-Data, which pads it with zero bytes to a whole number of
    /// 32-bit words: one whole message, then nothing but zeros.
    /// </summary>
    public static bool TryParsePadded(ReadOnlySpan<byte> input, out NslpMessage? message, out string? error)
    {
        switch (TryParse(input, out var consumed, out message, out error))
        {
            case NslpParseStatus.Complete when !input[consumed..].ContainsAnyExcept((byte)0):
                return true;
            case NslpParseStatus.Complete:
                message = null;
                error = "bytes other than padding follow the end of the message";
                return false;
            case NslpParseStatus.Incomplete:
                error = "message is truncated";
                return false;
            default:
                return false;
        }
    }

    /// <summary>Writes <paramref name="message"/>, adding <c>content-length</c> when it has a body.</summary>
    public static void Write(NslpMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        var text = new StringBuilder();
        switch (message)
        {
            case NslpRequest request:
                text.Append(NslpRequest.MethodName(request.Method)).Append(' ').Append(request.Target).Append(' ').Append(request.Version);
                break;
            case NslpResponse response:
                text.Append(response.Version).Append(' ').Append(response.StatusCode.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(response.Reason);
                break;
            default:
                throw new ArgumentException("unknown message type", nameof(message));
        }

        text.Append("\r\n");
        foreach (var (name, value) in message.Headers)
        {
            if (string.Equals(name, NslpHeaderNames.ContentLength, StringComparison.Ordinal))
            {
                continue;
            }

            text.Append(name).Append(':').Append(value).Append("\r\n");
        }

        if (!message.Body.IsEmpty)
        {
            text.Append(NslpHeaderNames.ContentLength).Append(':').Append(message.Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }

        text.Append("\r\n");
        var byteCount = StrictUtf8.GetByteCount(text.ToString());
        var span = output.GetSpan(byteCount);
        StrictUtf8.GetBytes(text.ToString(), span);
        output.Advance(byteCount);
        if (!message.Body.IsEmpty)
        {
            output.Write(message.Body.Span);
        }
    }

    /// <summary>Encodes <paramref name="message"/> to a new array.</summary>
    public static byte[] Encode(NslpMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static NslpMessage? ParseStartLine(string line, out string? error)
    {
        error = null;
        var parts = line.Split(' ', 3, StringSplitOptions.None);
        if (parts.Length < 3)
        {
            error = $"start line '{Truncate(line)}' is neither 'METHOD target NETSERV/0.1' nor 'NETSERV/0.1 code reason'";
            return null;
        }

        if (parts[0].StartsWith("NETSERV/", StringComparison.Ordinal))
        {
            if (parts[1].Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code < 100)
            {
                error = $"status code '{Truncate(parts[1])}' is not three digits";
                return null;
            }

            if (!IsVersion(parts[0]))
            {
                error = $"version '{Truncate(parts[0])}' is not NETSERV/major.minor";
                return null;
            }

            return new NslpResponse(code, parts[2].Trim()) { Version = parts[0] };
        }

        NslpMethod method;
        switch (parts[0])
        {
            case "SETUP": method = NslpMethod.Setup; break;
            case "REMOVE": method = NslpMethod.Remove; break;
            case "PROBE": method = NslpMethod.Probe; break;
            case "TRIGGER": method = NslpMethod.Trigger; break;
            default:
                error = $"unknown method '{Truncate(parts[0])}'";
                return null;
        }

        if (parts[1].Length == 0 || parts[1].Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            error = "request target is empty or contains white space";
            return null;
        }

        if (!IsVersion(parts[2]))
        {
            error = $"version '{Truncate(parts[2])}' is not NETSERV/major.minor";
            return null;
        }

        return new NslpRequest(method, parts[1]) { Version = parts[2] };
    }

    private static bool IsVersion(string text)
    {
        if (!text.StartsWith("NETSERV/", StringComparison.Ordinal))
        {
            return false;
        }

        var number = text.AsSpan(8);
        var dot = number.IndexOf('.');
        return dot > 0
            && int.TryParse(number[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && int.TryParse(number[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }

    private static bool IsToken(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Truncate(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 60), "...");
}
