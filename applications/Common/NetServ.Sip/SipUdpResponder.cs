using NetServ.Sdk;

namespace NetServ.Sip;

/// <summary>
/// Builds the reply packets a module sends on behalf of the SIP server a request was going to (the
/// KeepAlive Responder's 200 OK and CRLF pong, Overload Control's 503): from the server's address and
/// port, with the response <see cref="SipResponseWriter"/> writes for the packet's source — Via with
/// <c>received</c> and <c>rport</c>, a To tag per dialog — to where RFC 3261 section 18.2.2 and RFC 3581
/// send it. Nothing is allocated per packet: the reply is built in buffers the responder owns, so one
/// responder serves one packet at a time (a module's <see cref="IPacketProcessor.Process"/>).
/// </summary>
public sealed class SipUdpResponder
{
    /// <summary>The largest UDP payload of an IPv4 packet; room for any response to any request that fits one.</summary>
    private const int MaxPayload = ushort.MaxValue - 28;

    private readonly byte[] _sip = new byte[MaxPayload];
    private readonly byte[] _packet = new byte[ushort.MaxValue];
    private readonly SipToTags _toTags = new();

    /// <summary>
    /// Builds the response to the request in <paramref name="request"/> (a UDP packet); <see langword="false"/>
    /// when there is none to build (see <see cref="SipResponseWriter"/>) or it does not fit one packet.
    /// <paramref name="reply"/> is valid until the next call.
    /// </summary>
    public bool TryWriteResponse(scoped in Packet request, int statusCode, ReadOnlySpan<byte> reason, ReadOnlySpan<byte> extraHeaders, out ReadOnlySpan<byte> reply)
    {
        reply = [];
        var udp = request.Udp;
        var source = new SipEndpoint(request.Source, udp.SourcePort);
        if (!SipResponseWriter.TryWriteResponse(_sip, request.Payload, source, statusCode, reason, _toTags, extraHeaders, out var length, out var to)
            || !PacketWriter.TryWriteUdp(_packet, request.Destination, to.Address, udp.DestinationPort, to.Port, _sip.AsSpan(0, length), out var written))
        {
            return false;
        }

        reply = _packet.AsSpan(0, written);
        return true;
    }

    /// <summary>Builds the CRLF pong to a CRLF ping; like the pong of RFC 5626 section 4.4.1, it goes back on the flow the ping came on, to its source.</summary>
    public bool TryWriteCrlfPong(scoped in Packet request, out ReadOnlySpan<byte> reply)
    {
        reply = [];
        if (!PacketWriter.TryWriteUdpReply(_packet, request, SipKeepAlive.CrlfPong, out var written))
        {
            return false;
        }

        reply = _packet.AsSpan(0, written);
        return true;
    }
}
