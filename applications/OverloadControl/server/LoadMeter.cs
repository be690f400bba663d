namespace NetServ.Apps.OverloadControl.Server;

/// <summary>
/// Measures the rate of requests the server receives over a sliding window, in slots of a tenth
/// of the window so memory stays fixed whatever the load. Thread-safe.
/// </summary>
internal sealed class LoadMeter
{
    private const int Slots = 10;
    private readonly long[] _counts = new long[Slots];
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;
    private readonly long _start;
    private readonly Lock _lock = new();
    private long _slot;
    private long _total;

    public LoadMeter(TimeSpan window, TimeProvider time)
    {
        _window = window;
        _time = time;
        _start = time.GetTimestamp();
    }

    /// <summary>Requests received since the start.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Records one request.</summary>
    public void Record()
    {
        lock (_lock)
        {
            Advance();
            _counts[_slot % Slots]++;
            _total++;
        }
    }

    /// <summary>Requests per second over the last window (the slot under way counts as a whole one, so a burst shows at once).</summary>
    public double Rate
    {
        get
        {
            lock (_lock)
            {
                Advance();
                var sum = 0L;
                foreach (var count in _counts)
                {
                    sum += count;
                }

                return sum / _window.TotalSeconds;
            }
        }
    }

    private void Advance()
    {
        var slot = (long)(_time.GetElapsedTime(_start).Ticks / (_window.Ticks / Slots));
        for (var s = Math.Max(_slot + 1, slot - Slots + 1); s <= slot; s++)
        {
            _counts[s % Slots] = 0;
        }

        _slot = Math.Max(_slot, slot);
    }
}
