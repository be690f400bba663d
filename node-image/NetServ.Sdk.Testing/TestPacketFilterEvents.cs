using Microsoft.Extensions.Logging.Abstractions;

namespace NetServ.Sdk.Testing;

/// <summary>
/// The <c>filter-events</c> building block for a test: the test adds and removes filters as netservd would when
/// modules come and go, and the module under test hears of them. Give it to the module with
/// <c>new TestBuildingBlocks(events)</c>.
/// </summary>
public sealed class TestPacketFilterEvents : IPacketFilterEvents
{
    private readonly PacketFilterEventSource _source = new(NullLogger.Instance);

    /// <inheritdoc />
    public IReadOnlyList<InstalledFilter> Current => _source.Current;

    /// <summary>How many observers are subscribed: a module that stopped should have left.</summary>
    public int Subscribers => _source.Subscribers;

    /// <inheritdoc />
    public IDisposable Subscribe(IPacketFilterObserver observer) => _source.Subscribe(observer);

    /// <summary>A module with this filter was installed; observers that throw are skipped, as in a container.</summary>
    public void Add(InstalledFilter filter) => _source.Add(filter);

    /// <summary>The module of this filter was removed.</summary>
    public void Remove(InstalledFilter filter) => _source.Remove(filter);
}
