namespace NetServ.Sdk.Testing;

/// <summary>Keeps the packets a module sends; can be told to refuse them, as a full socket buffer would.</summary>
public sealed class RecordingPacketSender : IPacketSender
{
    /// <summary>The packets sent, oldest first (when <see cref="Keep"/>).</summary>
    public List<byte[]> Sent { get; } = [];

    /// <summary>When true, every send fails.</summary>
    public bool Refuse { get; set; }

    /// <summary>When false, sends succeed without keeping a copy (for allocation tests).</summary>
    public bool Keep { get; set; } = true;

    /// <inheritdoc />
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
