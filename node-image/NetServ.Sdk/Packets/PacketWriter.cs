using NetServ.Networking;

namespace NetServ.Sdk;

/// <summary>Builds whole IPv4 packets into a caller's buffer, for <see cref="IPacketSender"/>.</summary>
public static class PacketWriter
{
    /// <summary>
    /// Writes the UDP reply to <paramref name="request"/> (a UDP packet): from its destination
    /// address and port back to its source, carrying <paramref name="payload"/> — how a module answers
    /// on behalf of the server a packet was going to. Returns <see langword="false"/> when it does not fit.
    /// </summary>
    public static bool TryWriteUdpReply(Span<byte> destination, scoped in Packet request, ReadOnlySpan<byte> payload, out int bytesWritten)
    {
        var udp = request.Udp;
        return TryWriteUdp(destination, request.Destination, request.Source, udp.DestinationPort, udp.SourcePort, payload, out bytesWritten);
    }

    /// <summary>
    /// Writes an IPv4/UDP packet carrying <paramref name="payload"/> into <paramref name="destination"/>,
    /// with correct lengths and checksums. Returns <see langword="false"/> when it does not fit.
    /// </summary>
    public static bool TryWriteUdp(
        Span<byte> destination,
        Ipv4Address source,
        Ipv4Address destinationAddress,
        ushort sourcePort,
        ushort destinationPort,
        ReadOnlySpan<byte> payload,
        out int bytesWritten,
        byte ttl = 64)
    {
        var length = Ipv4Header.MinimumLength + UdpHeader.Length + payload.Length;
        bytesWritten = 0;
        if (length > destination.Length || length > ushort.MaxValue)
        {
            return false;
        }

        var packet = destination[..length];
        packet[..(Ipv4Header.MinimumLength + UdpHeader.Length)].Clear();
        packet[0] = 0x45;
        var ip = new Ipv4Header(packet);
        ip.TotalLength = (ushort)length;
        ip.Ttl = ttl;
        ip.Protocol = IpProtocol.Udp;
        ip.Source = source;
        ip.Destination = destinationAddress;
        ip.UpdateChecksum();

        var segment = packet[Ipv4Header.MinimumLength..];
        var udp = new UdpHeader(segment);
        udp.SourcePort = sourcePort;
        udp.DestinationPort = destinationPort;
        udp.DatagramLength = (ushort)segment.Length;
        payload.CopyTo(segment[UdpHeader.Length..]);
        udp.Checksum = InternetChecksum.ComputeTransport(source, destinationAddress, IpProtocol.Udp, segment);
        bytesWritten = length;
        return true;
    }
}
