using System.Buffers.Binary;
using NetServ.Networking;

namespace NetServ.Sdk.Tests.Packets;

/// <summary>Builds IPv4 packets byte by byte, independently of the SDK's writer, so the parsers are checked against the wire format itself.</summary>
internal static class TestPackets
{
    public static readonly Ipv4Address Source = Ipv4Address.Parse("198.18.0.1");
    public static readonly Ipv4Address Destination = Ipv4Address.Parse("198.19.0.2");

    /// <summary>An IPv4 packet: header of 20 + <paramref name="options"/> bytes, then <paramref name="transport"/>.</summary>
    public static byte[] Ipv4(byte protocol, ReadOnlySpan<byte> transport, int options = 0, byte ttl = 64, ushort flagsAndOffset = 0, Ipv4Address? source = null, Ipv4Address? destination = null)
    {
        var headerLength = 20 + options;
        var packet = new byte[headerLength + transport.Length];
        packet[0] = (byte)(0x40 | (headerLength / 4));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), flagsAndOffset);
        packet[8] = ttl;
        packet[9] = protocol;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(12), (source ?? Source).Value);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(16), (destination ?? Destination).Value);
        for (var i = 20; i < headerLength; i++)
        {
            packet[i] = 1; // NOP options
        }

        transport.CopyTo(packet.AsSpan(headerLength));
        return packet;
    }

    /// <summary>A UDP segment with the given ports and payload; the length field covers it, the checksum is zero.</summary>
    public static byte[] UdpSegment(ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        var segment = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(segment, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(4), (ushort)segment.Length);
        payload.CopyTo(segment.AsSpan(8));
        return segment;
    }

    /// <summary>A TCP segment whose data offset says <paramref name="dataOffsetWords"/> 32-bit words (5 = no options).</summary>
    public static byte[] TcpSegment(ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload, int optionBytes = 0, int? dataOffsetWords = null)
    {
        var headerLength = 20 + optionBytes;
        var segment = new byte[headerLength + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(segment, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(4), 1000);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(8), 2000);
        segment[12] = (byte)((dataOffsetWords ?? (headerLength / 4)) << 4);
        segment[13] = 0x18; // PSH, ACK
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(14), 65535);
        for (var i = 20; i < headerLength; i++)
        {
            segment[i] = 1; // NOP options
        }

        payload.CopyTo(segment.AsSpan(headerLength));
        return segment;
    }

    public static byte[] Udp(ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload, int options = 0, ushort flagsAndOffset = 0) =>
        Ipv4(IpProtocol.Udp, UdpSegment(sourcePort, destinationPort, payload), options, flagsAndOffset: flagsAndOffset);

    public static byte[] Tcp(ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload, int options = 0, int tcpOptions = 0) =>
        Ipv4(IpProtocol.Tcp, TcpSegment(sourcePort, destinationPort, payload, tcpOptions), options);

    /// <summary>The RFC 1071 sum the plain way: 16-bit big-endian words, an odd byte padded with zero, carries folded, complemented.</summary>
    public static ushort ReferenceChecksum(ReadOnlySpan<byte> data, uint initial = 0)
    {
        var sum = initial;
        for (var i = 0; i < data.Length; i += 2)
        {
            var word = (uint)(data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0u);
            sum += word;
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>The pseudo-header sum of RFC 768 / RFC 793 for the reference checksum.</summary>
    public static uint PseudoHeaderSum(Ipv4Address source, Ipv4Address destination, byte protocol, int length) =>
        (source.Value >> 16) + (source.Value & 0xFFFF) + (destination.Value >> 16) + (destination.Value & 0xFFFF) + protocol + (uint)length;
}
