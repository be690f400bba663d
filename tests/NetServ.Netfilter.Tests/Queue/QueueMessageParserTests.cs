using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NetServ.Netfilter.Queue;
using static NetServ.Netfilter.Tests.Queue.QueueMessages;

namespace NetServ.Netfilter.Tests.Queue;

/// <summary>Parsing nfnetlink_queue datagrams, from bytes built here the way the kernel lays them out.</summary>
[TestFixture]
public sealed class QueueMessageParserTests
{
    [Test]
    public void ParseDatagram_PacketMessage_ReportsHeaderMetadataAndPayloadOffset()
    {
        var payload = Enumerable.Range(0, 33).Select(i => (byte)i).ToArray();
        var datagram = PacketMessage(id: 0x01020304, mark: 7, indev: 2, outdev: 3, payload);
        var handler = new Recorder();

        var packets = QueueMessageParser.ParseDatagram(Buffer(datagram, 256), datagram.Length, ref handler);

        Assert.That(packets, Is.EqualTo(1));
        var packet = handler.Packets.Single();
        Assert.Multiple(() =>
        {
            Assert.That(packet.PacketId, Is.EqualTo(0x01020304));
            Assert.That(packet.HwProtocol, Is.EqualTo(0x0800));
            Assert.That(packet.Hook, Is.EqualTo(2));
            Assert.That(packet.Mark, Is.EqualTo(7));
            Assert.That(packet.InputInterface, Is.EqualTo(2));
            Assert.That(packet.OutputInterface, Is.EqualTo(3));
            Assert.That(datagram.AsSpan(packet.PayloadOffset, packet.PayloadLength).ToArray(), Is.EqualTo(payload));
            Assert.That(packet.OriginalLength, Is.EqualTo(payload.Length));
            Assert.That(packet.PayloadCapacity, Is.EqualTo(256 - packet.PayloadOffset), "the free rest of the buffer is room to grow");
        });
    }

    [Test]
    public void ParseDatagram_TwoPacketsAndAnError_ReportsEachMessage()
    {
        var first = PacketMessage(10, 0, 1, 2, [1, 2, 3]);
        var second = PacketMessage(11, 0, 1, 2, [4, 5, 6, 7, 8]);
        var error = ErrorMessage(-2 /* ENOENT */, sequence: 99);
        var datagram = Concat(Pad(first), Pad(second), error);
        var handler = new Recorder();

        var packets = QueueMessageParser.ParseDatagram(datagram, datagram.Length, ref handler);

        Assert.Multiple(() =>
        {
            Assert.That(packets, Is.EqualTo(2));
            Assert.That(handler.Packets.Select(p => p.PacketId), Is.EqualTo(new uint[] { 10, 11 }));
            Assert.That(datagram.AsSpan(handler.Packets[1].PayloadOffset, handler.Packets[1].PayloadLength).ToArray(), Is.EqualTo(new byte[] { 4, 5, 6, 7, 8 }));
            Assert.That(handler.Packets[0].PayloadCapacity, Is.EqualTo(3), "a packet followed by another message cannot grow");
            Assert.That(handler.Errors, Is.EqualTo(new[] { (2, 99u) }));
        });
    }

    [Test]
    public void ParseDatagram_CutShort_ReportsTheReceivedPartAndTheOriginalLength()
    {
        var datagram = PacketMessage(5, 0, 1, 2, new byte[100]);
        var handler = new Recorder();

        QueueMessageParser.ParseDatagram(datagram, datagram.Length - 40, ref handler);

        var packet = handler.Packets.Single();
        Assert.Multiple(() =>
        {
            Assert.That(packet.PacketId, Is.EqualTo(5));
            Assert.That(packet.PayloadLength, Is.EqualTo(60));
            Assert.That(packet.OriginalLength, Is.EqualTo(100));
        });
    }

    [Test]
    public void ParseDatagram_MessageLengthBelowHeader_StopsWithoutLooping()
    {
        var datagram = new byte[32];
        BinaryPrimitives.WriteUInt32LittleEndian(datagram, 4);
        var handler = new Recorder();

        var packets = QueueMessageParser.ParseDatagram(datagram, datagram.Length, ref handler);

        Assert.Multiple(() =>
        {
            Assert.That(packets, Is.Zero);
            Assert.That(handler.Others, Is.EqualTo(1));
        });
    }

    [Test]
    public void WriteVerdict_WithPayload_IsOneMessageTheParserWouldWalk()
    {
        var buffer = new byte[64];

        var length = QueueMessageWriter.WriteVerdict(buffer, queueNumber: 7, verdict: 1, id: 42, newPacket: [9, 8, 7, 6, 5]);

        Assert.Multiple(() =>
        {
            Assert.That(length, Is.EqualTo(QueueMessageWriter.VerdictLengthWithPayload(5)));
            Assert.That(MemoryMarshal.Read<uint>(buffer), Is.EqualTo((uint)length), "nlmsg_len");
            Assert.That(MemoryMarshal.Read<ushort>(buffer.AsSpan(4)), Is.EqualTo(0x0301), "NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_VERDICT");
            Assert.That(MemoryMarshal.Read<ushort>(buffer.AsSpan(6)), Is.EqualTo(1), "NLM_F_REQUEST");
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(18)), Is.EqualTo(7), "res_id is the queue number, big-endian");
            Assert.That(BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(24)), Is.EqualTo(1), "NF_ACCEPT");
            Assert.That(BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(28)), Is.EqualTo(42), "id");
            Assert.That(MemoryMarshal.Read<ushort>(buffer.AsSpan(34)), Is.EqualTo(10), "NFQA_PAYLOAD");
            Assert.That(buffer.AsSpan(36, 5).ToArray(), Is.EqualTo(new byte[] { 9, 8, 7, 6, 5 }));
        });
    }

    [Test]
    public void VerdictBatch_Accept_KeepsTheHighestIdAcrossWraparound()
    {
        var verdicts = new VerdictBatch(7);
        verdicts.Accept(uint.MaxValue - 1);
        verdicts.Accept(1);
        verdicts.Accept(uint.MaxValue);

        Assert.Multiple(() =>
        {
            Assert.That(verdicts.TryGetHighestAccept(out var highest), Is.True);
            Assert.That(highest, Is.EqualTo(1));
            Assert.That(verdicts.AcceptCount, Is.EqualTo(3));
            Assert.That(verdicts.IndividualMessages.IsEmpty, Is.True, "plain accepts go in the batch verdict only");
        });
    }

    [Test]
    public void VerdictBatch_DropsAndModified_AreBackToBackMessagesAndClearForgetsThem()
    {
        var verdicts = new VerdictBatch(7, initialCapacity: QueueMessageWriter.VerdictLength);
        verdicts.Drop(3);
        verdicts.AcceptModified(4, new byte[300]);
        verdicts.Drop(5);

        var messages = verdicts.IndividualMessages.ToArray();
        var lengths = new List<int>();
        for (var offset = 0; offset < messages.Length; offset += lengths[^1])
        {
            lengths.Add((int)MemoryMarshal.Read<uint>(messages.AsSpan(offset)));
        }

        Assert.That(lengths, Is.EqualTo(new[]
        {
            QueueMessageWriter.VerdictLength, QueueMessageWriter.VerdictLengthWithPayload(300), QueueMessageWriter.VerdictLength,
        }));
        verdicts.Clear();
        Assert.That(verdicts.IsEmpty && verdicts.IndividualMessages.IsEmpty, Is.True);
    }

    [Test]
    public void VerdictBatch_AcceptModifiedLargerThanAnAttributeHolds_Throws()
    {
        var verdicts = new VerdictBatch(7);

        Assert.Throws<ArgumentOutOfRangeException>(() => verdicts.AcceptModified(1, new byte[65532]));
    }

    private static byte[] Buffer(byte[] datagram, int size)
    {
        var buffer = new byte[size];
        datagram.CopyTo(buffer, 0);
        return buffer;
    }

    private sealed class Recorder : IQueueMessageHandler
    {
        public List<QueuedPacketInfo> Packets { get; } = [];

        public List<(int Errno, uint Sequence)> Errors { get; } = [];

        public int Others { get; private set; }

        public void OnPacket(in QueuedPacketInfo packet) => Packets.Add(packet);

        public void OnError(int errno, uint sequence) => Errors.Add((errno, sequence));

        public void OnOther(ushort type) => Others++;
    }
}
