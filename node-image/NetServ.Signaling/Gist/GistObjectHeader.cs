using System.Buffers.Binary;

namespace NetServ.Signaling.Gist;

/// <summary>
/// The TLV header of a GIST object (RFC 5971 A.2). Reserved bits are ignored on reading and zero on writing.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |A|B|r|r|         Type          |r|r|r|r|        Length         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Length counts the 32-bit words of the value, the header not included.
/// </remarks>
internal readonly record struct GistObjectHeader
{
    private readonly ushort _type;
    private readonly ushort _length;

    public GistObjectHeader(GistObjectAction action, ushort type, ushort lengthInWords)
    {
        Action = action;
        Type = type;
        LengthInWords = lengthInWords;
    }

    public GistObjectAction Action
    {
        get;
        init => field = (byte)value <= 3 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A and B are two bits.");
    }

    /// <summary>The 12-bit object type (see <see cref="GistObjectType"/>).</summary>
    public ushort Type
    {
        get => _type;
        init => _type = value <= 0xFFF ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The object Type field has 12 bits.");
    }

    /// <summary>The 12-bit length of the value in 32-bit words.</summary>
    public ushort LengthInWords
    {
        get => _length;
        init => _length = value <= 0xFFF ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The object Length field has 12 bits.");
    }

    public int ContentLength => LengthInWords * 4;

    public static bool TryRead(ReadOnlySpan<byte> source, out GistObjectHeader header)
    {
        if (source.Length < GistConstants.ObjectHeaderLength)
        {
            header = default;
            return false;
        }

        var first = BinaryPrimitives.ReadUInt16BigEndian(source);
        var second = BinaryPrimitives.ReadUInt16BigEndian(source[2..]);
        header = new GistObjectHeader((GistObjectAction)(first >> 14), (ushort)(first & 0xFFF), (ushort)(second & 0xFFF));
        return true;
    }

    public bool TryWrite(Span<byte> destination)
    {
        if (destination.Length < GistConstants.ObjectHeaderLength)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(((int)Action << 14) | Type));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], LengthInWords);
        return true;
    }
}
