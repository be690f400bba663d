using System.Net;
using System.Text.Json.Nodes;

namespace NetServ.Apps.MediaRelay;

/// <summary>
/// The relay state of one call: two legs, their latched addresses, counters and the time of the
/// last relayed packet. Decides what to do with each datagram; the module moves the bytes.
/// </summary>
internal sealed class RelaySession(string callId, int rtpPortA, int rtpPortB, long createdTimestamp, RelayCounters totals)
{
    private long _lastActivity = createdTimestamp;

    public string CallId { get; } = callId;

    public RelayLeg A { get; } = new(RelayLegId.A, rtpPortA);

    public RelayLeg B { get; } = new(RelayLegId.B, rtpPortB);

    public RelayCounters Counters { get; } = new();

    /// <summary>The timestamp (<see cref="TimeProvider.GetTimestamp"/>) of the last relayed packet, or of creation.</summary>
    public long LastActivity => Interlocked.Read(ref _lastActivity);

    /// <summary>Sockets and receive loops the module attached; disposed when the session closes.</summary>
    public IDisposable? Transport { get; set; }

    public RelayLeg Leg(RelayLegId id) => id == RelayLegId.A ? A : B;

    public RelayLeg FarLeg(RelayLegId id) => id == RelayLegId.A ? B : A;

    /// <summary>
    /// Decides what to do with <paramref name="datagram"/>, which arrived from <paramref name="source"/>
    /// on <paramref name="leg"/>'s <paramref name="channel"/> port, and counts it. On
    /// <see cref="RelayDecision.Forward"/>, <paramref name="destination"/> is the far side's latched address.
    /// </summary>
    public RelayDecision Route(RelayLegId leg, MediaChannel channel, SocketAddress source, ReadOnlySpan<byte> datagram, long timestamp, out SocketAddress? destination)
    {
        destination = null;
        if (!RtpValidator.IsValid(channel, datagram))
        {
            Counters.CountMalformed();
            totals.CountMalformed();
            return RelayDecision.Malformed;
        }

        if (!Leg(leg).LatchOrMatch(channel, source))
        {
            Counters.CountDropped();
            totals.CountDropped();
            return RelayDecision.Foreign;
        }

        // A latched side keeps the session alive even while the far side is still silent.
        Interlocked.Exchange(ref _lastActivity, timestamp);
        destination = FarLeg(leg).Peer(channel);
        if (destination is null)
        {
            Counters.CountDropped();
            totals.CountDropped();
            return RelayDecision.FarSideUnlatched;
        }

        Counters.CountRelayed(leg, datagram.Length);
        totals.CountRelayed(leg, datagram.Length);
        return RelayDecision.Forward;
    }

    public JsonObject GetStatus()
    {
        var status = new JsonObject
        {
            ["callId"] = CallId,
            ["portA"] = A.RtpPort,
            ["portB"] = B.RtpPort,
            ["peerA"] = A.PeerEndPoint(MediaChannel.Rtp)?.ToString(),
            ["peerB"] = B.PeerEndPoint(MediaChannel.Rtp)?.ToString(),
        };
        Counters.AddTo(status);
        return status;
    }
}
