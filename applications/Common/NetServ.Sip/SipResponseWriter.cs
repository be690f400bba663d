using System.Buffers.Text;
using System.Text;
using NetServ.Networking;
using static NetServ.Sip.SipSyntax;

namespace NetServ.Sip;

/// <summary>
/// Writes a response to a request into a caller's buffer, without allocating (RFC 3261 section
/// 8.2.6.2): the status line, then the request's Via, From, To, Call-ID and CSeq in the order they
/// came (so the Via stack keeps its order), To with a tag added when it has none, any extra header
/// lines, and <c>Content-Length: 0</c>. Values are written unfolded, names in their full form.
/// </summary>
/// <remarks>
/// Given where the request came from, the writer also does what RFC 3261 section 18.2.1 and RFC 3581
/// section 4 ask of the server transport: <c>received</c> in the topmost Via when its sent-by host is a
/// name or another address than the source, a bare <c>rport</c> filled in with the source port (and
/// <c>received</c> added), and it says where the response goes (section 18.2.2, see
/// <see cref="SipVia.TryGetResponseDestination"/>).
/// </remarks>
public static class SipResponseWriter
{
    /// <summary>
    /// Writes the response to <paramref name="request"/>, which came from <paramref name="source"/>;
    /// <see langword="false"/> when it is not a request with readable headers and a readable topmost
    /// Via, when the response has nowhere to go without a name lookup (a <c>maddr</c> that is not an
    /// IPv4 address), or when it does not fit.
    /// </summary>
    /// <param name="destination">Where the response goes.</param>
    /// <param name="request">The whole request it answers.</param>
    /// <param name="source">The request's source address and port, as the packet carried them.</param>
    /// <param name="statusCode">100 to 699.</param>
    /// <param name="reason">The reason phrase, <c>OK</c> say.</param>
    /// <param name="toTags">Makes the tag added to To when the request's has none (the responder's half of the dialog identifier); <see langword="null"/> adds none, for a proxy's 100 Trying, whose tag is the callee's to give (RFC 3261 section 16.2).</param>
    /// <param name="extraHeaders">Whole header lines to add, each ending in CRLF (a REGISTER's Contact, say); may be empty.</param>
    /// <param name="bytesWritten">How many bytes were written.</param>
    /// <param name="responseDestination">Where to send the response.</param>
    public static bool TryWriteResponse(
        Span<byte> destination,
        ReadOnlySpan<byte> request,
        SipEndpoint source,
        int statusCode,
        ReadOnlySpan<byte> reason,
        SipToTags? toTags,
        ReadOnlySpan<byte> extraHeaders,
        out int bytesWritten,
        out SipEndpoint responseDestination)
    {
        return TryWrite(destination, request, source, statusCode, reason, toTags, [], extraHeaders, out bytesWritten, out responseDestination);
    }

    /// <summary>
    /// Writes the response without knowing where the request came from: Via is copied as it stands and
    /// To gets <paramref name="toTag"/>. For a caller that takes care of Via and the To tag itself; a
    /// server answering what it received wants the other overload.
    /// </summary>
    /// <param name="destination">Where the response goes.</param>
    /// <param name="request">The whole request it answers.</param>
    /// <param name="statusCode">100 to 699.</param>
    /// <param name="reason">The reason phrase, <c>OK</c> say.</param>
    /// <param name="toTag">The tag to add to To when the request's has none.</param>
    /// <param name="extraHeaders">Whole header lines to add, each ending in CRLF; may be empty.</param>
    /// <param name="bytesWritten">How many bytes were written.</param>
    public static bool TryWriteResponse(
        Span<byte> destination,
        ReadOnlySpan<byte> request,
        int statusCode,
        ReadOnlySpan<byte> reason,
        ReadOnlySpan<byte> toTag,
        ReadOnlySpan<byte> extraHeaders,
        out int bytesWritten) =>
        TryWrite(destination, request, null, statusCode, reason, null, toTag, extraHeaders, out bytesWritten, out _);

    private static bool TryWrite(
        Span<byte> destination,
        ReadOnlySpan<byte> request,
        SipEndpoint? source,
        int statusCode,
        ReadOnlySpan<byte> reason,
        SipToTags? toTags,
        ReadOnlySpan<byte> toTag,
        ReadOnlySpan<byte> extraHeaders,
        out int bytesWritten,
        out SipEndpoint responseDestination)
    {
        bytesWritten = 0;
        responseDestination = default;
        if (statusCode is < 100 or > 699 || !SipParser.TryParseRequestLine(request, out _, out var consumed))
        {
            return false;
        }

        // A first pass for what the response depends on: the topmost Via, and the dialog that names the To tag.
        ReadOnlySpan<byte> topVia = [];
        ReadOnlySpan<byte> callId = [];
        ReadOnlySpan<byte> from = [];
        var vias = 0;
        var toHasTag = false;
        var reader = new SipHeaderReader(request, consumed);
        while (reader.TryRead(out var header))
        {
            switch (header.Known)
            {
                case SipHeaderName.Via:
                    topVia = vias++ == 0 ? header.Value : topVia;
                    break;
                case SipHeaderName.CallId:
                    callId = header.Value;
                    break;
                case SipHeaderName.From:
                    from = header.Value;
                    break;
                case SipHeaderName.To:
                    toHasTag = SipValue.HasParameter(header.Value, "tag"u8);
                    break;
            }
        }

        if (reader.State != SipHeaderReaderState.End)
        {
            return false;
        }

        SipVia via = default;
        if (source is { } sender && (vias == 0 || !SipVia.TryParse(topVia, out via) || !via.TryGetResponseDestination(sender, out responseDestination)))
        {
            return false;
        }

        Span<byte> tag = stackalloc byte[SipToTags.Length];
        scoped var addedTag = toTag;
        if (toTags is not null)
        {
            SipValue.TryGetParameter(from, "tag"u8, out var fromTag);
            toTags.Write(callId, fromTag, tag);
            addedTag = tag;
        }

        var writer = new Writer(destination);
        writer.Write(SipParser.Version);
        writer.Write(Space);
        writer.WriteNumber(statusCode);
        writer.Write(Space);
        writer.Write(reason);
        writer.Write("\r\n"u8);

        var topViaWritten = false;
        reader = new SipHeaderReader(request, consumed);
        while (reader.TryRead(out var header))
        {
            if (header.Known is not (SipHeaderName.Via or SipHeaderName.From or SipHeaderName.To or SipHeaderName.CallId or SipHeaderName.CSeq))
            {
                continue;
            }

            writer.Write(SipHeaderNames.FullName(header.Known));
            writer.Write(": "u8);
            if (header.Known == SipHeaderName.Via && !topViaWritten && source is { } sentFrom)
            {
                WriteTopVia(ref writer, via, sentFrom);
                topViaWritten = true;
            }
            else
            {
                writer.WriteUnfolded(header.Value);
            }

            if (header.Known == SipHeaderName.To && !addedTag.IsEmpty && !toHasTag)
            {
                writer.Write(";tag="u8);
                writer.Write(addedTag);
            }

            writer.Write("\r\n"u8);
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

    /// <summary>
    /// The topmost Via as the server transport passes it up (RFC 3261 section 18.2.1, RFC 3581 section 4):
    /// <c>received</c> set to the source address when sent-by's host is a name or another address, or when
    /// <c>rport</c> is there; <c>rport</c> set to the source port. As in RFC 3581's example, <c>received</c>
    /// stands just before <c>rport</c>; otherwise it ends the via-parm. A <c>received</c> the request
    /// carried already is overwritten in place: only what the transport saw counts.
    /// </summary>
    private static void WriteTopVia(ref Writer writer, scoped SipVia via, SipEndpoint source)
    {
        writer.WriteUnfolded(via.Value[..via.ParametersOffset].TrimEnd(Lws));
        var needsReceived = via.HasRport || !SipVia.TryParseIpv4(via.Host, out var host) || host != source.Address;
        var receivedWritten = false;
        var parameters = new SipViaParameters(via.Parameters);
        while (parameters.TryRead(out var name, out var value))
        {
            var isRport = Ascii.EqualsIgnoreCase(name, "rport"u8);
            if (isRport || Ascii.EqualsIgnoreCase(name, "received"u8))
            {
                if (!receivedWritten)
                {
                    writer.WriteReceived(source.Address);
                    receivedWritten = true;
                }

                if (isRport)
                {
                    writer.Write(";rport="u8);
                    writer.WriteNumber(source.Port);
                }

                continue;
            }

            writer.Write((byte)';');
            writer.Write(name);
            if (!value.IsEmpty)
            {
                writer.Write((byte)'=');
                writer.WriteUnfolded(value);
            }
        }

        if (needsReceived && !receivedWritten)
        {
            writer.WriteReceived(source.Address);
        }

        // Further via-parms of the same header value, after a comma, are other hops': as they came.
        writer.WriteUnfolded(via.Value[via.Length..]);
    }

    /// <summary>Appends to a bounded buffer and remembers when something did not fit, so the caller checks once.</summary>
    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Written { get; private set; }

        public bool Overflowed { get; private set; }

        public void Write(scoped ReadOnlySpan<byte> bytes)
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

        public void WriteReceived(Ipv4Address address)
        {
            Write(";received="u8);
            var value = address.Value;
            for (var shift = 24; shift >= 0; shift -= 8)
            {
                WriteNumber((int)((value >> shift) & 0xFF));
                if (shift > 0)
                {
                    Write((byte)'.');
                }
            }
        }

        public void WriteUnfolded(scoped ReadOnlySpan<byte> value)
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
