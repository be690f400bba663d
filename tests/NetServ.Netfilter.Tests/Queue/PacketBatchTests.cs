using NetServ.Netfilter.Queue;
using static NetServ.Netfilter.Tests.Queue.QueueMessages;

namespace NetServ.Netfilter.Tests.Queue;

/// <summary>A batch's packets after a receive: ids, payload spans over the receive buffers, cut datagrams.</summary>
[TestFixture]
public sealed class PacketBatchTests
{
    [Test]
    public void Fill_TwoDatagrams_EachPacketIsItsIdAndPayload()
    {
        using var batch = new PacketBatch(capacity: 4, maxPacketBytes: 2048);
        byte[] first = [0x45, 1, 2, 3, 4];
        byte[] second = [0x45, 9, 8];

        var packets = batch.Fill([Packet(70, first), Packet(71, second)]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packets, Is.EqualTo(2));
            Assert.That(batch.Count, Is.EqualTo(2));
            Assert.That(batch[0].PacketId, Is.EqualTo(70u));
            Assert.That(batch[0].Payload.ToArray(), Is.EqualTo(first));
            Assert.That(batch[1].PacketId, Is.EqualTo(71u));
            Assert.That(batch[1].Payload.ToArray(), Is.EqualTo(second));
            Assert.That(batch[1].IsTruncated, Is.False);
            Assert.That(batch[1].PayloadBuffer.Length, Is.GreaterThan(second.Length), "the rest of the receive slot is room to grow");
        }
    }

    [Test]
    public void Fill_DatagramLongerThanItsBuffer_KeepsWhatFitsAndMarksThePacketTruncated()
    {
        using var batch = new PacketBatch(capacity: 1, maxPacketBytes: 64);
        var payload = new byte[1000];

        batch.Fill([Packet(5, payload)]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(batch.TruncatedDatagrams, Is.EqualTo(1));
            Assert.That(batch[0].PacketId, Is.EqualTo(5u));
            Assert.That(batch[0].IsTruncated, Is.True, "such a packet must not be given back modified");
            Assert.That(batch[0].OriginalLength, Is.EqualTo(1000));
        }
    }

    [Test]
    public void Fill_NextRound_ForgetsThePreviousPackets()
    {
        using var batch = new PacketBatch(capacity: 4, maxPacketBytes: 2048);
        batch.Fill([Packet(1, [0x45]), Packet(2, [0x45])]);

        var packets = batch.Fill([Packet(3, [0x45])]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(packets, Is.EqualTo(1));
            Assert.That(batch.Count, Is.EqualTo(1));
            Assert.That(batch[0].PacketId, Is.EqualTo(3u));
        }
    }
}
