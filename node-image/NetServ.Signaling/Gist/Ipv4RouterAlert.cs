using System.Buffers.Binary;
using NetServ.Networking;
using NetServ.Sdk;

namespace NetServ.Signaling.Gist;

/// <summary>What <see cref="Ipv4RouterAlert.TryReadUdpPacket"/> found in an IPv4 packet that carries UDP.</summary>
internal readonly record struct Ipv4UdpPacketInfo(
    Ipv4Address Source,
    Ipv4Address Destination,
    ushort SourcePort,
    ushort DestinationPort,
    byte Ttl,
    ushort? RouterAlertValue,
    int PayloadOffset,
    int PayloadLength)
{
    /// <summary>The UDP payload within the packet the info was read from.</summary>
    public ReadOnlySpan<byte> PayloadOf(ReadOnlySpan<byte> packet) => packet.Slice(PayloadOffset, PayloadLength);
}

/// <summary>
/// The IPv4 Router Alert option (RFC 2113: <c>94 04 VV VV</c>) and whole IPv4+UDP packets that carry it: what a
/// raw socket sends for a Q-mode Query, and what a raw socket with IP_ROUTER_ALERT receives (the whole packet,
/// its 24-byte header included). Pure span code: no sockets here.
/// </summary>
internal static class Ipv4RouterAlert
{
    /// <summary>The option type: copied on fragmentation, control class, number 20.</summary>
    public const byte OptionType = 0x94;

    /// <summary>The option's length, type and length bytes included.</summary>
    public const int OptionLength = 4;

    /// <summary>An IPv4 header carrying only the Router Alert option.</summary>
    public const int HeaderLength = 24;

    public const int UdpHeaderLength = 8;

    private const byte UdpProtocol = 17;
    private const byte EndOfOptions = 0;
    private const byte NoOperation = 1;

    /// <summary>Writes the four option bytes; false if fewer than four fit.</summary>
    public static bool TryWriteOption(Span<byte> destination, ushort value)
    {
        if (destination.Length < OptionLength)
        {
            return false;
        }

        destination[0] = OptionType;
        destination[1] = OptionLength;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], value);
        return true;
    }

    /// <summary>
    /// Looks for a Router Alert option in an IPv4 options area (the bytes between the fixed header and the
    /// payload). False with no error when there is none; false with an error when the options are malformed.
    /// </summary>
    public static bool TryReadOption(ReadOnlySpan<byte> options, out ushort value, out GistError error)
    {
        value = 0;
        error = default;
        var position = 0;
        while (position < options.Length)
        {
            var type = options[position];
            if (type == EndOfOptions)
            {
                return false;
            }

            if (type == NoOperation)
            {
                position++;
                continue;
            }

            if (options.Length - position < 2 || options[position + 1] < 2 || options[position + 1] > options.Length - position)
            {
                error = Malformed($"IPv4 option 0x{type:x2} at option byte {position} has no valid length", position);
                return false;
            }

            var length = options[position + 1];
            if (type == OptionType)
            {
                if (length != OptionLength)
                {
                    error = Malformed($"a Router Alert option has length 4, not {length}", position);
                    return false;
                }

                value = BinaryPrimitives.ReadUInt16BigEndian(options[(position + 2)..]);
                return true;
            }

            position += length;
        }

        return false;
    }

    /// <summary>The bytes a packet with <paramref name="payloadLength"/> bytes of UDP payload takes.</summary>
    public static int GetUdpPacketLength(int payloadLength) => HeaderLength + UdpHeaderLength + payloadLength;

    /// <summary>
    /// Writes an IPv4 packet with the Router Alert option, a UDP header and <paramref name="payload"/>, both
    /// checksums filled in; false if the destination is too short.
    /// </summary>
    /// <exception cref="ArgumentException">The payload does not fit in one IPv4 packet.</exception>
    public static bool TryWriteUdpPacket(
        Span<byte> destination,
        Ipv4Address source,
        Ipv4Address destinationAddress,
        ushort sourcePort,
        ushort destinationPort,
        ReadOnlySpan<byte> payload,
        out int written,
        byte ttl = 64,
        ushort identification = 0,
        ushort routerAlertValue = GistConstants.NetServRouterAlertValue)
    {
        written = 0;
        var total = GetUdpPacketLength(payload.Length);
        if (total > ushort.MaxValue)
        {
            throw new ArgumentException($"{payload.Length} bytes of payload do not fit in one IPv4 packet", nameof(payload));
        }

        if (destination.Length < total)
        {
            return false;
        }

        var ip = destination[..HeaderLength];
        ip[0] = 0x40 | (HeaderLength / 4);
        ip[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)total);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], identification);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0);
        ip[8] = ttl;
        ip[9] = UdpProtocol;
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
        source.Write(ip[12..]);
        destinationAddress.Write(ip[16..]);
        TryWriteOption(ip[20..], routerAlertValue);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip));

        var udp = destination[HeaderLength..total];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udp.Length);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], 0);
        payload.CopyTo(udp[UdpHeaderLength..]);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], InternetChecksum.ComputeTransport(source, destinationAddress, UdpProtocol, udp));
        written = total;
        return true;
    }

    /// <summary>
    /// Reads an IPv4 packet carrying UDP, as a raw socket returns it: checks the IPv4 header (version, length,
    /// checksum, options, no fragment) and the UDP header (length, checksum when present), and says where the
    /// payload is and which Router Alert value, if any, the packet carries.
    /// </summary>
    public static bool TryReadUdpPacket(ReadOnlySpan<byte> packet, out Ipv4UdpPacketInfo info, out GistError error)
    {
        info = default;
        if (packet.Length < 20)
        {
            error = Malformed($"{packet.Length} bytes, too few for an IPv4 header", 0);
            return false;
        }

        var headerLength = (packet[0] & 0x0F) * 4;
        if (packet[0] >> 4 != 4 || headerLength < 20 || headerLength > packet.Length)
        {
            error = Malformed($"version {packet[0] >> 4} with header length {headerLength} is not an IPv4 header that fits in {packet.Length} bytes", 0);
            return false;
        }

        var totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (totalLength > packet.Length || totalLength < headerLength + UdpHeaderLength)
        {
            error = Malformed($"total length {totalLength} does not fit the {packet.Length} bytes received and a UDP header", 2);
            return false;
        }

        if (!InternetChecksum.IsValid(packet[..headerLength]))
        {
            error = Malformed("the IPv4 header checksum is wrong", 10);
            return false;
        }

        if ((BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x3FFF) != 0)
        {
            error = Malformed("the packet is a fragment", 6);
            return false;
        }

        if (packet[9] != UdpProtocol)
        {
            error = Malformed($"protocol {packet[9]} is not UDP", 9);
            return false;
        }

        ushort? routerAlert = null;
        if (TryReadOption(packet[20..headerLength], out var value, out error))
        {
            routerAlert = value;
        }
        else if (error.IsError)
        {
            error = Malformed(error.Reason, 20 + error.Offset);
            return false;
        }

        var source = Ipv4Address.Read(packet[12..]);
        var destination = Ipv4Address.Read(packet[16..]);
        var udp = packet[headerLength..totalLength];
        var udpLength = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
        if (udpLength < UdpHeaderLength || udpLength > udp.Length)
        {
            error = Malformed($"UDP length {udpLength} does not fit the {udp.Length} bytes after the IPv4 header", headerLength + 4);
            return false;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(udp[6..]) != 0
            && !InternetChecksum.IsValidTransport(source, destination, UdpProtocol, udp[..udpLength]))
        {
            error = Malformed("the UDP checksum is wrong", headerLength + 6);
            return false;
        }

        info = new Ipv4UdpPacketInfo(
            source,
            destination,
            BinaryPrimitives.ReadUInt16BigEndian(udp),
            BinaryPrimitives.ReadUInt16BigEndian(udp[2..]),
            packet[8],
            routerAlert,
            headerLength + UdpHeaderLength,
            udpLength - UdpHeaderLength);
        error = default;
        return true;
    }

    private static GistError Malformed(string reason, int offset) => new(GistErrorKind.MalformedPacket, reason, offset);
}
