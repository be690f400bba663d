using System.Buffers.Binary;

namespace NetServ.Traffic;

/// <summary>
/// What the latency probe writes at the start of every UDP payload: a magic number, the packet's
/// sequence number and its send time (CLOCK_REALTIME in nanoseconds, the clock of the kernel's
/// receive timestamps), big-endian. Sixteen bytes: it fits the 18-byte payload of a 64-byte frame.
/// </summary>
/// <param name="Sequence">The packet's index in its run, from 0.</param>
/// <param name="SentNanoseconds">CLOCK_REALTIME at the send, in nanoseconds since the epoch.</param>
public readonly record struct LatencyStamp(uint Sequence, long SentNanoseconds)
{
    /// <summary>Bytes the stamp takes.</summary>
    public const int Length = 16;

    /// <summary>"NSLT": tells a stamped payload from any other datagram.</summary>
    public const uint Magic = 0x4E534C54;

    /// <summary>Writes the stamp at the start of <paramref name="payload"/>; false when it has fewer than <see cref="Length"/> bytes.</summary>
    public bool TryWrite(Span<byte> payload)
    {
        if (payload.Length < Length)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(payload, Magic);
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], Sequence);
        BinaryPrimitives.WriteInt64BigEndian(payload[8..], SentNanoseconds);
        return true;
    }

    /// <summary>Reads a stamp from the start of <paramref name="payload"/>; false when it is too short or does not start with <see cref="Magic"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out LatencyStamp stamp)
    {
        if (payload.Length < Length || BinaryPrimitives.ReadUInt32BigEndian(payload) != Magic)
        {
            stamp = default;
            return false;
        }

        stamp = new LatencyStamp(BinaryPrimitives.ReadUInt32BigEndian(payload[4..]), BinaryPrimitives.ReadInt64BigEndian(payload[8..]));
        return true;
    }
}
