using System.Text;
using NetServ.Networking;

namespace NetServ.Sdk.Testing;

/// <summary>Whole IPv4 packets for tests, checksums set.</summary>
public static class TestPackets
{
    /// <summary>An IPv4/UDP packet carrying <paramref name="payload"/>.</summary>
    /// <exception cref="ArgumentException">The payload does not fit one IPv4 packet.</exception>
    public static byte[] Udp(Ipv4Address source, Ipv4Address destination, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        var buffer = new byte[28 + payload.Length];
        if (!PacketWriter.TryWriteUdp(buffer, source, destination, sourcePort, destinationPort, payload, out var written))
        {
            throw new ArgumentException($"a UDP payload of {payload.Length} bytes does not fit one IPv4 packet", nameof(payload));
        }

        return buffer[..written];
    }

    /// <summary>An IPv4/UDP packet carrying <paramref name="payload"/> in ASCII (a SIP message, say).</summary>
    public static byte[] Udp(Ipv4Address source, Ipv4Address destination, ushort sourcePort, ushort destinationPort, string payload) =>
        Udp(source, destination, sourcePort, destinationPort, Encoding.ASCII.GetBytes(payload));

    /// <summary>Whether the packet's IPv4 checksum, and its UDP or TCP checksum, are what they should be.</summary>
    public static bool HasValidChecksums(ReadOnlySpan<byte> packet)
    {
        var copy = new Packet(packet.ToArray());
        var ip = copy.Ipv4.Checksum;
        var transport = copy.Data.ToArray();
        copy.UpdateChecksums();
        return copy.Ipv4.Checksum == ip && copy.Data.SequenceEqual(transport);
    }
}
