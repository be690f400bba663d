namespace NetServ.Netfilter.Queue;

/// <summary>What <see cref="QueueReader"/> hands each received batch to, and tells of failures.</summary>
internal interface IPacketBatchHandler
{
    /// <summary>Whether the loop goes on: read before every receive, and before a failure is reported.</summary>
    bool KeepReading { get; }

    /// <summary>
    /// Gives the first <paramref name="count"/> packets of <paramref name="batch"/> their verdicts in
    /// <paramref name="verdicts"/>, which is empty on entry; the reader sends them once this returns true.
    /// Returns false when the batch must not be answered (its packets were released elsewhere) and the
    /// loop must end.
    /// </summary>
    bool OnBatch(PacketBatch batch, int count, VerdictBatch verdicts);

    /// <summary>A receive failed; the loop pauses, then receives again.</summary>
    void OnReceiveFailed(Exception error);

    /// <summary>
    /// Sending a batch's verdicts failed. Its packets stay queued: the next batch verdict accepts those with
    /// lower ids, and fail-open or unbinding lets the rest go.
    /// </summary>
    void OnSendFailed(Exception error);
}
