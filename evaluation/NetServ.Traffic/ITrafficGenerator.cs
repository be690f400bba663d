namespace NetServ.Traffic;

/// <summary>
/// A traffic generator on a sending node: Click where it is installed (<see cref="ClickTrafficGenerator"/>),
/// the project's own paced raw-socket generator otherwise (<see cref="PacedTrafficGenerator"/>).
/// What a generator reports is what it offered; what arrived is counted at the receiver by the kernel
/// (<see cref="IptablesCounter"/>, see <see cref="CountedTrafficRun"/>), never by the generator.
/// </summary>
public interface ITrafficGenerator : IDisposable
{
    /// <summary>The driver's name in results: <c>paced</c> or <c>click</c>.</summary>
    string Driver { get; }

    /// <summary>
    /// Offers the traffic of <paramref name="spec"/> and returns when done or at its deadline. Cancellation stops
    /// the generator at once: the paced generator returns what it offered so far (<see cref="TrafficResult.Cancelled"/>),
    /// Click, whose counters die with it, throws <see cref="OperationCanceledException"/>.
    /// </summary>
    TrafficResult Run(TrafficSpec spec, CancellationToken cancellationToken = default);
}

/// <summary>What one generator run offered.</summary>
public sealed record TrafficResult
{
    /// <summary>How far below the requested rate a generator may fall before its run is generator-limited: the project's 2 % rule.</summary>
    public const double DefaultRateTolerance = 0.02;

    private readonly long? _failedSends;
    private readonly double? _offeredRate;

    /// <summary>The driver that sent: <c>paced</c> or <c>click</c>.</summary>
    public required string Driver { get; init; }

    /// <summary>The requested rate (0: as fast as possible).</summary>
    public required double RequestedRate { get; init; }

    /// <summary>Packets requested.</summary>
    public required long Requested { get; init; }

    /// <summary>Packets offered: generated and handed towards the interface, whether the kernel took them or not.</summary>
    public required long Offered { get; init; }

    /// <summary>Packets the kernel took.</summary>
    public required long Sent { get; init; }

    /// <summary>
    /// Packets offered but never taken by the kernel: counted as lost, never retried by the paced generator.
    /// Click reports its own count (sends ToDevice gave up on); otherwise offered minus sent.
    /// </summary>
    public long FailedSends
    {
        get => _failedSends ?? Offered - Sent;
        init => _failedSends = value;
    }

    /// <summary>From the first packet to the last, as the generator measured it.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Whether the deadline ended the run before all packets were offered.</summary>
    public required bool StoppedByDeadline { get; init; }

    /// <summary>Whether cancellation ended the run early.</summary>
    public bool Cancelled { get; init; }

    /// <summary>
    /// The rate at which packets were offered, as the sender measured it: Click's counters once its source's
    /// initial burst is over, otherwise packets offered over <see cref="Elapsed"/>.
    /// </summary>
    public double OfferedRate
    {
        get => _offeredRate ?? (Elapsed > TimeSpan.Zero ? Offered / Elapsed.TotalSeconds : 0);
        init => _offeredRate = value;
    }

    /// <summary>Whether the generator fell short of the run it was asked for by more than the 2 % rule: such a run never tested the device at its rate.</summary>
    public bool GeneratorLimited => IsGeneratorLimited(DefaultRateTolerance);

    /// <summary>
    /// Whether the generator offered fewer packets than requested, or offered them more than
    /// <paramref name="rateTolerance"/> below the requested rate (never for an unpaced run).
    /// </summary>
    public bool IsGeneratorLimited(double rateTolerance) =>
        Offered < Requested || (RequestedRate > 0 && OfferedRate < RequestedRate * (1 - rateTolerance));

    /// <summary>The paced generator's own account (sendmmsg calls, errno counts, lag, CPU), when it sent.</summary>
    public GeneratorResult? Paced { get; init; }

    /// <summary>A run of the paced generator as <see cref="ITrafficGenerator"/>s report it.</summary>
    public static TrafficResult FromPaced(GeneratorResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new TrafficResult
        {
            Driver = PacedTrafficGenerator.DriverName,
            RequestedRate = result.RequestedRate,
            Requested = result.Requested,
            Offered = result.Offered,
            Sent = result.Sent,
            FailedSends = result.Failed,
            Elapsed = result.Elapsed,
            StoppedByDeadline = result.StoppedByDeadline,
            Cancelled = result.Cancelled,
            Paced = result,
        };
    }

    /// <summary>What Click printed, when it sent.</summary>
    public string? ClickOutput { get; init; }
}
