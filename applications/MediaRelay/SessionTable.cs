using System.Diagnostics.CodeAnalysis;

namespace NetServ.Apps.MediaRelay;

/// <summary>
/// The relay sessions by call, with their ports: allocation (two port pairs per call), release,
/// and closing of sessions idle longer than the timeout. Thread-safe.
/// </summary>
internal sealed class SessionTable(PortAllocator ports, TimeSpan timeout, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RelaySession> _sessions = new(StringComparer.Ordinal);
    private long _closed;

    /// <summary>Counters of every session, closed ones included.</summary>
    public RelayCounters Totals { get; } = new();

    public int Active
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    public long Closed => Interlocked.Read(ref _closed);

    public int PortPairsFree
    {
        get
        {
            lock (_lock)
            {
                return ports.Capacity - ports.InUse;
            }
        }
    }

    /// <summary>
    /// Returns the session of <paramref name="callId"/>, creating it with two port pairs when there is
    /// none (<paramref name="created"/>); <see langword="false"/> when the range has no two pairs left.
    /// </summary>
    public bool TryGetOrAdd(string callId, [NotNullWhen(true)] out RelaySession? session, out bool created)
    {
        lock (_lock)
        {
            created = false;
            if (_sessions.TryGetValue(callId, out session))
            {
                return true;
            }

            if (!ports.TryAllocate(out var portA))
            {
                return false;
            }

            if (!ports.TryAllocate(out var portB))
            {
                ports.Release(portA);
                return false;
            }

            session = new RelaySession(callId, portA, portB, time.GetTimestamp(), Totals);
            _sessions.Add(callId, session);
            created = true;
            return true;
        }
    }

    /// <summary>Removes the session of <paramref name="callId"/> and frees its ports; the caller disposes its transport.</summary>
    public bool TryRemove(string callId, [NotNullWhen(true)] out RelaySession? session)
    {
        lock (_lock)
        {
            if (!_sessions.Remove(callId, out session))
            {
                return false;
            }

            Free(session);
            return true;
        }
    }

    /// <summary>Removes the sessions idle for the timeout or longer and returns them.</summary>
    public List<RelaySession> RemoveIdle()
    {
        var idle = new List<RelaySession>();
        lock (_lock)
        {
            foreach (var session in _sessions.Values)
            {
                if (time.GetElapsedTime(session.LastActivity) >= timeout)
                {
                    idle.Add(session);
                }
            }

            foreach (var session in idle)
            {
                _sessions.Remove(session.CallId);
                Free(session);
            }
        }

        return idle;
    }

    /// <summary>Removes every session and returns them (module removal).</summary>
    public List<RelaySession> RemoveAll()
    {
        lock (_lock)
        {
            var all = _sessions.Values.ToList();
            _sessions.Clear();
            foreach (var session in all)
            {
                Free(session);
            }

            return all;
        }
    }

    public List<RelaySession> Snapshot()
    {
        lock (_lock)
        {
            return [.. _sessions.Values];
        }
    }

    private void Free(RelaySession session)
    {
        ports.Release(session.A.RtpPort);
        ports.Release(session.B.RtpPort);
        Interlocked.Increment(ref _closed);
    }
}
