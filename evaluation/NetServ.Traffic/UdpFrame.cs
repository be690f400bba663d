using System.Buffers.Binary;
using System.Net.NetworkInformation;
using NetServ.Networking;
using NetServ.Sdk;

namespace NetServ.Traffic;

/// <summary>What the UDP payload of generated frames holds.</summary>
public enum UdpPayloadKind
{
    /// <summary>A fixed byte pattern.</summary>
    Pattern,

    /// <summary>A SIP NOTIFY request with <c>Event: keep-alive</c> (the paper's KeepAlive traffic), padded to the frame size.</summary>
    SipKeepAlive,
}

/// <summary>
/// One Ethernet + IPv4 + UDP frame with correct checksums, built once and sent unchanged by the
/// traffic generator. Sizes are "on the wire" as RFC 2544 and the paper count them, frame check
/// sequence included: a 64-byte frame is 60 bytes handed to the interface.
/// </summary>
public sealed record UdpFrame
{
    /// <summary>Bytes of the Ethernet frame check sequence, counted on the wire but not handed to the interface.</summary>
    public const int FcsBytes = 4;

    /// <summary>Ethernet header bytes.</summary>
    public const int EthernetHeaderBytes = 14;

    /// <summary>IPv4 (no options) plus UDP header bytes.</summary>
    public const int IpUdpHeaderBytes = 28;

    /// <summary>The smallest size on the wire: a 64-byte Ethernet frame.</summary>
    public const int MinimumWireBytes = 64;

    /// <summary>The largest size on the wire: a 1518-byte Ethernet frame (a 1500-byte MTU).</summary>
    public const int MaximumWireBytes = 1518;

    /// <summary>The <see cref="UdpPayloadKind.Pattern"/> payload repeats these bytes (so Click's RatedSource, repeating its DATA to a LENGTH, sends the same).</summary>
    public const string PatternAlphabet = "abcdefghijklmnopqrstuvwxyz";

    private UdpFrame(byte[] bytes, int wireBytes, UdpPayloadKind payload)
    {
        Bytes = bytes;
        WireBytes = wireBytes;
        Payload = payload;
    }

    /// <summary>The frame as handed to the interface (without FCS).</summary>
    public byte[] Bytes { get; }

    /// <summary>The size on the wire, FCS included.</summary>
    public int WireBytes { get; }

    /// <summary>What the UDP payload holds.</summary>
    public UdpPayloadKind Payload { get; }

    /// <summary>The UDP payload of the frame.</summary>
    public ReadOnlySpan<byte> UdpPayload => Bytes.AsSpan(EthernetHeaderBytes + IpUdpHeaderBytes);

    /// <summary>
    /// Builds a frame of <paramref name="wireBytes"/> bytes on the wire (64..1518) from
    /// <paramref name="source"/>:<paramref name="sourcePort"/> to <paramref name="destination"/>:<paramref name="destinationPort"/>,
    /// addressed to <paramref name="nextHop"/>'s MAC.
    /// </summary>
    public static UdpFrame Create(
        int wireBytes,
        PhysicalAddress sourceMac,
        PhysicalAddress nextHop,
        Ipv4Address source,
        Ipv4Address destination,
        ushort sourcePort,
        ushort destinationPort,
        UdpPayloadKind payload = UdpPayloadKind.Pattern)
    {
        ArgumentNullException.ThrowIfNull(sourceMac);
        ArgumentNullException.ThrowIfNull(nextHop);
        ArgumentOutOfRangeException.ThrowIfLessThan(wireBytes, MinimumWireBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(wireBytes, MaximumWireBytes);
        if (sourceMac.GetAddressBytes().Length != 6 || nextHop.GetAddressBytes().Length != 6)
        {
            throw new ArgumentException("MAC addresses have 6 bytes");
        }

        var frame = new byte[wireBytes - FcsBytes];
        var ipLength = frame.Length - EthernetHeaderBytes;
        var udpLength = ipLength - 20;
        var payloadLength = udpLength - 8;

        nextHop.GetAddressBytes().CopyTo(frame, 0);
        sourceMac.GetAddressBytes().CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);

        var ip = frame.AsSpan(EthernetHeaderBytes, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000); // DF: never fragmented on the way
        ip[8] = 64;
        ip[9] = IpProtocol.Udp;
        source.Write(ip[12..]);
        destination.Write(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip));

        var udp = frame.AsSpan(EthernetHeaderBytes + 20, udpLength);
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
        var body = udp[8..];
        switch (payload)
        {
            case UdpPayloadKind.SipKeepAlive:
                SipKeepAliveMessage.Build(source, sourcePort, destination, destinationPort, payloadLength).CopyTo(body);
                break;
            default:
                for (var i = 0; i < body.Length; i++)
                {
                    body[i] = (byte)PatternAlphabet[i % PatternAlphabet.Length];
                }

                break;
        }

        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], InternetChecksum.ComputeTransport(source, destination, IpProtocol.Udp, udp));
        return new UdpFrame(frame, wireBytes, payload);
    }
}
