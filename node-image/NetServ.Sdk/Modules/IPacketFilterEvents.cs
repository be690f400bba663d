namespace NetServ.Sdk;

/// <summary>A packet filter that a module installed on this node asked for in its SETUP.</summary>
/// <param name="User">The NetServ user who installed the module.</param>
/// <param name="Module">The module's name, package id and version.</param>
/// <param name="Filter">The packets the module receives.</param>
public sealed record InstalledFilter(string User, string Module, PacketFilter Filter);

/// <summary>Told of packet filters being added and removed on the node (<see cref="IPacketFilterEvents"/>).</summary>
/// <remarks>
/// Calls come one at a time, in the order the node made the changes, on a thread of the container's control
/// loop: return quickly and hand longer work to a task of your own. An exception is logged by the container
/// and does not stop later calls.
/// </remarks>
public interface IPacketFilterObserver
{
    /// <summary>A module with <paramref name="filter"/> was installed (or was installed already when the observer subscribed).</summary>
    void OnFilterAdded(InstalledFilter filter);

    /// <summary>The module of <paramref name="filter"/> was removed: REMOVE, ttl expiry, failure or the node stopping.</summary>
    void OnFilterRemoved(InstalledFilter filter);
}

/// <summary>
/// The <c>filter-events</c> building block (<see cref="BuildingBlockNames.FilterEvents"/>): netservd tells a
/// subscribed module about the packet filters that installed modules, of every user on the node, asked for.
/// The OpenFlow controller module uses it to steer the matching flows through the node (paper section 10).
/// </summary>
public interface IPacketFilterEvents
{
    /// <summary>The filters installed on the node now.</summary>
    IReadOnlyList<InstalledFilter> Current { get; }

    /// <summary>
    /// Subscribes <paramref name="observer"/>: it is first told of every filter installed now, then of each change.
    /// Dispose the result in the module's <see cref="INetServModule.StopAsync"/> to unsubscribe.
    /// </summary>
    IDisposable Subscribe(IPacketFilterObserver observer);
}
