using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NetServ.Sdk;

namespace NetServ.Apps.KeepAlive.Tests;

/// <summary>What a container would give the module, with a packet sender that keeps what it is given.</summary>
internal sealed class TestModuleContext(ModuleProperties properties) : IModuleContext
{
    public string ModuleName => "NetServ.Apps.KeepAlive_1.0.0";

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
