using System.Net;

namespace NetServ.Apps.MediaRelay;

/// <summary>
/// One side of a relayed call: the relay's port pair facing that user agent and the addresses
/// latched from it. Symmetric latching: the first well-formed packet on a port fixes where the
/// user agent is (its NAT's public address and port), whatever its SDP said; later packets must
/// come from there, and the far side's media goes back there.
/// </summary>
internal sealed class RelayLeg(RelayLegId id, int rtpPort)
{
    private SocketAddress? _rtpPeer;
    private SocketAddress? _rtcpPeer;

    public RelayLegId Id { get; } = id;

    /// <summary>The relay's RTP port for this side; RTCP is the next port.</summary>
    public int RtpPort { get; } = rtpPort;

    public int RtcpPort => RtpPort + 1;

    /// <summary>The latched address of <paramref name="channel"/>, or <see langword="null"/> before the first packet.</summary>
    public SocketAddress? Peer(MediaChannel channel) =>
        Volatile.Read(ref channel == MediaChannel.Rtp ? ref _rtpPeer : ref _rtcpPeer);

    /// <summary>Latches <paramref name="source"/> on the first call; afterwards tells whether it is the latched address.</summary>
    public bool LatchOrMatch(MediaChannel channel, SocketAddress source)
    {
        ref var peer = ref channel == MediaChannel.Rtp ? ref _rtpPeer : ref _rtcpPeer;
        var latched = Volatile.Read(ref peer);
        if (latched is null)
        {
            // The receive buffer's address is reused for the next datagram: keep a copy.
            var copy = new SocketAddress(source.Family, source.Size);
            source.Buffer.Span[..source.Size].CopyTo(copy.Buffer.Span);
            latched = Interlocked.CompareExchange(ref peer, copy, null) ?? copy;
        }

        return latched.Equals(source);
    }

    /// <summary>The latched address as an endpoint, for status and logs.</summary>
    public IPEndPoint? PeerEndPoint(MediaChannel channel) =>
        Peer(channel) is { } address ? (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(address) : null;
}
