using NetServ.Sip;

namespace NetServ.Apps.OverloadControl;

/// <summary>What a datagram toward the SIP server is, as far as overload control cares.</summary>
internal enum SipRequestKind : byte
{
    /// <summary>A request that starts a transaction outside a dialog (INVITE, REGISTER, MESSAGE, OPTIONS, SUBSCRIBE…): throttled.</summary>
    Initial,

    /// <summary>ACK, CANCEL, BYE, PRACK or any request inside a dialog (To has a tag), a response, or a CRLF keep-alive: never throttled, since rejecting it would strand work the server already accepted.</summary>
    Other,

    /// <summary>Not SIP, or SIP whose headers cannot be read.</summary>
    Malformed,
}

/// <summary>Classifies datagrams toward the server without allocating.</summary>
internal static class SipRequestClassifier
{
    public static SipRequestKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty || datagram.TrimStart("\r\n"u8).IsEmpty)
        {
            // Empty datagrams and RFC 5626 CRLF keep-alives.
            return datagram.IsEmpty ? SipRequestKind.Malformed : SipRequestKind.Other;
        }

        if (datagram.StartsWith(SipParser.Version))
        {
            return SipParser.TryParseStatusLine(datagram, out _, out _) ? SipRequestKind.Other : SipRequestKind.Malformed;
        }

        if (!SipParser.TryParseRequestLine(datagram, out var line, out var consumed))
        {
            return SipRequestKind.Malformed;
        }

        var method = line.Method;
        var exempt = method.SequenceEqual("ACK"u8) || method.SequenceEqual("CANCEL"u8) || method.SequenceEqual("BYE"u8) || method.SequenceEqual("PRACK"u8);
        var inDialog = false;
        var reader = new SipHeaderReader(datagram, consumed);
        while (reader.TryRead(out var header))
        {
            if (header.Known == SipHeaderName.To && SipValue.HasParameter(header.Value, "tag"u8))
            {
                inDialog = true;
            }
        }

        if (reader.State != SipHeaderReaderState.End)
        {
            return SipRequestKind.Malformed;
        }

        return exempt || inDialog ? SipRequestKind.Other : SipRequestKind.Initial;
    }
}
