using System.Buffers.Binary;

namespace NetServ.OpenFlow;

/// <summary>
/// Writes big-endian fields at a moving position; a measuring writer only counts, so that one encoder computes
/// both the length of a message and its bytes and the two cannot disagree.
/// </summary>
internal ref struct OpenFlowWriter
{
    private readonly Span<byte> _buffer;
    private readonly bool _measuring;

    private OpenFlowWriter(Span<byte> buffer, bool measuring)
    {
        _buffer = buffer;
        _measuring = measuring;
        Position = 0;
    }

    public int Position { get; private set; }

    public static OpenFlowWriter Into(Span<byte> buffer) => new(buffer, measuring: false);

    public static OpenFlowWriter Measuring() => new(default, measuring: true);

    public void U8(byte value)
    {
        if (!_measuring)
        {
            _buffer[Position] = value;
        }

        Position += 1;
    }

    public void U16(ushort value)
    {
        if (!_measuring)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[Position..], value);
        }

        Position += 2;
    }

    public void U32(uint value)
    {
        if (!_measuring)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_buffer[Position..], value);
        }

        Position += 4;
    }

    public void U64(ulong value)
    {
        if (!_measuring)
        {
            BinaryPrimitives.WriteUInt64BigEndian(_buffer[Position..], value);
        }

        Position += 8;
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        if (!_measuring)
        {
            bytes.CopyTo(_buffer[Position..]);
        }

        Position += bytes.Length;
    }

    public void Zeros(int count)
    {
        if (!_measuring)
        {
            _buffer.Slice(Position, count).Clear();
        }

        Position += count;
    }

    /// <summary>Zeros up to the next multiple of eight bytes counted from <paramref name="start"/>.</summary>
    public void PadTo8(int start) => Zeros(OpenFlowCodec.PaddedLength(Position - start) - (Position - start));

    /// <summary>Fills in a 16-bit length written earlier as a placeholder at <paramref name="at"/>.</summary>
    /// <exception cref="ArgumentException">The length does not fit 16 bits.</exception>
    public readonly void PatchU16(int at, int value, string what)
    {
        if (value > ushort.MaxValue)
        {
            throw new ArgumentException($"{what} is {value} bytes, more than a 16-bit length can say");
        }

        if (!_measuring)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[at..], (ushort)value);
        }
    }
}
