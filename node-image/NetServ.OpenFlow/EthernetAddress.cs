using System.Buffers.Binary;
using System.Globalization;

namespace NetServ.OpenFlow;

/// <summary>A 48-bit Ethernet (MAC) address, as OXM eth_src and eth_dst carry it.</summary>
public readonly record struct EthernetAddress
{
    /// <summary>Creates an address from its 48-bit value (the first octet is the most significant).</summary>
    public EthernetAddress(ulong value) => Value = value & 0xffff_ffff_ffffUL;

    public ulong Value { get; }

    public static EthernetAddress Broadcast => new(0xffff_ffff_ffffUL);

    /// <summary>Reads the first six bytes of <paramref name="bytes"/>.</summary>
    public static EthernetAddress Read(ReadOnlySpan<byte> bytes) =>
        new(((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]));

    /// <summary>Writes the address to the first six bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(Value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)Value);
    }

    /// <summary>Parses <c>aa:bb:cc:dd:ee:ff</c>.</summary>
    /// <exception cref="FormatException">The text is not such an address.</exception>
    public static EthernetAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        ulong value = 0;
        if (parts.Length != 6)
        {
            throw new FormatException($"'{text}' is not an Ethernet address (aa:bb:cc:dd:ee:ff)");
        }

        foreach (var part in parts)
        {
            if (part.Length != 2 || !byte.TryParse(part, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var octet))
            {
                throw new FormatException($"'{text}' is not an Ethernet address (aa:bb:cc:dd:ee:ff)");
            }

            value = (value << 8) | octet;
        }

        return new EthernetAddress(value);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[6];
        Write(bytes);
        return string.Join(':', bytes.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }
}
