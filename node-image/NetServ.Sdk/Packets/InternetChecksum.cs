using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NetServ.Networking;

namespace NetServ.Sdk;

/// <summary>The Internet checksum (RFC 1071) for IPv4 headers and UDP/TCP segments.</summary>
public static class InternetChecksum
{
    /// <summary>Computes the checksum of <paramref name="data"/>, ready to store in a header whose checksum field was zero.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => Fold(Sum(data, 0));

    /// <summary>
    /// Computes the UDP or TCP checksum of <paramref name="segment"/> (header with zeroed checksum
    /// field, plus payload) with the IPv4 pseudo-header. A UDP result of zero is sent as 0xFFFF.
    /// </summary>
    public static ushort ComputeTransport(Ipv4Address source, Ipv4Address destination, byte protocol, ReadOnlySpan<byte> segment)
    {
        ulong sum = (source.Value >> 16) + (source.Value & 0xFFFF)
            + (destination.Value >> 16) + (destination.Value & 0xFFFF)
            + protocol + (uint)segment.Length;
        var result = Fold(Sum(segment, sum));
        return protocol == IpProtocol.Udp && result == 0 ? (ushort)0xFFFF : result;
    }

    /// <summary>Whether a header or segment including its checksum field sums to the all-ones value (the checksum is valid).</summary>
    public static bool IsValid(ReadOnlySpan<byte> dataWithChecksum) => Fold(Sum(dataWithChecksum, 0)) == 0;

    /// <summary>Whether the UDP or TCP checksum of <paramref name="segment"/> (checksum field included) is valid.</summary>
    public static bool IsValidTransport(Ipv4Address source, Ipv4Address destination, byte protocol, ReadOnlySpan<byte> segment)
    {
        ulong sum = (source.Value >> 16) + (source.Value & 0xFFFF)
            + (destination.Value >> 16) + (destination.Value & 0xFFFF)
            + protocol + (uint)segment.Length;
        return Fold(Sum(segment, sum)) == 0;
    }

    private static ulong Sum(ReadOnlySpan<byte> data, ulong sum)
    {
        // Summing 32-bit big-endian words into 64 bits defers carries; folding at the end is equivalent to 16-bit one's complement addition.
        var words = MemoryMarshal.Cast<byte, uint>(data);
        foreach (var word in words)
        {
            var w = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(word) : word;
            sum += (w >> 16) + (w & 0xFFFF);
        }

        var rest = data[(words.Length * 4)..];
        if (rest.Length >= 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(rest);
            rest = rest[2..];
        }

        if (rest.Length == 1)
        {
            sum += (ulong)rest[0] << 8;
        }

        return sum;
    }

    private static ushort Fold(ulong sum)
    {
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
