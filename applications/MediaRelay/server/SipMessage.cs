using System.Diagnostics.CodeAnalysis;
using System.Text;
using NetServ.Sip;

namespace NetServ.Apps.MediaRelay.Server;

/// <summary>One header field of a <see cref="SipMessage"/>: its name (full form for the known ones) and its value on one line.</summary>
internal readonly record struct SipField(SipHeaderName Known, string Name, string Value)
{
    public bool IsNamed(string name) => Name.Equals(name, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// A SIP message read into parts the proxy can change before forwarding it: the start line, the
/// header fields in order, and the body. <see cref="SipParser"/> and <see cref="SipHeaderReader"/>
/// do the reading; this only copies what they find. Text is Latin-1, one char a byte, so header
/// bytes that are not ASCII come out as they went in and the body keeps its length in bytes.
/// Forwarding allocates; the server is not on a packet hot path.
/// </summary>
internal sealed class SipMessage
{
    private SipMessage(string startLine, string method, string requestUri, int statusCode, List<SipField> headers, byte[] body, string callId, uint sequence, string cseqMethod)
    {
        StartLine = startLine;
        Method = method;
        RequestUri = requestUri;
        StatusCode = statusCode;
        Headers = headers;
        Body = body;
        CallId = callId;
        Sequence = sequence;
        CSeqMethod = cseqMethod;
    }

    /// <summary>The request or status line, without its line break.</summary>
    public string StartLine { get; }

    /// <summary>The method of a request; empty for a response.</summary>
    public string Method { get; }

    /// <summary>The Request-URI of a request; empty for a response.</summary>
    public string RequestUri { get; }

    /// <summary>The status code of a response; 0 for a request.</summary>
    public int StatusCode { get; }

    public bool IsRequest => StatusCode == 0;

    /// <summary>The header fields in the order they came; the proxy adds, removes and replaces fields here.</summary>
    public List<SipField> Headers { get; }

    /// <summary>The body; Content-Length is written from its length.</summary>
    public byte[] Body { get; set; }

    public string CallId { get; }

    /// <summary>The CSeq number.</summary>
    public uint Sequence { get; }

    /// <summary>The CSeq method (for a response, the method of the request it answers).</summary>
    public string CSeqMethod { get; }

    /// <summary>
    /// Reads a whole datagram. <see langword="false"/> when it is not a SIP message the proxy can
    /// route: a start line or headers that do not parse, a Content-Length beyond the datagram, or no
    /// Via, From, To, Call-ID or CSeq (or more than one of the last four).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, [NotNullWhen(true)] out SipMessage? message)
    {
        message = null;
        var method = string.Empty;
        var requestUri = string.Empty;
        var statusCode = 0;
        int consumed;
        if (SipParser.TryParseRequestLine(datagram, out var request, out consumed))
        {
            method = Encoding.Latin1.GetString(request.Method);
            requestUri = Encoding.Latin1.GetString(request.RequestUri);
        }
        else if (SipParser.TryParseStatusLine(datagram, out var status, out consumed))
        {
            statusCode = status.StatusCode;
        }
        else
        {
            return false;
        }

        var headers = new List<SipField>();
        var unfolded = new byte[datagram.Length];
        int vias = 0, froms = 0, tos = 0, callIds = 0, cseqs = 0;
        int? contentLength = null;
        string callId = string.Empty, cseqMethod = string.Empty;
        uint sequence = 0;
        var reader = new SipHeaderReader(datagram, consumed);
        while (reader.TryRead(out var header))
        {
            switch (header.Known)
            {
                case SipHeaderName.Via:
                    vias++;
                    break;
                case SipHeaderName.From:
                    froms++;
                    break;
                case SipHeaderName.To:
                    tos++;
                    break;
                case SipHeaderName.CallId:
                    callIds++;
                    break;
                case SipHeaderName.CSeq:
                    cseqs++;
                    if (!SipValue.TryParseCSeq(header.Value, out sequence, out var cseq))
                    {
                        return false;
                    }

                    cseqMethod = Encoding.Latin1.GetString(cseq);
                    break;
                case SipHeaderName.ContentLength:
                    if (contentLength is not null || !SipValue.TryParseContentLength(header.Value, out var length))
                    {
                        return false;
                    }

                    contentLength = length;
                    break;
            }

            if (!SipValue.TryWriteUnfolded(header.Value, unfolded, out var written))
            {
                return false;
            }

            var value = Encoding.Latin1.GetString(unfolded.AsSpan(0, written));
            if (header.Known == SipHeaderName.CallId)
            {
                callId = value;
            }

            var name = header.Known == SipHeaderName.Other ? Encoding.Latin1.GetString(header.Name) : Encoding.Latin1.GetString(SipHeaderNames.FullName(header.Known));
            headers.Add(new SipField(header.Known, name, value));
        }

        if (reader.State != SipHeaderReaderState.End || vias == 0 || froms != 1 || tos != 1 || callIds != 1 || cseqs != 1 || callId.Length == 0)
        {
            return false;
        }

        // Over UDP a missing Content-Length means the body runs to the end of the datagram (RFC 3261 section 18.3).
        var available = datagram.Length - reader.BodyOffset;
        if (contentLength > available)
        {
            return false;
        }

        var body = datagram.Slice(reader.BodyOffset, contentLength ?? available).ToArray();
        var startLine = Encoding.Latin1.GetString(datagram[..consumed]).TrimEnd('\r', '\n');
        message = new SipMessage(startLine, method, requestUri, statusCode, headers, body, callId, sequence, cseqMethod);
        return true;
    }

    /// <summary>The value of the first <paramref name="name"/> field; <see langword="null"/> when there is none.</summary>
    public string? Get(SipHeaderName name) => IndexOf(name) is var i and >= 0 ? Headers[i].Value : null;

    /// <summary>Where the first <paramref name="name"/> field stands; -1 when there is none.</summary>
    public int IndexOf(SipHeaderName name) => Headers.FindIndex(h => h.Known == name);

    /// <summary>Where the first field named <paramref name="name"/> (one without a compact form: Route, Record-Route) stands; -1 when there is none.</summary>
    public int IndexOf(string name) => Headers.FindIndex(h => h.IsNamed(name));

    /// <summary>Whether the body is an SDP description.</summary>
    public bool HasSdp =>
        Body.Length > 0 && Get(SipHeaderName.ContentType) is { } type
        && SipUri.FirstElement(type, out _).Split(';')[0].Trim().Equals("application/sdp", StringComparison.OrdinalIgnoreCase);

    /// <summary>The body as Latin-1 text.</summary>
    public string BodyText => Encoding.Latin1.GetString(Body);

    /// <summary>The message as it goes on the wire, with a Content-Length that is the body's length.</summary>
    public byte[] ToBytes()
    {
        var text = new StringBuilder(StartLine.Length + 64 + (Headers.Count * 48));
        text.Append(StartLine).Append("\r\n");
        var lengthWritten = false;
        foreach (var header in Headers)
        {
            if (header.Known == SipHeaderName.ContentLength)
            {
                if (lengthWritten)
                {
                    continue;
                }

                lengthWritten = true;
                text.Append("Content-Length: ").Append(Body.Length).Append("\r\n");
                continue;
            }

            text.Append(header.Name).Append(": ").Append(header.Value).Append("\r\n");
        }

        if (!lengthWritten)
        {
            text.Append("Content-Length: ").Append(Body.Length).Append("\r\n");
        }

        text.Append("\r\n");

        // Every char came from Latin-1 or ASCII, so each is one byte.
        var head = text.ToString();
        var bytes = new byte[head.Length + Body.Length];
        Encoding.Latin1.GetBytes(head, bytes);
        Body.CopyTo(bytes, head.Length);
        return bytes;
    }
}
