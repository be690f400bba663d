using System.Buffers.Binary;

namespace NetServ.Sdk;

/// <summary>A view over a TCP header in a packet buffer.</summary>
public readonly ref struct TcpHeader
{
    private readonly Span<byte> _bytes;

    /// <summary>Creates a view over <paramref name="bytes"/>, which start at the TCP header.</summary>
    /// <exception cref="ArgumentException">Fewer than 20 bytes.</exception>
    public TcpHeader(Span<byte> bytes)
    {
        if (bytes.Length < MinimumLength)
        {
            throw new ArgumentException("A TCP header has at least 20 bytes.", nameof(bytes));
        }

        _bytes = bytes;
    }

    /// <summary>The length of a header without options.</summary>
    public const int MinimumLength = 20;

    /// <summary>The source port.</summary>
    public ushort SourcePort
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes, value);
    }

    /// <summary>The destination port.</summary>
    public ushort DestinationPort
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[2..], value);
    }

    /// <summary>The sequence number.</summary>
    public uint SequenceNumber
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_bytes[4..]);
        set => BinaryPrimitives.WriteUInt32BigEndian(_bytes[4..], value);
    }

    /// <summary>The acknowledgment number.</summary>
    public uint AcknowledgmentNumber
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_bytes[8..]);
        set => BinaryPrimitives.WriteUInt32BigEndian(_bytes[8..], value);
    }

    /// <summary>The header length in bytes, options included.</summary>
    public int HeaderLength => (_bytes[12] >> 4) * 4;

    /// <summary>The flag bits (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20).</summary>
    public byte Flags
    {
        get => _bytes[13];
        set => _bytes[13] = value;
    }

    /// <summary>The receive window.</summary>
    public ushort Window
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[14..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[14..], value);
    }

    /// <summary>The checksum.</summary>
    public ushort Checksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[16..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[16..], value);
    }
}
