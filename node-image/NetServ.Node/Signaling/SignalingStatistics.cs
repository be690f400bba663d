using NetServ.Contracts.Status;
using NetServ.Signaling.Gist;

namespace NetServ.Node.Signaling;

/// <summary>
/// The signaling counters status shows: requests received again and answered once, and the GIST
/// messages the endpoint dropped, by reason. Shared between the signaling service, which counts,
/// and the status report, which reads.
/// </summary>
internal sealed class SignalingStatistics
{
    private long _repeatsAnswered;
    private long _repeatsInProgress;
    private Func<GistDiscardReason, long>? _discarded;

    /// <summary>A request came again after it was answered, and was answered from the first result.</summary>
    public void RepeatAnswered() => Interlocked.Increment(ref _repeatsAnswered);

    /// <summary>A request came again while its first copy was still being worked on.</summary>
    public void RepeatInProgress() => Interlocked.Increment(ref _repeatsInProgress);

    /// <summary>Where dropped messages are counted (the GIST endpoint's counts), or null while signaling does not run.</summary>
    public void CountDropsWith(Func<GistDiscardReason, long>? discarded) => Volatile.Write(ref _discarded, discarded);

    public SignalingCounters Snapshot()
    {
        var discarded = Volatile.Read(ref _discarded) ?? (_ => 0);
        return new SignalingCounters
        {
            RepeatsAnswered = Interlocked.Read(ref _repeatsAnswered),
            RepeatsInProgress = Interlocked.Read(ref _repeatsInProgress),
            Dropped = new DroppedMessages
            {
                Malformed = discarded(GistDiscardReason.Malformed),
                UnknownAssociation = discarded(GistDiscardReason.UnknownAssociation),
                WrongEncapsulation = discarded(GistDiscardReason.WrongEncapsulation),
                RefusedConfirm = discarded(GistDiscardReason.RefusedConfirm),
            },
        };
    }
}
