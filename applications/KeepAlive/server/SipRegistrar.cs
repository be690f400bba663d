using System.Text;
using NetServ.Sip;

namespace NetServ.Apps.KeepAlive.Server;

/// <summary>What a datagram to the server was.</summary>
internal enum SipDatagramKind
{
    /// <summary>A NOTIFY with <c>Event: keep-alive</c>, answered 200 OK.</summary>
    KeepAliveNotify,

    /// <summary>An RFC 5626 CRLF ping, answered with a CRLF pong.</summary>
    CrlfPing,

    /// <summary>Any other request, answered 200 OK (ACK gets no answer).</summary>
    Request,

    /// <summary>A response or something that is not SIP: no answer.</summary>
    Ignored,
}

/// <summary>How the server handled one datagram, and where its response goes (RFC 3261 section 18.2.2, RFC 3581).</summary>
internal readonly record struct SipAnswer(SipDatagramKind Kind, string Method, int ResponseLength, SipEndpoint SendTo = default)
{
    public bool IsKeepAlive => Kind is SipDatagramKind.KeepAliveNotify or SipDatagramKind.CrlfPing;
}

/// <summary>
/// The SIP logic of the server, apart from its socket: answers REGISTER (echoing Contact, with
/// Expires), OPTIONS, NOTIFY (keep-alives among them) and any other request with 200 OK, and the
/// CRLF ping with a pong. It is a stand-in for an ITSP's registrar, enough for user agents and sipp.
/// Responses carry Via's <c>received</c> and <c>rport</c> and a To tag per dialog, as
/// <see cref="SipResponseWriter"/> writes them for the datagram's source.
/// </summary>
internal sealed class SipRegistrar(SipToTags toTags, int registrationSeconds = 3600)
{
    /// <summary>Answers <paramref name="datagram"/>, which came from <paramref name="source"/>, into <paramref name="response"/>.</summary>
    public SipAnswer Handle(ReadOnlySpan<byte> datagram, SipEndpoint source, Span<byte> response)
    {
        var kind = SipKeepAlive.Classify(datagram);
        if (kind == SipKeepAliveKind.CrlfPing)
        {
            // The pong goes back on the flow the ping came on (RFC 5626 section 4.4.1).
            SipKeepAlive.CrlfPong.CopyTo(response);
            return new SipAnswer(SipDatagramKind.CrlfPing, string.Empty, SipKeepAlive.CrlfPong.Length, source);
        }

        if (!SipParser.TryParseRequestLine(datagram, out var line, out var headers))
        {
            return new SipAnswer(SipDatagramKind.Ignored, string.Empty, 0);
        }

        var method = Encoding.ASCII.GetString(line.Method);
        var answered = kind == SipKeepAliveKind.Notify ? SipDatagramKind.KeepAliveNotify : SipDatagramKind.Request;
        if (method == "ACK")
        {
            return new SipAnswer(SipDatagramKind.Request, method, 0);
        }

        var extra = method == "REGISTER" ? RegisterHeaders(datagram, headers) : [];
        return SipResponseWriter.TryWriteResponse(response, datagram, source, 200, "OK"u8, toTags, extra, out var written, out var sendTo)
            ? new SipAnswer(answered, method, written, sendTo)
            : new SipAnswer(SipDatagramKind.Ignored, method, 0);
    }

    /// <summary>The Contact bindings of a REGISTER, granted for <c>registrationSeconds</c>.</summary>
    private byte[] RegisterHeaders(ReadOnlySpan<byte> request, int start)
    {
        var text = new StringBuilder();
        var reader = new SipHeaderReader(request, start);
        var unfolded = new byte[request.Length];
        while (reader.TryRead(out var header))
        {
            if (header.Known == SipHeaderName.Contact && SipValue.TryWriteUnfolded(header.Value, unfolded, out var length))
            {
                text.Append("Contact: ").Append(Encoding.ASCII.GetString(unfolded, 0, length)).Append("\r\n");
            }
        }

        text.Append("Expires: ").Append(registrationSeconds).Append("\r\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }
}
