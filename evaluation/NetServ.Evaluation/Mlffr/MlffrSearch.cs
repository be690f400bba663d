namespace NetServ.Evaluation.Mlffr;

/// <summary>Bounds, resolution and pass criteria of an MLFFR search.</summary>
internal sealed record MlffrSearchOptions
{
    /// <summary>The lowest rate searched (packets per second); a device failing here has an MLFFR below it, reported as 0.</summary>
    public double LowRate { get; init; } = 1_000;

    /// <summary>The highest rate searched: the most the generator can offer.</summary>
    public required double HighRate { get; init; }

    /// <summary>The search stops when the gap between the highest passing and the lowest failing rate is at most this many packets per second...</summary>
    public double Resolution { get; init; } = 1_000;

    /// <summary>...or at most this fraction of the highest passing rate, whichever is larger.</summary>
    public double RelativeResolution { get; init; } = 0.02;

    /// <summary>Fraction of offered packets that may be lost in a passing trial (RFC 2544: 0).</summary>
    public double LossTolerance { get; init; }

    /// <summary>How far below the requested rate the generator may fall and the trial still count.</summary>
    public double RateTolerance { get; init; } = 0.02;

    /// <summary>
    /// How many times a failed trial is repeated at the same rate before the rate counts as failed.
    /// A failure caused by a passing disturbance (a vCPU stall, other work on the machine) rarely
    /// repeats, while a rate the device cannot carry fails every time; 0 is RFC 2544's single trial.
    /// </summary>
    public int Confirmations { get; init; }

    /// <summary>
    /// Trials at most once a rate has passed, whatever the resolution reached. Until one passes the
    /// search keeps halving toward <see cref="LowRate"/> (at most log2(HighRate / Resolution) more
    /// rates), so a device slower than a few halvings of the high bound gets a rate, not 0.
    /// </summary>
    public int MaxTrials { get; init; } = 24;

    /// <summary>Throws when the options cannot describe a search.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LowRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(HighRate, LowRate);
        ArgumentOutOfRangeException.ThrowIfNegative(Resolution);
        ArgumentOutOfRangeException.ThrowIfNegative(RelativeResolution);
        ArgumentOutOfRangeException.ThrowIfNegative(LossTolerance);
        ArgumentOutOfRangeException.ThrowIfNegative(RateTolerance);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTrials, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(Confirmations);
        if (Resolution == 0 && RelativeResolution == 0)
        {
            throw new ArgumentException("a resolution (absolute or relative) is needed for the search to end");
        }
    }
}

/// <summary>The result of one search.</summary>
/// <param name="Mlffr">The highest rate that passed (packets per second); 0 when even the low bound lost packets.</param>
/// <param name="LowestFailure">The lowest rate that failed, or null when the high bound passed.</param>
/// <param name="Steps">Every trial in order.</param>
internal sealed record MlffrResult(double Mlffr, double? LowestFailure, IReadOnlyList<SearchStep> Steps)
{
    /// <summary>
    /// Whether the generator, not the device, ended the search: the device passed at the high bound, or the
    /// lowest failing rate failed because the generator could not offer it. The MLFFR is then at least the generator's ceiling.
    /// </summary>
    public bool LimitedByGenerator => LowestFailure is null || LowestFailureByGenerator;

    /// <summary>Whether the lowest failing rate failed only because the generator fell short of it (<see cref="TrialOutcome.GeneratorLimited"/>).</summary>
    public bool LowestFailureByGenerator { get; init; }

    /// <summary>The highest rate the generator really offered in a trial it could not hold, when one was generator-limited: its ceiling.</summary>
    public double? GeneratorCeiling { get; init; }

    /// <summary>Whether the search gave up before reaching its resolution.</summary>
    public bool Unresolved { get; init; }
}

/// <summary>
/// The maximum loss-free forwarding rate, RFC 2544 style: a binary search on the offered rate
/// between the options' bounds, one trial per rate, until the gap between the highest passing rate
/// and the lowest failing rate is within the resolution. The trial itself is a function, so the
/// search runs unchanged against a real router or a simulated device.
/// </summary>
internal sealed class MlffrSearch
{
    private readonly MlffrSearchOptions _options;

    public MlffrSearch(MlffrSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>Called after each trial (for progress output).</summary>
    public event Action<SearchStep>? TrialCompleted;

    /// <summary>Judges one trial against the options' criteria.</summary>
    public static TrialOutcome Judge(TrialResult trial, MlffrSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(options);
        if (trial.Received > trial.Offered)
        {
            return TrialOutcome.Inconsistent;
        }

        // Packets not offered at all, or offered too slowly, never tested the device at this rate.
        if (trial.GeneratorLimited || trial.Offered < trial.Requested || trial.OfferedRate < trial.Rate * (1 - options.RateTolerance))
        {
            return TrialOutcome.GeneratorLimited;
        }

        var allowed = (long)Math.Floor(trial.Offered * options.LossTolerance);
        if (trial.Offered - trial.Received > allowed)
        {
            return TrialOutcome.Loss;
        }

        return trial.Lost > allowed ? TrialOutcome.Bypass : TrialOutcome.Pass;
    }

    /// <summary>Searches with <paramref name="trial"/>, which offers the given rate (packets per second) and reports what arrived.</summary>
    public MlffrResult Run(Func<double, TrialResult> trial, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var steps = new List<SearchStep>();
        double? ceiling = null;
        var lastFailureByGenerator = false;
        bool Test(double rate)
        {
            // A failure is tried again (Confirmations times) before the rate counts as failed; any pass passes.
            for (var attempt = 0; attempt <= _options.Confirmations; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = trial(rate);
                var step = new SearchStep(steps.Count + 1, result, Judge(result, _options)) { Attempt = attempt + 1 };
                steps.Add(step);
                TrialCompleted?.Invoke(step);
                if (step.Passed)
                {
                    return true;
                }

                lastFailureByGenerator = step.Outcome == TrialOutcome.GeneratorLimited;
                if (lastFailureByGenerator && result.OfferedRate > 0)
                {
                    ceiling = Math.Max(ceiling ?? 0, result.OfferedRate);
                }

                if (steps.Count >= _options.MaxTrials)
                {
                    break;
                }
            }

            return false;
        }

        var high = Math.Round(_options.HighRate);
        var low = Math.Round(_options.LowRate);
        var hiByGenerator = false;
        MlffrResult Result(double mlffr, double? lowestFailure, bool unresolved = false) =>
            new(mlffr, lowestFailure, steps) { Unresolved = unresolved, LowestFailureByGenerator = lowestFailure is not null && hiByGenerator, GeneratorCeiling = ceiling };

        // RFC 2544 starts at the maximum rate: a device that keeps up needs no search.
        if (Test(high))
        {
            return Result(high, null);
        }

        // lo: highest rate known (or, for the low bound, assumed) to pass; hi: lowest known to fail.
        double lo = low, hi = high;
        hiByGenerator = lastFailureByGenerator;

        // Above the generator's ceiling every trial fails the same way: search from the ceiling down, not from the asked bound.
        if (hiByGenerator && ceiling is { } c && Math.Floor(c) > lo && Math.Floor(c) < hi)
        {
            hi = Math.Floor(c);
        }

        var loTested = false;
        while (!Resolved(lo, hi))
        {
            // Only a search that found a passing rate stops at MaxTrials: one that has not yet is still
            // halving down, and stopping it then reports 0 for a device that forwards (a loaded machine,
            // a slow module, short trials).
            if (loTested && steps.Count >= _options.MaxTrials)
            {
                return Result(lo, hi, unresolved: true);
            }

            var mid = Math.Round((lo + hi) / 2);
            if (mid <= lo || mid >= hi)
            {
                break;
            }

            if (Test(mid))
            {
                lo = mid;
                loTested = true;
            }
            else
            {
                hi = mid;
                hiByGenerator = lastFailureByGenerator;
            }
        }

        if (!loTested)
        {
            // Everything tried failed: the low bound itself decides between "below it" and "it".
            if (!Test(lo))
            {
                hiByGenerator = lastFailureByGenerator;
                return Result(0, lo);
            }
        }

        return Result(lo, hi);
    }

    private bool Resolved(double lo, double hi) =>
        hi - lo <= Math.Max(_options.Resolution, _options.RelativeResolution * lo);
}
