namespace NetServ.Netfilter.Queue;

/// <summary>
/// A queue of packets waiting for their verdicts, as <see cref="QueueReader"/> sees it: a bound
/// <see cref="NetfilterQueue"/>, or in tests a fake that hands prepared packets to the loop.
/// </summary>
internal interface IPacketQueue
{
    /// <summary>Creates a receive batch sized for this queue.</summary>
    PacketBatch CreatePacketBatch();

    /// <summary>Creates an empty verdict batch for this queue.</summary>
    VerdictBatch CreateVerdictBatch();

    /// <summary>
    /// Waits a bounded time for queued packets and takes as many as <paramref name="batch"/> holds; returns
    /// their number, 0 when none came. They stay valid in the batch until its next receive.
    /// </summary>
    int Receive(PacketBatch batch);

    /// <summary>Sends the verdicts of <paramref name="verdicts"/> at once.</summary>
    void SendVerdicts(VerdictBatch verdicts);
}
