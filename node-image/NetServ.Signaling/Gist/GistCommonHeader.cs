using System.Buffers.Binary;

namespace NetServ.Signaling.Gist;

/// <summary>
/// The common header that begins every GIST message (RFC 5971 A.1), as raw fields: reading it checks nothing
/// but its length, so it can also hold the header of an offending message inside an Error object.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |    Version    |   GIST hops   |        Message Length         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           NSLPID              |C|   Type      |S|R|E| Reserved|
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
internal readonly record struct GistCommonHeader
{
    private const byte CFlag = 0x80;
    private const byte SFlag = 0x80;
    private const byte RFlag = 0x40;
    private const byte EFlag = 0x20;

    private readonly GistMessageType _type;

    public byte Version { get; init; }

    public byte GistHops { get; init; }

    /// <summary>The number of 32-bit words after the common header.</summary>
    public ushort MessageLength { get; init; }

    public ushort NslpId { get; init; }

    /// <summary>C: the message is Q-mode encapsulated (a Query, or a Data message sent like one).</summary>
    public bool QModeEncapsulated { get; init; }

    /// <summary>The 7-bit message type; values outside <see cref="GistMessageType"/> are kept as read.</summary>
    public GistMessageType Type
    {
        get => _type;
        init => _type = (byte)value <= 0x7F ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The Type field has 7 bits.");
    }

    /// <summary>S: the IP source address is the signalling source address (set) or not (clear).</summary>
    public bool SourceAddressing { get; init; }

    /// <summary>R: a reply to this message is explicitly requested.</summary>
    public bool ResponseRequested { get; init; }

    /// <summary>E: the message was explicitly routed.</summary>
    public bool ExplicitRouting { get; init; }

    /// <summary>The length of the whole message, header included, in bytes.</summary>
    public int TotalLength => GistConstants.CommonHeaderLength + (MessageLength * 4);

    /// <summary>Reads the eight header bytes; false only if fewer are given. Reserved bits are ignored.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out GistCommonHeader header)
    {
        if (source.Length < GistConstants.CommonHeaderLength)
        {
            header = default;
            return false;
        }

        header = new GistCommonHeader
        {
            Version = source[0],
            GistHops = source[1],
            MessageLength = BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
            NslpId = BinaryPrimitives.ReadUInt16BigEndian(source[4..]),
            QModeEncapsulated = (source[6] & CFlag) != 0,
            Type = (GistMessageType)(source[6] & 0x7F),
            SourceAddressing = (source[7] & SFlag) != 0,
            ResponseRequested = (source[7] & RFlag) != 0,
            ExplicitRouting = (source[7] & EFlag) != 0,
        };
        return true;
    }

    /// <summary>Writes the eight header bytes, reserved bits zero; false if the destination is shorter.</summary>
    public bool TryWrite(Span<byte> destination)
    {
        if (destination.Length < GistConstants.CommonHeaderLength)
        {
            return false;
        }

        destination[0] = Version;
        destination[1] = GistHops;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], MessageLength);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], NslpId);
        destination[6] = (byte)((QModeEncapsulated ? CFlag : 0) | (byte)Type);
        destination[7] = (byte)((SourceAddressing ? SFlag : 0) | (ResponseRequested ? RFlag : 0) | (ExplicitRouting ? EFlag : 0));
        return true;
    }
}
