using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NetServ.Netfilter.Queue;

namespace NetServ.Netfilter.Tests.Queue;

/// <summary>What one SendVerdicts carried: the batch verdict's highest id, and each individual verdict.</summary>
internal sealed record SentVerdicts(uint? AcceptedUpTo, int Accepts, IReadOnlyList<(uint Verdict, uint Id)> Individual);

/// <summary>
/// A queue without a socket: each receive hands the loop the next prepared round of datagrams (or throws
/// the prepared failure), then the repeated round if there is one, else nothing; each send records what
/// the verdict batch held.
/// </summary>
internal sealed class FakePacketQueue : IPacketQueue
{
    public const ushort QueueNumber = 9;

    private readonly Queue<(byte[][] Datagrams, Exception? Failure)> _rounds = new();
    private readonly List<SentVerdicts> _sent = [];
    private byte[][] _repeated = [];
    private Exception? _sendFailure;

    /// <summary>Rounds prepared and not yet received.</summary>
    public int Pending => _rounds.Count;

    public int Receives { get; private set; }

    public int Sends { get; private set; }

    /// <summary>Whether sends are recorded in <see cref="Sent"/>; off for measuring allocations.</summary>
    public bool RecordSends { get; set; } = true;

    public IReadOnlyList<SentVerdicts> Sent => _sent;

    /// <summary>The next receive hands over these datagrams (each an nfnetlink_queue datagram, see <see cref="QueueMessages"/>).</summary>
    public void AddRound(params byte[][] datagrams) => _rounds.Enqueue((datagrams, null));

    /// <summary>The next receive throws <paramref name="failure"/>.</summary>
    public void AddFailure(Exception failure) => _rounds.Enqueue((Array.Empty<byte[]>(), failure));

    /// <summary>Once the prepared rounds are received, every receive hands over these datagrams again.</summary>
    public void RepeatRound(params byte[][] datagrams) => _repeated = datagrams;

    /// <summary>Every send from now on throws <paramref name="failure"/>.</summary>
    public void FailSends(Exception failure) => _sendFailure = failure;

    public PacketBatch CreatePacketBatch() => new(capacity: 16, maxPacketBytes: 2048);

    public VerdictBatch CreateVerdictBatch() => new(QueueNumber);

    public int Receive(PacketBatch batch)
    {
        Receives++;
        if (_rounds.TryDequeue(out var round))
        {
            return round.Failure is null ? batch.Fill(round.Datagrams) : throw round.Failure;
        }

        return batch.Fill(_repeated);
    }

    public void SendVerdicts(VerdictBatch verdicts)
    {
        Sends++;
        if (_sendFailure is not null)
        {
            throw _sendFailure;
        }

        if (RecordSends)
        {
            _sent.Add(new SentVerdicts(
                verdicts.TryGetHighestAccept(out var highest) ? (uint?)highest : null,
                verdicts.AcceptCount,
                ReadIndividualVerdicts(verdicts.IndividualMessages)));
        }
    }

    /// <summary>The verdict and packet id of each NFQNL_MSG_VERDICT, back to back: nlmsghdr, nfgenmsg, then NFQA_VERDICT_HDR.</summary>
    private static List<(uint Verdict, uint Id)> ReadIndividualVerdicts(ReadOnlySpan<byte> messages)
    {
        var verdicts = new List<(uint Verdict, uint Id)>();
        var offset = 0;
        while (offset < messages.Length)
        {
            var message = messages[offset..];
            verdicts.Add((BinaryPrimitives.ReadUInt32BigEndian(message[24..]), BinaryPrimitives.ReadUInt32BigEndian(message[28..])));
            offset += (int)MemoryMarshal.Read<uint>(message);
        }

        return verdicts;
    }
}
