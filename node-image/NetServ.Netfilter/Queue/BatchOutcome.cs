namespace NetServ.Netfilter.Queue;

/// <summary>What one round of <see cref="QueueReader.ReadBatch"/> came to.</summary>
internal enum BatchOutcome
{
    /// <summary>No packet came within the receive timeout, or the wait was interrupted.</summary>
    Empty,

    /// <summary>Packets came, and their verdicts were sent.</summary>
    Answered,

    /// <summary>The receive failed; the handler was told.</summary>
    ReceiveFailed,

    /// <summary>Packets came, but sending their verdicts failed; the handler was told.</summary>
    SendFailed,

    /// <summary>The handler gave the batch up: nothing was sent, and the loop ends.</summary>
    Abandoned,
}
