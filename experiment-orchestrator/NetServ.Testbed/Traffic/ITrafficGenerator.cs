namespace NetServ.Testbed.Traffic;

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

    /// <summary>Offers the traffic of <paramref name="spec"/> and returns when done, at its deadline, or on cancellation.</summary>
    TrafficResult Run(TrafficSpec spec, CancellationToken cancellationToken = default);
}

/// <summary>What one generator run offered.</summary>
public sealed record TrafficResult
{
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

    /// <summary>Packets offered but never taken by the kernel: counted as lost, never retried by the paced generator.</summary>
    public long FailedSends => Offered - Sent;

    /// <summary>From the first packet to the last, as the generator measured it.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Whether the deadline ended the run before all packets were offered.</summary>
    public required bool StoppedByDeadline { get; init; }

    /// <summary>Whether cancellation ended the run early.</summary>
    public bool Cancelled { get; init; }

    /// <summary>The rate at which packets were offered.</summary>
    public double OfferedRate => Elapsed > TimeSpan.Zero ? Offered / Elapsed.TotalSeconds : 0;

    /// <summary>The paced generator's own account (sendmmsg calls, errno counts, lag, CPU), when it sent.</summary>
    public GeneratorResult? Paced { get; init; }

    /// <summary>What Click printed, when it sent.</summary>
    public string? ClickOutput { get; init; }
}
