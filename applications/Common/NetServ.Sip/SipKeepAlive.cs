namespace NetServ.Sip;

/// <summary>What a datagram toward a SIP server is, as far as NAT keep-alives go.</summary>
public enum SipKeepAliveKind : byte
{
    /// <summary>Not a keep-alive: another request, a response, a NOTIFY of another event, or not SIP at all.</summary>
    None,

    /// <summary>The CRLF keep-alive of RFC 5626 section 4.4.1 (a "ping", exactly CRLF CRLF); the answer is one CRLF (the "pong").</summary>
    CrlfPing,

    /// <summary>A NOTIFY carrying <c>Event: keep-alive</c>, with the headers a response copies; the answer is 200 OK.</summary>
    Notify,

    /// <summary>A NOTIFY request line whose message is broken: headers that do not parse or end, or a keep-alive without Via, From, To, Call-ID or a NOTIFY CSeq.</summary>
    Malformed,
}

/// <summary>
/// Recognises NAT keep-alives in UDP payloads toward a SIP server (paper section 6.2), in one pass
/// over the bytes and without allocating. Header names are matched as RFC 3261 says (any case,
/// compact forms); values are read across folded lines.
/// </summary>
public static class SipKeepAlive
{
    /// <summary>The RFC 5626 keep-alive ping: a double CRLF.</summary>
    public static ReadOnlySpan<byte> CrlfPing => "\r\n\r\n"u8;

    /// <summary>The answer to <see cref="CrlfPing"/>: a single CRLF.</summary>
    public static ReadOnlySpan<byte> CrlfPong => "\r\n"u8;

    /// <summary>The event package of a keep-alive NOTIFY.</summary>
    public static ReadOnlySpan<byte> EventPackage => "keep-alive"u8;

    private static ReadOnlySpan<byte> Notify => "NOTIFY"u8;

    /// <summary>Classifies <paramref name="payload"/>, a whole UDP payload.</summary>
    public static SipKeepAliveKind Classify(ReadOnlySpan<byte> payload)
    {
        if (payload.SequenceEqual(CrlfPing))
        {
            return SipKeepAliveKind.CrlfPing;
        }

        // Methods are case-sensitive (RFC 3261 section 7.1): anything else is not ours to look at.
        if (!payload.StartsWith(Notify) || payload.Length == Notify.Length || payload[Notify.Length] != SipSyntax.Space)
        {
            return SipKeepAliveKind.None;
        }

        if (!SipParser.TryParseRequestLine(payload, out _, out var consumed))
        {
            return SipKeepAliveKind.Malformed;
        }

        var vias = 0;
        int from = 0, to = 0, callId = 0, cseq = 0, events = 0, contentLengths = 0;
        var keepAlive = false;
        var notifyCSeq = false;
        var contentLength = 0;
        var reader = new SipHeaderReader(payload, consumed);
        while (reader.TryRead(out var header))
        {
            switch (header.Known)
            {
                case SipHeaderName.Via:
                    vias++;
                    break;
                case SipHeaderName.From:
                    from++;
                    break;
                case SipHeaderName.To:
                    to++;
                    break;
                case SipHeaderName.CallId:
                    callId++;
                    break;
                case SipHeaderName.CSeq:
                    cseq++;
                    notifyCSeq = SipValue.TryParseCSeq(header.Value, out _, out var method) && method.SequenceEqual(Notify);
                    break;
                case SipHeaderName.Event:
                    events++;
                    keepAlive = SipValue.IsEvent(header.Value, EventPackage);
                    break;
                case SipHeaderName.ContentLength:
                    contentLengths++;
                    if (!SipValue.TryParseContentLength(header.Value, out contentLength))
                    {
                        return SipKeepAliveKind.Malformed;
                    }

                    break;
            }
        }

        if (reader.State != SipHeaderReaderState.End)
        {
            return SipKeepAliveKind.Malformed;
        }

        if (!keepAlive || events != 1)
        {
            // Another event package, or no telling which: the server's business.
            return events > 1 ? SipKeepAliveKind.Malformed : SipKeepAliveKind.None;
        }

        var complete = vias > 0 && from == 1 && to == 1 && callId == 1 && cseq == 1 && notifyCSeq && contentLengths <= 1
            && contentLength <= payload.Length - reader.BodyOffset;
        return complete ? SipKeepAliveKind.Notify : SipKeepAliveKind.Malformed;
    }
}
