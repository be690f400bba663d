namespace NetServ.Apps.OverloadControl.Server;

/// <summary>How the server protects itself.</summary>
internal sealed class OverloadOptions
{
    /// <summary>Requests per second the server can handle.</summary>
    public double Capacity { get; init; } = 100;

    /// <summary>The load, as a fraction of <see cref="Capacity"/>, past which the server starts signaling and sending feedback.</summary>
    public double Threshold { get; init; } = 1.0;

    /// <summary>The target rate fed back, as a fraction of <see cref="Capacity"/>.</summary>
    public double TargetFraction { get; init; } = 1.0;

    /// <summary>The load, as a fraction of the target, below which overload is over (feedback <c>off</c>).</summary>
    public double ClearFraction { get; init; } = 0.5;

    /// <summary>Consecutive ticks below <see cref="ClearFraction"/> before overload is over.</summary>
    public int ClearTicks { get; init; } = 6;

    /// <summary>How long to wait after a failed SETUP before trying again.</summary>
    public TimeSpan SignalRetry { get; init; } = TimeSpan.FromSeconds(5);

    public double TargetRate => Capacity * TargetFraction;
}

/// <summary>What the server does on one tick.</summary>
internal enum OverloadAction
{
    None,

    /// <summary>Install the module toward the user agents (no node to feed yet).</summary>
    Signal,

    /// <summary>Send the target rate to the module's nodes.</summary>
    SendRate,

    /// <summary>Overload is over: tell the module's nodes to let everything through.</summary>
    SendOff,
}

/// <summary>
/// The Receiving Entity's decisions, apart from sockets and signaling (paper section 6.4): once the
/// measured load passes the threshold it has the module installed, then feeds it the target rate
/// every tick while overloaded; when the load it still receives stays well under the target, the
/// overload is over and it says <c>off</c> (the module also fails open by itself when feedback stops).
/// </summary>
internal sealed class OverloadController(OverloadOptions options, TimeProvider time)
{
    private bool _installed;
    private bool _signaling;
    private bool _overloaded;
    private int _quietTicks;
    private DateTimeOffset _lastSignal = DateTimeOffset.MinValue;
    private long _sequence;

    public bool Overloaded => _overloaded;

    /// <summary>Decides what to do given the <paramref name="load"/> measured now (requests/s).</summary>
    public OverloadAction Tick(double load)
    {
        if (!_overloaded)
        {
            if (load <= options.Capacity * options.Threshold)
            {
                return OverloadAction.None;
            }

            if (!_installed)
            {
                if (_signaling || time.GetUtcNow() - _lastSignal < options.SignalRetry)
                {
                    return OverloadAction.None;
                }

                _signaling = true;
                _lastSignal = time.GetUtcNow();
                return OverloadAction.Signal;
            }

            _overloaded = true;
            _quietTicks = 0;
            return OverloadAction.SendRate;
        }

        _quietTicks = load < options.TargetRate * options.ClearFraction ? _quietTicks + 1 : 0;
        if (_quietTicks >= options.ClearTicks)
        {
            _overloaded = false;
            return OverloadAction.SendOff;
        }

        return OverloadAction.SendRate;
    }

    /// <summary>The signaling started by <see cref="OverloadAction.Signal"/> ended.</summary>
    public void Signaled(bool installed)
    {
        _signaling = false;
        _installed = installed;
        if (installed)
        {
            _overloaded = true;
            _quietTicks = 0;
        }
    }

    /// <summary>The feedback for an action that sends one, with the next sequence number.</summary>
    public OverloadFeedback Feedback(OverloadAction action) =>
        action == OverloadAction.SendOff
            ? new OverloadFeedback(FeedbackKind.Off, 0, ++_sequence)
            : new OverloadFeedback(FeedbackKind.Rate, options.TargetRate, ++_sequence);
}
