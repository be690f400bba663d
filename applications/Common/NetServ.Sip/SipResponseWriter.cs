using System.Buffers.Text;
using static NetServ.Sip.SipSyntax;

namespace NetServ.Sip;

/// <summary>
/// Writes a response to a request into a caller's buffer, without allocating (RFC 3261 section
/// 8.2.6.2): the status line, then the request's Via, From, To, Call-ID and CSeq in the order they
/// came (so the Via stack keeps its order), To with a tag added when it has none, any extra header
/// lines, and <c>Content-Length: 0</c>. Values are written unfolded, names in their full form.
/// </summary>
public static class SipResponseWriter
{
    /// <summary>Writes the response; <see langword="false"/> when <paramref name="request"/> is not a request with readable headers, or the response does not fit.</summary>
    /// <param name="destination">Where the response goes.</param>
    /// <param name="request">The whole request it answers.</param>
    /// <param name="statusCode">100 to 699.</param>
    /// <param name="reason">The reason phrase, <c>OK</c> say.</param>
    /// <param name="toTag">The tag to add to To when the request's has none (the responder's half of the dialog identifier).</param>
    /// <param name="extraHeaders">Whole header lines to add, each ending in CRLF (a REGISTER's Contact, say); may be empty.</param>
    /// <param name="bytesWritten">How many bytes were written.</param>
    public static bool TryWriteResponse(
        Span<byte> destination,
        ReadOnlySpan<byte> request,
        int statusCode,
        ReadOnlySpan<byte> reason,
        ReadOnlySpan<byte> toTag,
        ReadOnlySpan<byte> extraHeaders,
        out int bytesWritten)
    {
        bytesWritten = 0;
        if (statusCode is < 100 or > 699 || !SipParser.TryParseRequestLine(request, out _, out var consumed))
        {
            return false;
        }

        var writer = new Writer(destination);
        writer.Write(SipParser.Version);
        writer.Write(Space);
        writer.WriteNumber(statusCode);
        writer.Write(Space);
        writer.Write(reason);
        writer.Write("\r\n"u8);

        var reader = new SipHeaderReader(request, consumed);
        while (reader.TryRead(out var header))
        {
            if (header.Known is not (SipHeaderName.Via or SipHeaderName.From or SipHeaderName.To or SipHeaderName.CallId or SipHeaderName.CSeq))
            {
                continue;
            }

            writer.Write(SipHeaderNames.FullName(header.Known));
            writer.Write(": "u8);
            writer.WriteUnfolded(header.Value);
            if (header.Known == SipHeaderName.To && !toTag.IsEmpty && !SipValue.HasParameter(header.Value, "tag"u8))
            {
                writer.Write(";tag="u8);
                writer.Write(toTag);
            }

            writer.Write("\r\n"u8);
        }

        if (reader.State != SipHeaderReaderState.End)
        {
            return false;
        }

        writer.Write(extraHeaders);
        writer.Write("Content-Length: 0\r\n\r\n"u8);
        if (writer.Overflowed)
        {
            return false;
        }

        bytesWritten = writer.Written;
        return true;
    }

    /// <summary>Appends to a bounded buffer and remembers when something did not fit, so the caller checks once.</summary>
    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Written { get; private set; }

        public bool Overflowed { get; private set; }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            if (!bytes.TryCopyTo(_buffer[Written..]))
            {
                Overflowed = true;
                return;
            }

            Written += bytes.Length;
        }

        public void Write(byte b)
        {
            if (Written == _buffer.Length)
            {
                Overflowed = true;
                return;
            }

            _buffer[Written++] = b;
        }

        public void WriteNumber(int number)
        {
            if (!Utf8Formatter.TryFormat(number, _buffer[Written..], out var written))
            {
                Overflowed = true;
                return;
            }

            Written += written;
        }

        public void WriteUnfolded(ReadOnlySpan<byte> value)
        {
            if (!SipValue.TryWriteUnfolded(value, _buffer[Written..], out var written))
            {
                Overflowed = true;
                return;
            }

            Written += written;
        }
    }
}
