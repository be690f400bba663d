using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NetServ.Sdk;

namespace NetServ.Apps.Tests;

/// <summary>What a container would give a SIP module in the application tests (filter: UDP toward 198.19.0.1:5060), with a packet sender that keeps what it is given.</summary>
internal sealed class TestModuleContext(ModuleProperties properties, string moduleName) : IModuleContext
{
    public string ModuleName => moduleName;

    public string User => "itsp";

    public ModuleProperties Properties { get; } = properties;

    public PacketFilter? Filter { get; } = new(FilterProtocol.Udp, 5060, [Ipv4Prefix.Parse("198.19.0.1/32")]);

    public ILogger Logger => NullLogger.Instance;

    public ILoggerFactory LoggerFactory => NullLoggerFactory.Instance;

    public TimeProvider TimeProvider { get; } = new FakeTimeProvider();

    public IBuildingBlocks BuildingBlocks => throw new NotSupportedException("the module uses no building blocks");

    public RecordingPacketSender Sender { get; } = new();

    public IPacketSender PacketSender => Sender;

    public string DataDirectory => Path.GetTempPath();

    public IReadOnlySet<int> AllowedPorts { get; } = new HashSet<int>();

    public CancellationToken ModuleStopping => CancellationToken.None;
}

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

/// <summary>Packets for the application tests.</summary>
internal static class TestPackets
{
    /// <summary>The user agent's port.</summary>
    public const ushort UaPort = 40000;

    /// <summary>The SIP server's port, the filter's.</summary>
    public const ushort ServerPort = 5060;

    /// <summary>The user agent.</summary>
    public static readonly Ipv4Address UaAddress = Ipv4Address.Parse("198.18.0.1");

    /// <summary>The SIP server, the filter's destination.</summary>
    public static readonly Ipv4Address ServerAddress = Ipv4Address.Parse("198.19.0.1");

    /// <summary>A whole IPv4/UDP packet carrying <paramref name="payload"/>, checksums set.</summary>
    public static byte[] Udp(Ipv4Address source, Ipv4Address destination, ushort sourcePort, ushort destinationPort, string payload)
    {
        var buffer = new byte[2048];
        Assert.That(PacketWriter.TryWriteUdp(buffer, source, destination, sourcePort, destinationPort, System.Text.Encoding.ASCII.GetBytes(payload), out var written), Is.True);
        return buffer[..written];
    }

    /// <summary>Whether the packet's IPv4 and UDP checksums are what they should be.</summary>
    public static bool HasValidChecksums(byte[] bytes)
    {
        var packet = new Packet(bytes.ToArray());
        var ip = packet.Ipv4.Checksum;
        var udp = packet.Udp.Checksum;
        packet.UpdateChecksums();
        return packet.Ipv4.Checksum == ip && packet.Udp.Checksum == udp;
    }
}
