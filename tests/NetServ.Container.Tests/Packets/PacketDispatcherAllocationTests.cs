using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Container.Packets;
using NetServ.Netfilter.Queue;
using NetServ.Networking;
using NetServ.Sdk;
using NetServ.TestSupport.Traffic;

namespace NetServ.Container.Tests.Packets;

/// <summary>
/// The promise of the packet path: once warm, a batch read from NFQUEUE, passed through several modules behind
/// several filters, and answered with verdicts (accept, drop, accept modified) allocates nothing — over 100,000
/// real packets through the kernel's queue.
/// </summary>
[TestFixture]
public sealed class PacketDispatcherAllocationTests
{
    private const int WarmUpPackets = 20_000;
    private const int MeasuredPackets = 100_000;

    [Test]
    public void DispatchPath_QueueBatchToModulesToVerdicts_AllocatesNothingOver100000Packets()
    {
        using var path = QueuePath.Create();
        using var queue = path.Path.Router.Namespace.Run(() => NetfilterQueue.Open(QueuePath.QueueNumber, new NetfilterQueueOptions { MaxLength = 65536 }));
        var chain = new ModuleChain(NullLogger<ModuleChain>.Instance);
        var counter = new Counting();
        var modifier = new Modifying();
        var dropper = new DroppingEveryTenth();
        var unmatched = new Counting();

        // Filters with several prefixes each, the matching one not first; one module whose filter never matches.
        chain.Add(new ModuleSlot("never", new PacketFilter(FilterProtocol.Tcp, null, [Prefix("198.19.0.0/16")]), unmatched));
        chain.Add(new ModuleSlot("counter", new PacketFilter(FilterProtocol.Udp, QueuePath.Port, [Prefix("198.18.200.0/24"), Prefix("198.18.100.0/24"), Prefix("198.19.0.0/24")]), counter));
        chain.Add(new ModuleSlot("modifier", new PacketFilter(FilterProtocol.Udp, null, [Prefix("198.18.201.0/24"), Prefix("198.19.0.1/32")]), modifier));
        chain.Add(new ModuleSlot("dropper", new PacketFilter(FilterProtocol.Any, null, [Prefix("198.18.202.0/24"), Prefix("198.19.0.0/16")]), dropper));
        var dispatcher = new PacketDispatcher(queue, chain, new PacketDispatcherOptions(), NullLogger<PacketDispatcher>.Instance);
        var reader = dispatcher.CreateReader(generation: 0);
        using var batch = queue.CreatePacketBatch();
        var verdicts = queue.CreateVerdictBatch();

        Dispatch(path, queue, reader, batch, verdicts, WarmUpPackets);
        var before = dispatcher.Received;
        var (seen, allocated) = Dispatch(path, queue, reader, batch, verdicts, MeasuredPackets);
        TestContext.Out.WriteLine($"{seen} packets dispatched through {chain.Slots.Count} modules: {allocated} bytes allocated; accepted {dispatcher.Accepted}, modified {dispatcher.Modified}, dropped {dispatcher.Dropped}");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen, Is.EqualTo(MeasuredPackets), "every packet sent was read from the queue");
            Assert.That(dispatcher.Received - before, Is.EqualTo(MeasuredPackets));
            Assert.That(allocated, Is.Zero, "bytes allocated on the dispatching thread");
            Assert.That(unmatched.Packets, Is.Zero, "a TCP filter saw no UDP packet");
            Assert.That(counter.Packets, Is.EqualTo(WarmUpPackets + MeasuredPackets), "the counter's filter selects every packet");
            Assert.That(dropper.Packets, Is.EqualTo(WarmUpPackets + MeasuredPackets));
            Assert.That(dispatcher.Dropped, Is.EqualTo((WarmUpPackets + MeasuredPackets) / 10), "every tenth packet dropped");
            Assert.That(dispatcher.Modified, Is.EqualTo((WarmUpPackets + MeasuredPackets) * 9 / 10), "the rest changed by the modifier");
        }
    }

    /// <summary>
    /// Sends <paramref name="count"/> packets from another thread while this one reads, dispatches and answers them
    /// in rounds of the reading loop; returns what it read and allocated.
    /// </summary>
    private static (int Seen, long Allocated) Dispatch(QueuePath path, NetfilterQueue queue, PacketDispatcher.Reader reader, PacketBatch batch, VerdictBatch verdicts, int count)
    {
        var payload = new byte[32];
        var sender = new Thread(() =>
        {
            for (var i = 0; i < count; i++)
            {
                path.Sender.Send(payload);
                if ((i + 1) % 64 == 0)
                {
                    Thread.Sleep(1);
                }
            }
        })
        { IsBackground = true, Name = "test sender" };

        var seen = 0;
        var idle = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        sender.Start();
        while (seen < count && idle < 25)
        {
            _ = QueueReader.ReadBatch(queue, reader, batch, verdicts, out var n);
            if (n == 0)
            {
                idle++;
                continue;
            }

            idle = 0;
            seen += n;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        sender.Join();
        return (seen, allocated);
    }

    private static Ipv4Prefix Prefix(string text) => Ipv4Prefix.Parse(text);

    private sealed class Counting : IPacketProcessor
    {
        public long Packets { get; private set; }

        public PacketVerdict Process(ref Packet packet)
        {
            Packets++;
            return PacketVerdict.Accept;
        }
    }

    private sealed class Modifying : IPacketProcessor
    {
        public PacketVerdict Process(ref Packet packet)
        {
            packet.Payload[0] ^= 0xFF;
            packet.MarkModified();
            return PacketVerdict.Accept;
        }
    }

    private sealed class DroppingEveryTenth : IPacketProcessor
    {
        public long Packets { get; private set; }

        public PacketVerdict Process(ref Packet packet) => ++Packets % 10 == 0 ? PacketVerdict.Drop : PacketVerdict.Accept;
    }
}
