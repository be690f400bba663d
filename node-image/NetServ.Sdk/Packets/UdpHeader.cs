using System.Buffers.Binary;

namespace NetServ.Sdk;

/// <summary>A view over a UDP header in a packet buffer.</summary>
public readonly ref struct UdpHeader
{
    private readonly Span<byte> _bytes;

    /// <summary>Creates a view over <paramref name="bytes"/>, which start at the UDP header.</summary>
    /// <exception cref="ArgumentException">Fewer than 8 bytes.</exception>
    public UdpHeader(Span<byte> bytes)
    {
        if (bytes.Length < Length)
        {
            throw new ArgumentException("A UDP header has 8 bytes.", nameof(bytes));
        }

        _bytes = bytes;
    }

    /// <summary>The length of a UDP header.</summary>
    public const int Length = 8;

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

    /// <summary>The UDP length field: header plus payload.</summary>
    public ushort DatagramLength
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[4..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[4..], value);
    }

    /// <summary>The checksum (0 means none was computed).</summary>
    public ushort Checksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[6..], value);
    }
}
