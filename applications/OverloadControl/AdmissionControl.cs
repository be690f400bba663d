namespace NetServ.Apps.OverloadControl;

/// <summary>The admission policy in force.</summary>
internal enum AdmissionMode : byte
{
    /// <summary>No feedback, or it timed out, or the server said <c>off</c>: every request passes (fail-open).</summary>
    PassThrough,

    /// <summary>A token bucket admits the target rate.</summary>
    Rate,

    /// <summary>A fixed fraction of requests is rejected.</summary>
    Drop,
}

/// <summary>
/// Decides, request by request, whether one is admitted under the latest feedback: a token bucket
/// filled at the target rate (its depth <c>burst</c> seconds of that rate, at least one request),
/// or a deterministic drop fraction (an accumulator, so 0.25 rejects exactly one in four). When no
/// feedback has come for <c>feedbackTimeout</c> it lets everything through again, so a silent or
/// dead server never leaves its users locked out. Thread-safe; allocates nothing.
/// </summary>
internal sealed class AdmissionControl(TimeProvider time, TimeSpan feedbackTimeout, double burstSeconds = 0.1)
{
    private readonly Lock _lock = new();
    private AdmissionMode _mode;
    private double _rate;
    private double _dropFraction;
    private double _depth;
    private double _tokens;
    private double _dropCredit;
    private long _lastRefill;
    private long _lastFeedback;
    private long _sequence = -1;

    /// <summary>The policy in force now (pass-through once feedback timed out).</summary>
    public AdmissionMode Mode
    {
        get
        {
            lock (_lock)
            {
                return CurrentMode(time.GetTimestamp());
            }
        }
    }

    /// <summary>The target rate of the last rate feedback, requests per second.</summary>
    public double TargetRate
    {
        get
        {
            lock (_lock)
            {
                return _rate;
            }
        }
    }

    /// <summary>The drop fraction of the last drop feedback.</summary>
    public double DropFraction
    {
        get
        {
            lock (_lock)
            {
                return _dropFraction;
            }
        }
    }

    /// <summary>The sequence number of the last feedback applied, -1 before any.</summary>
    public long Sequence => Interlocked.Read(ref _sequence);

    /// <summary>
    /// Applies feedback at once; <see langword="false"/> when it is older than the last applied
    /// (a lower <c>seq</c>) while that is still in force.
    /// </summary>
    public bool Apply(OverloadFeedback feedback)
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            if (CurrentMode(now) != AdmissionMode.PassThrough && feedback.Sequence < _sequence)
            {
                return false;
            }

            var previous = CurrentMode(now);
            _sequence = feedback.Sequence;
            _lastFeedback = now;
            switch (feedback.Kind)
            {
                case FeedbackKind.Rate:
                    _mode = AdmissionMode.Rate;
                    _rate = feedback.Value;
                    _depth = Math.Max(1, feedback.Value * burstSeconds);
                    if (previous != AdmissionMode.Rate)
                    {
                        // A fresh bucket starts full: the first requests of an overload are the server's to see.
                        _tokens = _depth;
                        _lastRefill = now;
                    }

                    _tokens = Math.Min(_tokens, _depth);
                    break;
                case FeedbackKind.Drop:
                    _mode = AdmissionMode.Drop;
                    _dropFraction = feedback.Value;
                    break;
                default:
                    _mode = AdmissionMode.PassThrough;
                    break;
            }

            return true;
        }
    }

    /// <summary>Whether the next initial request is admitted.</summary>
    public bool TryAdmit()
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            switch (CurrentMode(now))
            {
                case AdmissionMode.Rate:
                    _tokens = Math.Min(_depth, _tokens + (time.GetElapsedTime(_lastRefill, now).TotalSeconds * _rate));
                    _lastRefill = now;
                    if (_tokens < 1)
                    {
                        return false;
                    }

                    _tokens -= 1;
                    return true;
                case AdmissionMode.Drop:
                    _dropCredit += 1 - _dropFraction;
                    if (_dropCredit < 1)
                    {
                        return false;
                    }

                    _dropCredit -= 1;
                    return true;
                default:
                    return true;
            }
        }
    }

    private AdmissionMode CurrentMode(long now) =>
        _mode != AdmissionMode.PassThrough && time.GetElapsedTime(_lastFeedback, now) >= feedbackTimeout ? AdmissionMode.PassThrough : _mode;
}
