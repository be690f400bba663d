using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NetServ.Sdk;

namespace NetServ.Apps.Testing;

/// <summary>
/// What a container would give a module under test: its properties, a clock the test moves, and
/// whatever building blocks, packet sender and allowed ports the test sets. Compiled into the
/// application test projects that link it.
/// </summary>
internal sealed class TestModuleContext(ModuleProperties properties) : IModuleContext
{
    public string ModuleName { get; init; } = "NetServ.Apps.Test_1.0.0";

    public string User { get; init; } = "alice";

    public ModuleProperties Properties { get; } = properties;

    public PacketFilter? Filter { get; init; }

    public ILogger Logger => NullLogger.Instance;

    public ILoggerFactory LoggerFactory => NullLoggerFactory.Instance;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public TimeProvider TimeProvider => Time;

    public IBuildingBlocks BuildingBlocks { get; init; } = new TestBuildingBlocks();

    public IPacketSender PacketSender { get; init; } = new RefusingPacketSender();

    public string DataDirectory => Path.GetTempPath();

    public IReadOnlySet<int> AllowedPorts { get; init; } = new HashSet<int>();

    public CancellationToken ModuleStopping => CancellationToken.None;

    private sealed class RefusingPacketSender : IPacketSender
    {
        public bool TrySend(ReadOnlySpan<byte> ipv4Packet) => false;
    }
}

/// <summary>Building blocks given by the test; none by default.</summary>
internal sealed class TestBuildingBlocks(params object[] blocks) : IBuildingBlocks
{
    public IReadOnlyCollection<string> Names => [.. blocks.Select(b => b.GetType().Name)];

    public bool Has(string name) => Names.Contains(name);

    public T? Find<T>()
        where T : class => blocks.OfType<T>().FirstOrDefault();

    public T Require<T>()
        where T : class => Find<T>() ?? throw new InvalidOperationException($"no {typeof(T).Name} in this test");
}
