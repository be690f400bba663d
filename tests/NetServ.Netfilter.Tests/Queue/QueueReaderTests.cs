using System.ComponentModel;
using NetServ.Netfilter.Queue;
using static NetServ.Netfilter.Tests.Queue.QueueMessages;

namespace NetServ.Netfilter.Tests.Queue;

/// <summary>The one NFQUEUE reading loop, driven by a fake queue: no socket, no root.</summary>
[TestFixture]
public sealed class QueueReaderTests
{
    private const uint Drop = 0;

    // Even first bytes are accepted by the handler, odd ones dropped.
    private static readonly byte[] Even = [0x02, 0xAA, 0xBB];
    private static readonly byte[] Odd = [0x01, 0xCC];

    [Test]
    public void ReadBatch_PacketsQueued_HandlerDecidesAndOneSendAnswersTheBatch()
    {
        var queue = new FakePacketQueue();
        queue.AddRound(Packet(1, Even), Packet(2, Odd), Packet(3, Even));
        var handler = new DecidingHandler();
        using var batch = queue.CreatePacketBatch();

        var outcome = QueueReader.ReadBatch(queue, handler, batch, queue.CreateVerdictBatch(), out var packets);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(BatchOutcome.Answered));
            Assert.That(packets, Is.EqualTo(3));
            Assert.That(handler.Batches, Is.EqualTo(1), "the handler is called once per batch");
            Assert.That(queue.Sent, Has.Count.EqualTo(1), "one send for the whole batch");
            Assert.That(queue.Sent[0].AcceptedUpTo, Is.EqualTo(3u), "the batch verdict accepts up to the highest accept");
            Assert.That(queue.Sent[0].Accepts, Is.EqualTo(2));
            Assert.That(queue.Sent[0].Individual, Is.EqualTo(new[] { (Drop, 2u) }), "the drop goes as an individual verdict");
        }
    }

    [Test]
    public void ReadBatch_NothingQueued_NeitherHandlesNorSends()
    {
        var queue = new FakePacketQueue();
        var handler = new DecidingHandler();
        using var batch = queue.CreatePacketBatch();

        var outcome = QueueReader.ReadBatch(queue, handler, batch, queue.CreateVerdictBatch(), out var packets);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(BatchOutcome.Empty));
            Assert.That(packets, Is.Zero);
            Assert.That(handler.Batches, Is.Zero);
            Assert.That(queue.Sends, Is.Zero);
        }
    }

    [Test]
    public void ReadBatch_ReceiveFails_TellsTheHandlerAndSendsNothing()
    {
        var queue = new FakePacketQueue();
        var failure = new Win32Exception(9, "recvmmsg(NFQUEUE 9) failed: Bad file descriptor (errno 9)");
        queue.AddFailure(failure);
        var handler = new DecidingHandler();
        using var batch = queue.CreatePacketBatch();

        var outcome = QueueReader.ReadBatch(queue, handler, batch, queue.CreateVerdictBatch(), out var packets);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(BatchOutcome.ReceiveFailed));
            Assert.That(packets, Is.Zero);
            Assert.That(handler.ReceiveFailures, Is.EqualTo(new Exception[] { failure }));
            Assert.That(queue.Sends, Is.Zero);
        }
    }

    [Test]
    public void ReadBatch_ReceiveFailsAfterTheHandlerStopped_TellsNobody()
    {
        var queue = new FakePacketQueue();
        queue.AddFailure(new ObjectDisposedException("SafeNetlinkSocketHandle"));
        var handler = new DecidingHandler { KeepReadingWhile = static () => false };
        using var batch = queue.CreatePacketBatch();

        var outcome = QueueReader.ReadBatch(queue, handler, batch, queue.CreateVerdictBatch(), out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(BatchOutcome.ReceiveFailed));
            Assert.That(handler.ReceiveFailures, Is.Empty, "a queue closed under a stopping reader is no failure");
        }
    }

    [Test]
    public void ReadBatch_ReceiveThrowsSomethingElse_LeavesTheLoop()
    {
        var queue = new FakePacketQueue();
        queue.AddFailure(new InvalidOperationException("a bug"));
        var handler = new DecidingHandler();
        using var batch = queue.CreatePacketBatch();
        var verdicts = queue.CreateVerdictBatch();

        Assert.Throws<InvalidOperationException>(() => QueueReader.ReadBatch(queue, handler, batch, verdicts, out _));
    }

    [Test]
    public void ReadBatch_SendFails_TellsTheHandler()
    {
        var queue = new FakePacketQueue();
        queue.AddRound(Packet(1, Even));
        var failure = new Win32Exception(105, "sendmsg(NFQUEUE 9 verdicts) failed: No buffer space available (errno 105)");
        queue.FailSends(failure);
        var handler = new DecidingHandler();
        using var batch = queue.CreatePacketBatch();

        var outcome = QueueReader.ReadBatch(queue, handler, batch, queue.CreateVerdictBatch(), out var packets);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(BatchOutcome.SendFailed));
            Assert.That(packets, Is.EqualTo(1));
            Assert.That(handler.SendFailures, Is.EqualTo(new Exception[] { failure }));
            Assert.That(handler.ReceiveFailures, Is.Empty);
        }
    }

    [Test]
    public void ReadBatch_HandlerGivesTheBatchUp_SendsNothing()
    {
        var queue = new FakePacketQueue();
        queue.AddRound(Packet(1, Even), Packet(2, Odd));
        var handler = new DecidingHandler { Abandon = true };
        using var batch = queue.CreatePacketBatch();

        var outcome = QueueReader.ReadBatch(queue, handler, batch, queue.CreateVerdictBatch(), out var packets);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(BatchOutcome.Abandoned));
            Assert.That(packets, Is.EqualTo(2));
            Assert.That(queue.Sends, Is.Zero, "the packets were released elsewhere");
        }
    }

    [Test]
    public void ReadBatch_SecondBatch_StartsWithNoneOfTheFirstBatchsVerdicts()
    {
        var queue = new FakePacketQueue();
        queue.AddRound(Packet(1, Odd), Packet(2, Even));
        queue.AddRound(Packet(3, Even));
        var handler = new DecidingHandler();
        using var batch = queue.CreatePacketBatch();
        var verdicts = queue.CreateVerdictBatch();

        _ = QueueReader.ReadBatch(queue, handler, batch, verdicts, out _);
        _ = QueueReader.ReadBatch(queue, handler, batch, verdicts, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.Sent, Has.Count.EqualTo(2));
            Assert.That(queue.Sent[1].Individual, Is.Empty, "the first batch's drop is not sent again");
            Assert.That(queue.Sent[1].Accepts, Is.EqualTo(1));
            Assert.That(queue.Sent[1].AcceptedUpTo, Is.EqualTo(3u));
        }
    }

    [Test]
    public void Run_SeveralBatches_AnswersEachInOrderUntilTheHandlerStops()
    {
        var queue = new FakePacketQueue();
        queue.AddRound(Packet(1, Even), Packet(2, Even));
        queue.AddRound(Packet(3, Odd));
        queue.AddRound(Packet(4, Even), Packet(5, Odd), Packet(6, Even));
        var handler = new DecidingHandler { KeepReadingWhile = () => queue.Pending > 0 };

        QueueReader.Run(queue, handler, TimeSpan.Zero);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.Receives, Is.EqualTo(3), "no receive after the handler stopped");
            Assert.That(handler.Packets, Is.EqualTo(6));
            Assert.That(queue.Sent.Select(s => s.AcceptedUpTo), Is.EqualTo(new uint?[] { 2, null, 6 }));
            Assert.That(queue.Sent.Select(s => s.Individual.Count), Is.EqualTo(new[] { 0, 1, 1 }));
        }
    }

    [Test]
    public void Run_ReceiveFailsOnce_ReportsItAndReadsOn()
    {
        var queue = new FakePacketQueue();
        queue.AddFailure(new Win32Exception(4, "recvmmsg(NFQUEUE 9) failed: Interrupted system call (errno 4)"));
        queue.AddRound(Packet(1, Even));
        var handler = new DecidingHandler { KeepReadingWhile = () => queue.Pending > 0 };

        QueueReader.Run(queue, handler, TimeSpan.Zero);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(handler.ReceiveFailures, Has.Count.EqualTo(1));
            Assert.That(queue.Sent, Has.Count.EqualTo(1), "the batch after the failure was answered");
        }
    }

    [Test]
    public void Run_HandlerGivesABatchUp_EndsWithoutReadingMore()
    {
        var queue = new FakePacketQueue();
        queue.AddRound(Packet(1, Even));
        queue.AddRound(Packet(2, Even));
        var handler = new DecidingHandler { Abandon = true };

        QueueReader.Run(queue, handler, TimeSpan.Zero);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.Receives, Is.EqualTo(1));
            Assert.That(queue.Pending, Is.EqualTo(1));
            Assert.That(queue.Sends, Is.Zero);
        }
    }

    [Test]
    public void ReadBatch_SteadyState_AllocatesNothing()
    {
        var queue = new FakePacketQueue { RecordSends = false };
        queue.RepeatRound(Packet(1, Even), Packet(2, Odd), Packet(3, Even), Packet(4, Odd), Packet(5, Even), Packet(6, Even));
        var handler = new DecidingHandler();
        using var batch = queue.CreatePacketBatch();
        var verdicts = queue.CreateVerdictBatch();

        // A warm-up round compiles everything and grows the verdict buffer to its working size.
        ReadRounds(queue, handler, batch, verdicts, 1_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        ReadRounds(queue, handler, batch, verdicts, 10_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(allocated, Is.Zero, "bytes allocated over 10,000 batches");
            Assert.That(handler.Packets, Is.EqualTo(11_000 * 6));
            Assert.That(queue.Sends, Is.EqualTo(11_000));
        }
    }

    private static void ReadRounds(FakePacketQueue queue, DecidingHandler handler, PacketBatch batch, VerdictBatch verdicts, int rounds)
    {
        for (var i = 0; i < rounds; i++)
        {
            _ = QueueReader.ReadBatch(queue, handler, batch, verdicts, out _);
        }
    }
}
