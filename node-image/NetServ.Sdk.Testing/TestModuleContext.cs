using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace NetServ.Sdk.Testing;

/// <summary>
/// What a NetServ container gives a module, for a test: its properties, a clock the test moves, a packet sender
/// that keeps what the module sends, and whatever filter, building blocks and allowed ports the test sets.
/// </summary>
/// <example>
/// <code>
/// var context = new TestModuleContext(TestModuleContext.ParseProperties("threshold=10"))
/// {
///     Filter = new PacketFilter(FilterProtocol.Udp, 5060, [Ipv4Prefix.Parse("198.19.0.1/32")]),
/// };
/// module.Start(context);
/// context.Time.Advance(TimeSpan.FromSeconds(30));
/// </code>
/// </example>
public sealed class TestModuleContext : IModuleContext, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>A context with <paramref name="properties"/> (none when null).</summary>
    public TestModuleContext(ModuleProperties? properties = null)
    {
        Properties = properties ?? ModuleProperties.Empty;
        PacketSender = Sender;
    }

    /// <summary>Parses <c>key=value,...</c> as a SETUP's <c>properties</c> header gives them.</summary>
    /// <exception cref="ArgumentException">The text is not valid properties.</exception>
    public static ModuleProperties ParseProperties(string text) =>
        ModuleProperties.TryParse(text, out var properties, out var error) ? properties : throw new ArgumentException(error, nameof(text));

    /// <summary>The start of <see cref="Time"/>: 1 March 2025, 12:00 UTC.</summary>
    public static DateTimeOffset Start { get; } = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <inheritdoc />
    public string ModuleName { get; init; } = "NetServ.Apps.Test_1.0.0";

    /// <inheritdoc />
    public string User { get; init; } = "alice";

    /// <inheritdoc />
    public ModuleProperties Properties { get; }

    /// <inheritdoc />
    public PacketFilter? Filter { get; init; }

    /// <inheritdoc />
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <inheritdoc />
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>The module's clock; <c>Time.Advance(...)</c> runs its timers.</summary>
    public FakeTimeProvider Time { get; } = new(Start);

    /// <inheritdoc />
    public TimeProvider TimeProvider => Time;

    /// <inheritdoc />
    public IBuildingBlocks BuildingBlocks { get; init; } = new TestBuildingBlocks();

    /// <summary>The packet sender given by default: it keeps what the module sends.</summary>
    public RecordingPacketSender Sender { get; } = new();

    /// <inheritdoc />
    public IPacketSender PacketSender { get; init; }

    /// <inheritdoc />
    public string DataDirectory { get; init; } = Path.GetTempPath();

    /// <inheritdoc />
    public IReadOnlySet<int> AllowedPorts { get; init; } = new HashSet<int>();

    /// <inheritdoc />
    public CancellationToken ModuleStopping => _stopping.Token;

    /// <summary>Signals <see cref="ModuleStopping"/>, as the container does when the module is removed.</summary>
    public void Stop() => _stopping.Cancel();

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();
}
