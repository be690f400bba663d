using static NetServ.Netfilter.Native.Interop.NfnetlinkQueue;

namespace NetServ.Netfilter.Queue;

/// <summary>
/// The verdicts of one batch of packets, sent together by <see cref="NetfilterQueue.SendVerdicts"/>:
/// drops and modified packets as individual NFQNL_MSG_VERDICT messages, then one
/// NFQNL_MSG_VERDICT_BATCH accepting every id up to the highest plain accept.
/// </summary>
/// <remarks>
/// The batch verdict accepts <em>every</em> packet still waiting with an id up to the highest
/// <see cref="Accept"/>ed one, including packets of earlier receives that have had no verdict yet: a
/// dispatcher that holds a packet back must give it its verdict before accepting a later one. The
/// individual verdicts go first in the same datagram, so the batch verdict never overrides them.
/// </remarks>
internal sealed class VerdictBatch
{
    private byte[] _buffer;
    private int _length;
    private bool _hasAccept;
    private uint _highestAccept;

    /// <summary>Creates an empty batch for queue <paramref name="queueNumber"/>.</summary>
    public VerdictBatch(ushort queueNumber, int initialCapacity = 64 * QueueMessageWriter.VerdictLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, QueueMessageWriter.VerdictLength);
        QueueNumber = queueNumber;
        _buffer = new byte[initialCapacity];
    }

    /// <summary>The queue the verdicts are for.</summary>
    public ushort QueueNumber { get; }

    /// <summary>Plain accepts recorded since <see cref="Clear"/>.</summary>
    public int AcceptCount { get; private set; }

    /// <summary>Individual verdicts (drops, modified packets) recorded since <see cref="Clear"/>.</summary>
    public int IndividualCount { get; private set; }

    /// <summary>Whether nothing is to be sent.</summary>
    public bool IsEmpty => AcceptCount == 0 && IndividualCount == 0;

    /// <summary>The individual verdict messages, back to back.</summary>
    internal ReadOnlySpan<byte> IndividualMessages => _buffer.AsSpan(0, _length);

    /// <summary>Accepts packet <paramref name="id"/> unchanged. Only the highest such id is sent, in the batch verdict.</summary>
    public void Accept(uint id)
    {
        // Ids wrap at 2^32; the kernel compares them the same way (nfq_id_after).
        if (!_hasAccept || (int)(id - _highestAccept) > 0)
        {
            _highestAccept = id;
            _hasAccept = true;
        }

        AcceptCount++;
    }

    /// <summary>Drops packet <paramref name="id"/>.</summary>
    public void Drop(uint id) => Append(NF_DROP, id, default);

    /// <summary>
    /// Accepts packet <paramref name="id"/> with <paramref name="newPacket"/> in place of its bytes (the
    /// whole IP packet, checksums already correct; it may be longer or shorter than the original).
    /// </summary>
    public void AcceptModified(uint id, ReadOnlySpan<byte> newPacket)
    {
        ArgumentOutOfRangeException.ThrowIfZero(newPacket.Length, nameof(newPacket));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(newPacket.Length, NFQNL_MAX_COPY_RANGE, nameof(newPacket));
        Append(NF_ACCEPT, id, newPacket);
    }

    /// <summary>Forgets every verdict, keeping the buffer.</summary>
    public void Clear()
    {
        _length = 0;
        _hasAccept = false;
        _highestAccept = 0;
        AcceptCount = 0;
        IndividualCount = 0;
    }

    /// <summary>The id the batch verdict accepts up to, when there was a plain accept.</summary>
    internal bool TryGetHighestAccept(out uint id)
    {
        id = _highestAccept;
        return _hasAccept;
    }

    private void Append(uint verdict, uint id, ReadOnlySpan<byte> newPacket)
    {
        var needed = newPacket.IsEmpty ? QueueMessageWriter.VerdictLength : QueueMessageWriter.VerdictLengthWithPayload(newPacket.Length);
        if (_buffer.Length - _length < needed)
        {
            // Grows a few times to the batch's working size, then stays.
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + needed));
        }

        _length += QueueMessageWriter.WriteVerdict(_buffer.AsSpan(_length), QueueNumber, verdict, id, newPacket);
        IndividualCount++;
    }
}
