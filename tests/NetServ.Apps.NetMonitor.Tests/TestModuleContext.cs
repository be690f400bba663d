using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NetServ.Sdk;

namespace NetServ.Apps.NetMonitor.Tests;

/// <summary>What a container would give the module, with a clock the test moves.</summary>
internal sealed class TestModuleContext(ModuleProperties properties) : IModuleContext
{
    public string ModuleName => "NetServ.Apps.NetMonitor_1.0.0";

    public string User => "alice";

    public ModuleProperties Properties { get; } = properties;

    public PacketFilter? Filter { get; } = new(FilterProtocol.Udp, null, [Ipv4Prefix.Parse("198.19.0.0/16")]);

    public ILogger Logger => NullLogger.Instance;

    public ILoggerFactory LoggerFactory => NullLoggerFactory.Instance;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public TimeProvider TimeProvider => Time;

    public IBuildingBlocks BuildingBlocks { get; } = new NoBuildingBlocks();

    public IPacketSender PacketSender { get; } = new RefusingPacketSender();

    public string DataDirectory => Path.GetTempPath();

    public IReadOnlySet<int> AllowedPorts { get; } = new HashSet<int>();

    public CancellationToken ModuleStopping => CancellationToken.None;

    private sealed class NoBuildingBlocks : IBuildingBlocks
    {
        public IReadOnlyCollection<string> Names => [];

        public bool Has(string name) => false;

        public T? Find<T>()
            where T : class => null;

        public T Require<T>()
            where T : class => throw new InvalidOperationException("no building blocks in this test");
    }

    private sealed class RefusingPacketSender : IPacketSender
    {
        public bool TrySend(ReadOnlySpan<byte> ipv4Packet) => false;
    }
}
