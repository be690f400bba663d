namespace NetServ.Testbed.Ssh;

/// <summary>
/// When to try a booting node again: pauses that double from the first to the longest, and no attempt that would
/// start after the window closes. Pure arithmetic on elapsed time, so it is tested without a clock.
/// </summary>
internal sealed class BootRetry(TimeSpan window, TimeSpan firstDelay, TimeSpan maxDelay)
{
    private TimeSpan _nextDelay = firstDelay;

    /// <summary>
    /// The pause before the next attempt, given <paramref name="elapsed"/> since the first began; <see langword="null"/>
    /// when the window is spent. The last pause is cut short to end at the window's close, so the node gets one more try
    /// right there.
    /// </summary>
    public TimeSpan? NextDelay(TimeSpan elapsed)
    {
        var left = window - elapsed;
        if (left <= TimeSpan.Zero)
        {
            return null;
        }

        var delay = _nextDelay < left ? _nextDelay : left;
        _nextDelay = _nextDelay + _nextDelay > maxDelay ? maxDelay : _nextDelay + _nextDelay;
        return delay;
    }
}
