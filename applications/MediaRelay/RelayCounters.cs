using System.Text.Json.Nodes;

namespace NetServ.Apps.MediaRelay;

/// <summary>Packets and bytes relayed each way, and what was refused; one per session and one for the whole module.</summary>
internal sealed class RelayCounters
{
    private long _packetsAToB;
    private long _bytesAToB;
    private long _packetsBToA;
    private long _bytesBToA;
    private long _malformed;
    private long _dropped;

    public long PacketsAToB => Interlocked.Read(ref _packetsAToB);

    public long BytesAToB => Interlocked.Read(ref _bytesAToB);

    public long PacketsBToA => Interlocked.Read(ref _packetsBToA);

    public long BytesBToA => Interlocked.Read(ref _bytesBToA);

    /// <summary>Datagrams that were not RTP (or RTCP on the RTCP port).</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Well-formed datagrams not relayed: from a source other than the latched one, or before the far side was latched.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void CountRelayed(RelayLegId from, int bytes)
    {
        if (from == RelayLegId.A)
        {
            Interlocked.Increment(ref _packetsAToB);
            Interlocked.Add(ref _bytesAToB, bytes);
        }
        else
        {
            Interlocked.Increment(ref _packetsBToA);
            Interlocked.Add(ref _bytesBToA, bytes);
        }
    }

    public void CountMalformed() => Interlocked.Increment(ref _malformed);

    public void CountDropped() => Interlocked.Increment(ref _dropped);

    public void AddTo(JsonObject status)
    {
        status["packetsAToB"] = PacketsAToB;
        status["bytesAToB"] = BytesAToB;
        status["packetsBToA"] = PacketsBToA;
        status["bytesBToA"] = BytesBToA;
        status["malformed"] = Malformed;
        status["dropped"] = Dropped;
    }
}
