namespace NetServ.Evaluation.Mlffr;

/// <summary>Why a trial passed or failed.</summary>
internal enum TrialOutcome
{
    /// <summary>Every offered packet arrived, and the generator held the rate.</summary>
    Pass,

    /// <summary>Packets were lost: offered (failed sends included) minus received.</summary>
    Loss,

    /// <summary>Packets arrived only because the queue was full and let them through unprocessed (fail-open).</summary>
    Bypass,

    /// <summary>The generator did not offer the requested rate (or count), so the trial says nothing about the router.</summary>
    GeneratorLimited,

    /// <summary>More packets arrived than were offered: something else sends to the receiver.</summary>
    Inconsistent,
}

/// <summary>
/// One trial of a zero-loss search: a fixed number of packets offered at a fixed rate, and what
/// arrived. Loss is counted as offered minus received, where offered includes the sends the kernel
/// refused; packets that passed a full queue without their module (fail-open) count as lost too.
/// </summary>
internal sealed record TrialResult
{
    /// <summary>The requested rate in packets per second.</summary>
    public required double Rate { get; init; }

    /// <summary>Packets the trial asked the generator to offer.</summary>
    public required long Requested { get; init; }

    /// <summary>Packets offered: handed to the kernel, including those it refused.</summary>
    public required long Offered { get; init; }

    /// <summary>Sends the kernel refused (counted as offered and lost).</summary>
    public long FailedSends { get; init; }

    /// <summary>Packets counted at the receiver.</summary>
    public required long Received { get; init; }

    /// <summary>Packets that matched the queue rule but passed without reaching the queue reader (fail-open on a full queue).</summary>
    public long Bypassed { get; init; }

    /// <summary>The rate at which the packets were actually offered.</summary>
    public required double OfferedRate { get; init; }

    /// <summary>
    /// Whether the generator itself says it fell short of the trial (Click from its counters, the paced generator
    /// from its own count and clock, by the 2 % rule): such a trial never passes, whatever the search's tolerance.
    /// </summary>
    public bool GeneratorLimited { get; init; }

    /// <summary>The trial's length as sent.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Free-form details for the record (queue counters, generator lag).</summary>
    public string? Details { get; init; }

    /// <summary>Where the time went, where the trial could see it (queue reader and generator scheduler statistics).</summary>
    public TrialDiagnostics? Diagnostics { get; init; }

    /// <summary>Packets that did not arrive, or arrived without being processed.</summary>
    public long Lost => Offered - Received + Bypassed;
}

/// <summary>A trial as the search judged it.</summary>
internal sealed record SearchStep(int Index, TrialResult Trial, TrialOutcome Outcome)
{
    /// <summary>1 for the first trial at a rate, 2 and on for confirmations of a failure.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Whether the trial counts as zero loss at its rate.</summary>
    public bool Passed => Outcome == TrialOutcome.Pass;
}

/// <summary>Scheduler statistics of one trial: what the queue reader and the generator cost, and how long each waited for its CPU.</summary>
internal sealed record TrialDiagnostics
{
    /// <summary>The reader thread's CPU time per packet it received, in microseconds (kernel work on its behalf included), or null without a reader.</summary>
    public double? ReaderMicrosecondsPerPacket { get; init; }

    /// <summary>Packets per non-empty receive of the reader, where it counts them.</summary>
    public double? ReaderPacketsPerBatch { get; init; }

    /// <summary>The reader thread's time on its CPU.</summary>
    public TimeSpan? ReaderOnCpu { get; init; }

    /// <summary>The reader thread's time runnable but waiting for its CPU.</summary>
    public TimeSpan? ReaderWaiting { get; init; }

    /// <summary>The generator thread's time on its CPU, where the generator runs in this process (the paced generator; not Click).</summary>
    public TimeSpan? GeneratorOnCpu { get; init; }

    /// <summary>The generator thread's time runnable but waiting for its CPU (the paced generator; not Click).</summary>
    public TimeSpan? GeneratorWaiting { get; init; }
}
