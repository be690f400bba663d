using NetServ.Netfilter.Queue;

namespace NetServ.Netfilter.Tests.Queue;

/// <summary>Decides the verdict of one queued packet.</summary>
internal delegate void PacketDecision(QueuedPacket packet, VerdictBatch verdicts);

/// <summary>
/// The production reading loop (<see cref="QueueReader.Run"/>) on its own thread, deciding each packet with a
/// delegate, as the container's dispatcher and the node's signaling interceptor read theirs.
/// </summary>
internal sealed class ReadingThread : IPacketBatchHandler, IDisposable
{
    private readonly PacketDecision _decide;
    private readonly Thread _thread;
    private volatile bool _stop;
    private int _packets;
    private int _batches;
    private long _errorMessages;
    private Exception? _failure;

    public ReadingThread(NetfilterQueue queue, PacketDecision decide)
    {
        _decide = decide;
        _thread = new Thread(() => Run(queue)) { IsBackground = true, Name = "nfqueue reader" };
        _thread.Start();
    }

    /// <summary>Packets handed to the decision.</summary>
    public int Packets => Volatile.Read(ref _packets);

    /// <summary>Batches answered: one SendVerdicts each.</summary>
    public int VerdictSends => Volatile.Read(ref _batches);

    /// <summary>NLMSG_ERROR messages the batch had counted by its last non-empty receive.</summary>
    public long ErrorMessages => Interlocked.Read(ref _errorMessages);

    bool IPacketBatchHandler.KeepReading => !_stop;

    /// <summary>Stops the loop and rethrows what failed in it.</summary>
    public void Stop()
    {
        _stop = true;
        Assert.That(_thread.Join(TimeSpan.FromSeconds(5)), Is.True, "the reader did not stop");
        if (_failure is not null)
        {
            throw new InvalidOperationException($"the reading loop failed: {_failure.Message}", _failure);
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join(TimeSpan.FromSeconds(5));
    }

    bool IPacketBatchHandler.OnBatch(PacketBatch batch, int count, VerdictBatch verdicts)
    {
        for (var i = 0; i < count; i++)
        {
            _decide(batch[i], verdicts);
        }

        Interlocked.Add(ref _packets, count);
        Interlocked.Increment(ref _batches);
        Interlocked.Exchange(ref _errorMessages, batch.ErrorMessages);
        return true;
    }

    // A test wants to hear of the first failure, not to read on past it.
    void IPacketBatchHandler.OnReceiveFailed(Exception error) => Fail(error);

    void IPacketBatchHandler.OnSendFailed(Exception error) => Fail(error);

    private void Fail(Exception error)
    {
        _failure ??= error;
        _stop = true;
    }

    private void Run(NetfilterQueue queue)
    {
        try
        {
            QueueReader.Run(queue, this, TimeSpan.FromMilliseconds(10));
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }
}
