using System.ComponentModel;
using NetServ.Netfilter.Queue;
using NetServ.Sdk;
using NetServ.TestSupport.Traffic;

namespace NetServ.Netfilter.Tests.Queue;

/// <summary>
/// The NFQUEUE reader against the kernel: UDP through a router whose FORWARD chain queues it, read by the
/// production loop (<see cref="ReadingThread"/>) or round by round. Needs root.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class NetfilterQueueTests
{
    private const int Packets = 2000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [SetUp]
    public void SetUp() => RequiresRoot.Check();

    [Test]
    public void Receive_AllAccepted_EveryPacketReachesTheReceiverUnchanged()
    {
        using var path = QueuePath.Create();
        using var queue = OpenQueue(path);
        using var reader = new ReadingThread(queue, static (packet, verdicts) => verdicts.Accept(packet.PacketId));

        path.Send(Packets);
        var received = path.ReceiveAll(Packets, Deadline);
        reader.Stop();

        Assert.Multiple(() =>
        {
            Assert.That(received, Has.Count.EqualTo(Packets));
            Assert.That(received, Is.EqualTo(Enumerable.Range(0, Packets).Select(QueuePath.PayloadFor)), "payloads and order as sent");
            Assert.That(reader.Packets, Is.EqualTo(Packets), "the reader saw each packet once");
            Assert.That(reader.ErrorMessages, Is.Zero, "no verdict was refused");
        });
    }

    [Test]
    public void Drop_PacketsWithOddFirstByte_OnlyEvenOnesArrive()
    {
        using var path = QueuePath.Create();
        using var queue = OpenQueue(path);
        using var reader = new ReadingThread(queue, static (packet, verdicts) =>
        {
            var ip = new Packet(packet.Payload);
            if ((ip.Payload[0] & 1) == 1)
            {
                verdicts.Drop(packet.PacketId);
            }
            else
            {
                verdicts.Accept(packet.PacketId);
            }
        });

        path.Send(Packets);
        var received = path.ReceiveAll(Packets / 2, Deadline);
        reader.Stop();

        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EqualTo(Enumerable.Range(0, Packets).Where(i => i % 2 == 0).Select(QueuePath.PayloadFor)));
            Assert.That(reader.Packets, Is.EqualTo(Packets));
            Assert.That(reader.ErrorMessages, Is.Zero);
        });
    }

    [Test]
    public void AcceptModified_SameLength_ReceiverGetsTheRewrittenPayload()
    {
        using var path = QueuePath.Create();
        using var queue = OpenQueue(path);
        using var reader = new ReadingThread(queue, static (packet, verdicts) =>
        {
            var ip = new Packet(packet.Payload);
            Invert(ip.Payload);
            ip.UpdateChecksums();
            verdicts.AcceptModified(packet.PacketId, ip.Data);
        });

        path.Send(Packets);
        var received = path.ReceiveAll(Packets, Deadline);
        reader.Stop();

        var expected = Enumerable.Range(0, Packets).Select(i =>
        {
            var payload = QueuePath.PayloadFor(i);
            Invert(payload);
            return payload;
        });
        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EqualTo(expected), "the receiver's kernel checked the new UDP checksums");
            Assert.That(reader.ErrorMessages, Is.Zero);
        });
    }

    [Test]
    public void AcceptModified_LongerPacket_ReceiverGetsThePayloadWithItsNewLength()
    {
        const int count = 500;
        using var path = QueuePath.Create();
        using var queue = OpenQueue(path);
        using var reader = new ReadingThread(queue, static (packet, verdicts) =>
        {
            // Grow in place into the free room after the packet in the receive buffer.
            var ip = new Packet(packet.PayloadBuffer, packet.Payload.Length);
            var oldLength = ip.Payload.Length;
            if (!ip.TrySetPayloadLength(oldLength + Tail.Length))
            {
                throw new InvalidOperationException($"no room to grow packet {packet.PacketId} in place");
            }

            Tail.CopyTo(ip.Payload[oldLength..]);
            ip.UpdateChecksums();
            verdicts.AcceptModified(packet.PacketId, ip.Data);
        });

        path.Send(count);
        var received = path.ReceiveAll(count, Deadline);
        reader.Stop();

        Assert.That(received, Is.EqualTo(Enumerable.Range(0, count).Select(i => QueuePath.PayloadFor(i).Concat(Tail.ToArray()).ToArray())));
    }

    [Test]
    public void QueueBypass_NoReaderBound_PacketsStillPass()
    {
        using var path = QueuePath.Create();
        OpenQueue(path).Dispose();
        Assert.That(path.QueueStatus(), Is.Null, "disposing unbinds the queue");

        path.Send(Packets);
        var received = path.ReceiveAll(Packets, Deadline);

        Assert.That(received, Has.Count.EqualTo(Packets));
    }

    [Test]
    public void FailOpen_QueueFull_PacketsBeyondMaxLengthPassWithoutTheReader()
    {
        const int count = 200;
        const int maxLength = 16;
        using var path = QueuePath.Create();
        using var queue = OpenQueue(path, new NetfilterQueueOptions { MaxLength = maxLength });

        path.Send(count);
        var passed = path.ReceiveAll(count - maxLength, Deadline);

        using var batch = queue.CreatePacketBatch();
        var verdicts = queue.CreateVerdictBatch();
        var held = 0;
        while (held < maxLength && queue.Receive(batch) is var n && n > 0)
        {
            for (var i = 0; i < n; i++)
            {
                verdicts.Accept(batch[i].PacketId);
            }

            held += n;
        }

        queue.SendVerdicts(verdicts);
        var late = path.ReceiveAll(maxLength, Deadline);

        Assert.Multiple(() =>
        {
            Assert.That(passed, Has.Count.EqualTo(count - maxLength), "the full queue let the others through");
            Assert.That(held, Is.EqualTo(maxLength), "the queue held MaxLength packets");
            Assert.That(late, Has.Count.EqualTo(maxLength), "the held packets pass once accepted");
        });
    }

    [Test]
    public void Receive_BurstWaitingInTheSocket_OneCallTakesManyAndOneSendVerdictsAnswersThem()
    {
        const int count = 300;
        using var path = QueuePath.Create();
        using var queue = OpenQueue(path);

        // Queued while nobody reads: they wait in the netlink socket.
        path.Send(count, burst: 0);
        WaitUntilQueued(path, count);

        using var batch = queue.CreatePacketBatch();
        var verdicts = queue.CreateVerdictBatch();
        var sizes = new List<int>();
        var seen = 0;
        while (seen < count && queue.Receive(batch) is var n && n > 0)
        {
            for (var i = 0; i < n; i++)
            {
                verdicts.Accept(batch[i].PacketId);
            }

            queue.SendVerdicts(verdicts);
            verdicts.Clear();
            sizes.Add(n);
            seen += n;
        }

        var received = path.ReceiveAll(count, Deadline);
        Assert.Multiple(() =>
        {
            Assert.That(sizes[0], Is.EqualTo(queue.Options.BatchSize), "recvmmsg filled the whole batch");
            Assert.That(sizes.Sum(), Is.EqualTo(count));
            Assert.That(sizes, Has.Count.LessThanOrEqualTo((count / queue.Options.BatchSize) + 1), "one SendVerdicts per batch");
            Assert.That(received, Has.Count.EqualTo(count), "each batch's verdicts let all its packets through");
            Assert.That(batch.ErrorMessages, Is.Zero);
        });
    }

    [Test]
    public void ReceiveAndSendVerdicts_SteadyState_AllocateNothingPerPacket()
    {
        using var path = QueuePath.Create();
        using var queue = OpenQueue(path);
        using var batch = queue.CreatePacketBatch();
        var verdicts = queue.CreateVerdictBatch();

        // A warm-up round compiles everything and grows nothing further.
        AllocatedWhileProcessing(path, queue, batch, verdicts, 200);
        var few = AllocatedWhileProcessing(path, queue, batch, verdicts, 200);
        var many = AllocatedWhileProcessing(path, queue, batch, verdicts, 2000);
        var received = path.ReceiveAll(2400, Deadline);
        TestContext.Out.WriteLine($"allocated: {few} bytes for 200 packets, {many} bytes for 2000 packets");

        Assert.Multiple(() =>
        {
            Assert.That(few, Is.LessThanOrEqualTo(256), "bytes allocated processing 200 packets");
            Assert.That(many, Is.LessThanOrEqualTo(256), "bytes allocated processing 2000 packets");
            Assert.That(received, Has.Count.EqualTo(2400));
        });
    }

    [Test]
    public void Open_QueueAlreadyBound_FailsNamingTheBind()
    {
        using var path = QueuePath.Create();
        using var first = OpenQueue(path);

        var error = Assert.Throws<InvalidOperationException>(() => OpenQueue(path));

        Assert.That(error!.InnerException, Is.TypeOf<Win32Exception>());
        Assert.That(error.InnerException!.Message, Does.StartWith("binding NFQUEUE 7 failed: Operation not permitted").And.Contain("another process"));
    }

    [Test]
    public void SendVerdicts_MoreBytesThanTheSendBufferHolds_SplitsAndEveryPacketArrives()
    {
        const int count = 500;
        using var path = QueuePath.Create();

        // The kernel makes this 8 KiB: a batch of modified packets of up to 1.2 KiB needs several datagrams.
        using var queue = OpenQueue(path, new NetfilterQueueOptions { SendBufferBytes = 4096 });
        using var reader = new ReadingThread(queue, static (packet, verdicts) =>
        {
            var ip = new Packet(packet.Payload);
            Invert(ip.Payload);
            ip.UpdateChecksums();
            verdicts.AcceptModified(packet.PacketId, ip.Data);
        });

        var datagramsBefore = queue.DatagramsSent;
        path.Send(count, burst: 0);
        var received = path.ReceiveAll(count, Deadline);
        reader.Stop();

        Assert.Multiple(() =>
        {
            Assert.That(queue.DatagramsSent - datagramsBefore, Is.GreaterThan(reader.VerdictSends), "some batch needed more than one datagram");
            Assert.That(received, Has.Count.EqualTo(count));
            Assert.That(reader.ErrorMessages, Is.Zero);
        });
    }

    [Test]
    public void Receive_VerdictForAnIdTheKernelDoesNotHold_CountsTheError()
    {
        using var path = QueuePath.Create();
        using var queue = OpenQueue(path);
        using var batch = queue.CreatePacketBatch();
        var verdicts = queue.CreateVerdictBatch();

        verdicts.Drop(12345);
        queue.SendVerdicts(verdicts);
        var packets = queue.Receive(batch);

        Assert.Multiple(() =>
        {
            Assert.That(packets, Is.Zero);
            Assert.That(batch.ErrorMessages, Is.EqualTo(1));
            Assert.That(batch.LastErrorCode, Is.EqualTo(2), "ENOENT");
        });
    }

    private static ReadOnlySpan<byte> Tail => " +tail"u8;

    /// <summary>Binds the path's queue inside the router's namespace.</summary>
    private static NetfilterQueue OpenQueue(QueuePath path, NetfilterQueueOptions? options = null) =>
        path.Path.Router.Namespace.Run(() => NetfilterQueue.Open(QueuePath.QueueNumber, options ?? new NetfilterQueueOptions()));

    private static void Invert(Span<byte> payload)
    {
        foreach (ref var b in payload)
        {
            b = (byte)~b;
        }
    }

    /// <summary>Sends <paramref name="count"/> packets, then receives and accepts them on this thread, returning the bytes it allocated.</summary>
    private static long AllocatedWhileProcessing(QueuePath path, NetfilterQueue queue, PacketBatch batch, VerdictBatch verdicts, int count)
    {
        path.Send(count, burst: 0);
        WaitUntilQueued(path, count);

        var seen = 0;
        var idle = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        while (seen < count && idle < 10)
        {
            var n = queue.Receive(batch);
            if (n == 0)
            {
                idle++;
                continue;
            }

            for (var i = 0; i < n; i++)
            {
                var packet = batch[i];
                if (packet.Payload.Length > 0)
                {
                    verdicts.Accept(packet.PacketId);
                }
            }

            queue.SendVerdicts(verdicts);
            verdicts.Clear();
            seen += n;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(seen, Is.EqualTo(count), "every packet was read");
        return allocated;
    }

    /// <summary>Waits until the kernel holds <paramref name="count"/> packets in the queue (the third column of /proc/net/netfilter/nfnetlink_queue).</summary>
    private static void WaitUntilQueued(QueuePath path, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            var status = path.QueueStatus();
            if (status is not null && int.Parse(status.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture) >= count)
            {
                return;
            }

            Thread.Sleep(10);
        }

        Assert.Fail($"the queue did not fill up to {count} packets: {path.QueueStatus()}");
    }
}
