using System.Buffers.Binary;
using NetServ.Networking;

namespace NetServ.Sdk;

/// <summary>
/// A view over an IPv4 header in a packet buffer. Reading and writing go straight to the
/// buffer; nothing is copied. Call <see cref="Packet.MarkModified"/> after writing so the
/// checksum is recomputed.
/// </summary>
public readonly ref struct Ipv4Header
{
    private readonly Span<byte> _bytes;

    /// <summary>Creates a view over <paramref name="bytes"/>, which start at the IPv4 header.</summary>
    /// <exception cref="ArgumentException">Fewer than 20 bytes.</exception>
    public Ipv4Header(Span<byte> bytes)
    {
        if (bytes.Length < MinimumLength)
        {
            throw new ArgumentException("An IPv4 header has at least 20 bytes.", nameof(bytes));
        }

        _bytes = bytes;
    }

    /// <summary>The length of a header without options.</summary>
    public const int MinimumLength = 20;

    /// <summary>The IP version field (4 for a valid header).</summary>
    public int Version => _bytes[0] >> 4;

    /// <summary>The header length in bytes, options included.</summary>
    public int HeaderLength => (_bytes[0] & 0x0F) * 4;

    /// <summary>The DSCP/ECN byte.</summary>
    public byte TypeOfService
    {
        get => _bytes[1];
        set => _bytes[1] = value;
    }

    /// <summary>The total length field: header plus payload.</summary>
    public ushort TotalLength
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[2..], value);
    }

    /// <summary>The identification field.</summary>
    public ushort Identification
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[4..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[4..], value);
    }

    /// <summary>Whether the More Fragments flag is set or the fragment offset is non-zero.</summary>
    public bool IsFragment => (BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]) & 0x3FFF) != 0;

    /// <summary>Time to live.</summary>
    public byte Ttl
    {
        get => _bytes[8];
        set => _bytes[8] = value;
    }

    /// <summary>The protocol of the payload (see <see cref="IpProtocol"/>).</summary>
    public byte Protocol
    {
        get => _bytes[9];
        set => _bytes[9] = value;
    }

    /// <summary>The header checksum.</summary>
    public ushort Checksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_bytes[10..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_bytes[10..], value);
    }

    /// <summary>The source address.</summary>
    public Ipv4Address Source
    {
        get => Ipv4Address.Read(_bytes[12..]);
        set => value.Write(_bytes[12..]);
    }

    /// <summary>The destination address.</summary>
    public Ipv4Address Destination
    {
        get => Ipv4Address.Read(_bytes[16..]);
        set => value.Write(_bytes[16..]);
    }

    /// <summary>The options, between the fixed header and the payload.</summary>
    public Span<byte> Options => _bytes[MinimumLength..Math.Min(HeaderLength, _bytes.Length)];

    /// <summary>Recomputes <see cref="Checksum"/> over the header.</summary>
    public void UpdateChecksum()
    {
        Checksum = 0;
        Checksum = InternetChecksum.Compute(_bytes[..HeaderLength]);
    }
}
