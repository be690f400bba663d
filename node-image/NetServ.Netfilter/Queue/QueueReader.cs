using System.ComponentModel;

namespace NetServ.Netfilter.Queue;

/// <summary>
/// The one NFQUEUE reading loop of netservd and its containers: receive a batch, let the handler give each
/// packet its verdict, send all the batch's verdicts at once. It runs on the caller's thread and allocates
/// nothing per batch or packet: packets are spans over the batch's buffers, and the handler is called once
/// per batch.
/// </summary>
/// <remarks>
/// Receive and send failures (the socket closed under the loop, a netlink error) go to the handler and the
/// loop goes on, pausing after a failed receive so that a lasting failure neither spins nor floods the log.
/// The loop ends when the handler says so (<see cref="IPacketBatchHandler.KeepReading"/>) or gives a batch up
/// (<see cref="IPacketBatchHandler.OnBatch"/> returns false). Any other exception leaves the loop.
/// </remarks>
internal static class QueueReader
{
    /// <summary>Reads <paramref name="queue"/> until <paramref name="handler"/> ends the loop.</summary>
    /// <param name="queue">The queue to read.</param>
    /// <param name="handler">Decides the verdicts and hears of failures.</param>
    /// <param name="receiveRetryDelay">The pause after a failed receive.</param>
    public static void Run(IPacketQueue queue, IPacketBatchHandler handler, TimeSpan receiveRetryDelay)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(handler);

        // The buffers belong to this run: a reader abandoned inside its handler keeps them until it returns.
        using var batch = queue.CreatePacketBatch();
        var verdicts = queue.CreateVerdictBatch();
        while (handler.KeepReading)
        {
            switch (ReadBatch(queue, handler, batch, verdicts, out _))
            {
                case BatchOutcome.Abandoned:
                    return;
                case BatchOutcome.ReceiveFailed when handler.KeepReading:
                    Thread.Sleep(receiveRetryDelay);
                    break;
            }
        }
    }

    /// <summary>
    /// One round of the loop: receives into <paramref name="batch"/>, hands the packets to
    /// <paramref name="handler"/> with <paramref name="verdicts"/> cleared, and sends the verdicts.
    /// </summary>
    /// <param name="queue">The queue to read.</param>
    /// <param name="handler">Decides the verdicts and hears of failures.</param>
    /// <param name="batch">The receive batch, from <paramref name="queue"/>.</param>
    /// <param name="verdicts">The verdict batch, from <paramref name="queue"/>.</param>
    /// <param name="packets">The packets received, 0 when none came.</param>
    public static BatchOutcome ReadBatch(IPacketQueue queue, IPacketBatchHandler handler, PacketBatch batch, VerdictBatch verdicts, out int packets)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(verdicts);
        try
        {
            packets = queue.Receive(batch);
        }
        catch (Exception e) when (e is Win32Exception or ObjectDisposedException)
        {
            packets = 0;
            if (handler.KeepReading)
            {
                handler.OnReceiveFailed(e);
            }

            return BatchOutcome.ReceiveFailed;
        }

        if (packets == 0)
        {
            return BatchOutcome.Empty;
        }

        verdicts.Clear();
        if (!handler.OnBatch(batch, packets, verdicts))
        {
            return BatchOutcome.Abandoned;
        }

        try
        {
            queue.SendVerdicts(verdicts);
        }
        catch (Exception e) when (e is Win32Exception or ObjectDisposedException)
        {
            if (handler.KeepReading)
            {
                handler.OnSendFailed(e);
            }

            return BatchOutcome.SendFailed;
        }

        return BatchOutcome.Answered;
    }
}
