using NetServ.Sdk;

namespace NetServ.Apps.KeepAlive.Tests;

/// <summary>Keeps the packets a module sends; can be told to refuse, as a full socket buffer would.</summary>
internal sealed class RecordingPacketSender : IPacketSender
{
    public List<byte[]> Sent { get; } = [];

    public bool Refuse { get; set; }

    /// <summary>When false, accepts without keeping (for the allocation test).</summary>
    public bool Keep { get; set; } = true;

    public bool TrySend(ReadOnlySpan<byte> ipv4Packet)
    {
        if (Refuse)
        {
            return false;
        }

        if (Keep)
        {
            Sent.Add(ipv4Packet.ToArray());
        }

        return true;
    }
}
