using System.Buffers.Binary;
using System.Net.NetworkInformation;
using NetServ.Networking;

namespace NetServ.Traffic;

/// <summary>
/// One bounded run of UDP traffic, whichever generator sends it: what leaves which interface, to
/// whom, how large, how fast, how many, and the deadline. Sizes count on the wire, FCS included
/// (64 and 340 bytes in the paper's evaluation).
/// </summary>
public sealed record TrafficSpec
{
    /// <summary>The interface the frames leave through, on the sending node.</summary>
    public required string Device { get; init; }

    /// <summary>The sending interface's MAC address.</summary>
    public required PhysicalAddress SourceMac { get; init; }

    /// <summary>The next hop's MAC address (the router's), the frames' Ethernet destination.</summary>
    public required PhysicalAddress NextHopMac { get; init; }

    /// <summary>The IPv4 source address.</summary>
    public required Ipv4Address Source { get; init; }

    /// <summary>The IPv4 destination address.</summary>
    public required Ipv4Address Destination { get; init; }

    /// <summary>The UDP source port.</summary>
    public ushort SourcePort { get; init; } = 5060;

    /// <summary>The UDP destination port (where the receiver counts).</summary>
    public ushort DestinationPort { get; init; } = 5060;

    /// <summary>The frame size on the wire, FCS included: 64 to 1518.</summary>
    public int WireBytes { get; init; } = UdpFrame.MinimumWireBytes;

    /// <summary>What the UDP payload holds.</summary>
    public UdpPayloadKind Payload { get; init; } = UdpPayloadKind.Pattern;

    /// <summary>The rate in packets per second; 0 sends as fast as the generator can.</summary>
    public required double PacketsPerSecond { get; init; }

    /// <summary>Exactly how many packets to offer.</summary>
    public required long Packets { get; init; }

    /// <summary>The run ends at this deadline even when not all packets were offered.</summary>
    public required TimeSpan MaxDuration { get; init; }

    /// <summary>The UDP payload bytes per frame.</summary>
    public int UdpPayloadBytes => WireBytes - UdpFrame.FcsBytes - UdpFrame.EthernetHeaderBytes - UdpFrame.IpUdpHeaderBytes;

    /// <summary>The UDP payload every frame carries.</summary>
    public byte[] BuildUdpPayload() => Payload switch
    {
        UdpPayloadKind.SipKeepAlive => SipKeepAliveMessage.Build(Source, SourcePort, Destination, DestinationPort, UdpPayloadBytes),
        _ => UdpFrame.Create(WireBytes, SourceMac, NextHopMac, Source, Destination, SourcePort, DestinationPort).UdpPayload.ToArray(),
    };

    /// <summary>Throws when the run could not be sent as asked: sizes outside Ethernet, a negative count or rate, no deadline.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Device);
        ArgumentNullException.ThrowIfNull(SourceMac);
        ArgumentNullException.ThrowIfNull(NextHopMac);
        ArgumentOutOfRangeException.ThrowIfLessThan(WireBytes, UdpFrame.MinimumWireBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(WireBytes, UdpFrame.MaximumWireBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(PacketsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegative(Packets);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxDuration, TimeSpan.Zero);
        if (Payload == UdpPayloadKind.SipKeepAlive
            && SipKeepAliveMessage.MinimumLength(Source, SourcePort, Destination, DestinationPort) is var shortest && shortest > UdpPayloadBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(WireBytes), WireBytes, $"a SIP NOTIFY keep-alive needs {shortest} bytes of UDP payload; a {WireBytes}-byte frame has {UdpPayloadBytes}");
        }
    }

    /// <summary>
    /// The flow <paramref name="frame"/> belongs to, leaving <paramref name="device"/>: its addresses, ports, size and
    /// payload read back from the frame, so that another generator sends the very frames the paced generator would.
    /// One packet at 1 pps until <see cref="ForDuration"/> gives it a rate and a count.
    /// </summary>
    public static TrafficSpec Of(UdpFrame frame, string device)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentException.ThrowIfNullOrEmpty(device);
        var bytes = frame.Bytes.AsSpan();
        var ip = bytes[UdpFrame.EthernetHeaderBytes..];
        var udp = ip[20..];
        return new TrafficSpec
        {
            Device = device,
            NextHopMac = new PhysicalAddress(bytes[..6].ToArray()),
            SourceMac = new PhysicalAddress(bytes[6..12].ToArray()),
            Source = Ipv4Address.Read(ip[12..]),
            Destination = Ipv4Address.Read(ip[16..]),
            SourcePort = BinaryPrimitives.ReadUInt16BigEndian(udp),
            DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(udp[2..]),
            WireBytes = frame.WireBytes,
            Payload = frame.Payload,
            PacketsPerSecond = 1,
            Packets = 1,
            MaxDuration = TimeSpan.FromSeconds(1),
        };
    }

    /// <summary>
    /// <paramref name="seconds"/> at <paramref name="packetsPerSecond"/>: the count that rate sends in that time,
    /// with a deadline of twice that plus a second.
    /// </summary>
    public TrafficSpec ForDuration(double packetsPerSecond, double seconds)
    {
        var request = GeneratorRequest.ForDuration(packetsPerSecond, seconds);
        return this with { PacketsPerSecond = request.PacketsPerSecond, Packets = request.Packets, MaxDuration = request.MaxDuration };
    }
}
