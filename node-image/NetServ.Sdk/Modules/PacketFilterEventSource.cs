using Microsoft.Extensions.Logging;

namespace NetServ.Sdk;

/// <summary>
/// The <see cref="IPacketFilterEvents"/> a container offers (and <c>TestPacketFilterEvents</c> wraps): the node's
/// filters as last told, and the observers told of each change. An observer that throws is logged and kept; the
/// others are still told.
/// </summary>
internal sealed partial class PacketFilterEventSource(ILogger logger) : IPacketFilterEvents
{
    private readonly object _gate = new();
    private readonly List<InstalledFilter> _filters = [];
    private readonly List<IPacketFilterObserver> _observers = [];

    public IReadOnlyList<InstalledFilter> Current
    {
        get
        {
            lock (_gate)
            {
                return [.. _filters];
            }
        }
    }

    /// <summary>How many observers are subscribed.</summary>
    public int Subscribers
    {
        get
        {
            lock (_gate)
            {
                return _observers.Count;
            }
        }
    }

    public IDisposable Subscribe(IPacketFilterObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_gate)
        {
            _observers.Add(observer);
            foreach (var filter in _filters)
            {
                Tell(observer, filter, added: true);
            }
        }

        return new Subscription(this, observer);
    }

    /// <summary>A filter was installed; false when it was known already.</summary>
    public bool Add(InstalledFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        lock (_gate)
        {
            if (_filters.Contains(filter))
            {
                return false;
            }

            _filters.Add(filter);
            TellAll(filter, added: true);
            return true;
        }
    }

    /// <summary>A filter was removed; false when it was not known.</summary>
    public bool Remove(InstalledFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        lock (_gate)
        {
            if (!_filters.Remove(filter))
            {
                return false;
            }

            TellAll(filter, added: false);
            return true;
        }
    }

    /// <summary>The node's whole set of filters: what is gone is removed, then what is new added.</summary>
    public void Replace(IReadOnlyCollection<InstalledFilter> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        lock (_gate)
        {
            foreach (var gone in _filters.Where(f => !filters.Contains(f)).ToArray())
            {
                Remove(gone);
            }

            foreach (var filter in filters)
            {
                Add(filter);
            }
        }
    }

    private void TellAll(InstalledFilter filter, bool added)
    {
        foreach (var observer in _observers.ToArray())
        {
            Tell(observer, filter, added);
        }
    }

    private void Tell(IPacketFilterObserver observer, InstalledFilter filter, bool added)
    {
        try
        {
            if (added)
            {
                observer.OnFilterAdded(filter);
            }
            else
            {
                observer.OnFilterRemoved(filter);
            }
        }
        catch (Exception e)
        {
            Log.ObserverFailed(logger, observer.GetType().FullName ?? "?", filter.Module, e);
        }
    }

    private void Unsubscribe(IPacketFilterObserver observer)
    {
        lock (_gate)
        {
            _observers.Remove(observer);
        }
    }

    private sealed class Subscription(PacketFilterEventSource source, IPacketFilterObserver observer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                source.Unsubscribe(observer);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1501, LogLevel.Warning, "{Observer} threw while told of the filter of {Module}")]
        public static partial void ObserverFailed(ILogger logger, string observer, string module, Exception exception);
    }
}
