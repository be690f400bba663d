namespace NetServ.Signaling.Nslp;

/// <summary>
/// When a signaled request whose answer has not come is sent again: after <see cref="Initial"/>, then
/// at doubling intervals that stop growing at <see cref="Max"/>. GIST carries NSLP messages in
/// datagrams and does not retransmit them (only its own Queries), so the sender of a request does.
/// </summary>
public sealed record RetransmissionSchedule
{
    /// <summary>The wait before the first retransmission.</summary>
    public TimeSpan Initial { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between two retransmissions.</summary>
    public TimeSpan Max { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Throws when the schedule cannot work (a wait of zero would send without pause).</summary>
    public void Validate()
    {
        if (Initial <= TimeSpan.Zero || Max < Initial)
        {
            throw new ArgumentException($"a retransmission schedule needs 0 < initial <= max (initial {Initial}, max {Max})");
        }
    }
}

/// <summary>Sends a request and sends it again on a <see cref="RetransmissionSchedule"/> until its answer comes.</summary>
public static class RequestRetransmission
{
    /// <summary>
    /// Calls <paramref name="send"/> now and again on <paramref name="schedule"/> until <paramref name="answer"/>
    /// completes, and returns its result (or throws its exception).
    /// </summary>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<T> SendUntilAnsweredAsync<T>(Task<T> answer, Action send, RetransmissionSchedule schedule, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(time);
        schedule.Validate();
        var deadline = time.GetUtcNow() + timeout;
        var interval = schedule.Initial;
        while (true)
        {
            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"no answer within {timeout.TotalSeconds:0.###} s");
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

            // The timer is armed before the send: whatever the send sets off cannot race it.
            var wait = Task.Delay(interval < left ? interval : left, time, stop.Token);
            send();
            if (await Task.WhenAny(answer, wait).ConfigureAwait(false) == answer)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                return await answer.ConfigureAwait(false);
            }

            // Cancelled rather than elapsed: this throws.
            await wait.ConfigureAwait(false);
            interval = interval * 2 < schedule.Max ? interval * 2 : schedule.Max;
        }
    }
}
