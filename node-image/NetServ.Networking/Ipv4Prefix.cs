using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NetServ.Networking;

/// <summary>An IPv4 prefix such as <c>198.18.0.0/15</c>. Host bits are cleared on creation.</summary>
public readonly struct Ipv4Prefix : IEquatable<Ipv4Prefix>
{
    /// <summary>Creates the prefix of <paramref name="length"/> bits containing <paramref name="address"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is not 0-32.</exception>
    public Ipv4Prefix(Ipv4Address address, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 32);
        Length = length;
        Address = new Ipv4Address(address.Value & MaskOf(length));
    }

    /// <summary>The network address (host bits zero).</summary>
    public Ipv4Address Address { get; }

    /// <summary>The prefix length in bits.</summary>
    public int Length { get; }

    /// <summary>The netmask as a 32-bit value in host order.</summary>
    public uint Mask => MaskOf(Length);

    /// <summary>0.0.0.0/0: every address.</summary>
    public static Ipv4Prefix All => new(Ipv4Address.Any, 0);

    /// <summary>Whether <paramref name="address"/> lies within the prefix.</summary>
    public bool Contains(Ipv4Address address) => (address.Value & Mask) == Address.Value;

    /// <summary>Whether every address of <paramref name="other"/> lies within this prefix.</summary>
    public bool Contains(Ipv4Prefix other) => other.Length >= Length && Contains(other.Address);

    /// <summary>Parses <c>a.b.c.d/len</c>; a bare address is a /32.</summary>
    /// <exception cref="FormatException">The text is not a prefix.</exception>
    public static Ipv4Prefix Parse(ReadOnlySpan<char> text) =>
        TryParse(text, out var prefix) ? prefix : throw new FormatException($"'{text}' is not an IPv4 prefix (a.b.c.d/len)");

    /// <summary>Parses <c>a.b.c.d/len</c>; a bare address is a /32.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Ipv4Prefix prefix)
    {
        prefix = default;
        var slash = text.IndexOf('/');
        var length = 32;
        if (slash >= 0)
        {
            if (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > 32)
            {
                return false;
            }

            text = text[..slash];
        }

        if (!Ipv4Address.TryParse(text, out var address))
        {
            return false;
        }

        prefix = new Ipv4Prefix(address, length);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Address}/{Length}");

    /// <inheritdoc />
    public bool Equals(Ipv4Prefix other) => Address == other.Address && Length == other.Length;

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Ipv4Prefix other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Address, Length);

    /// <summary>Equality.</summary>
    public static bool operator ==(Ipv4Prefix left, Ipv4Prefix right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Ipv4Prefix left, Ipv4Prefix right) => !left.Equals(right);

    private static uint MaskOf(int length) => length == 0 ? 0u : uint.MaxValue << (32 - length);
}
