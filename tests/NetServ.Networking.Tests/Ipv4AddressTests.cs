using System.Net;

namespace NetServ.Networking.Tests;

[TestFixture]
public sealed class Ipv4AddressTests
{
    [TestCase("0.0.0.0", 0x00000000u)]
    [TestCase("198.18.0.1", 0xC6120001u)]
    [TestCase("255.255.255.255", 0xFFFFFFFFu)]
    [TestCase("10.0.0.010", 0x0A00000Au)]
    public void TryParse_DottedQuad_GivesTheHostOrderValue(string text, uint expected)
    {
        var parsed = Ipv4Address.TryParse(text, out var address);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.True);
            Assert.That(address.Value, Is.EqualTo(expected));
        }
    }

    [TestCase("")]
    [TestCase("256.1.1.1")]
    [TestCase("1.2.3.256")]
    [TestCase("1.2.3")]
    [TestCase("1.2.3.4.5")]
    [TestCase("1.2.3.4.")]
    [TestCase(".1.2.3.4")]
    [TestCase("1..2.3")]
    [TestCase("01234.1.1.1")]
    [TestCase("1.2.3.0004")]
    [TestCase("+1.2.3.4")]
    [TestCase("-1.2.3.4")]
    [TestCase(" 1.2.3.4")]
    [TestCase("1.2.3.4 ")]
    [TestCase("1.2.3.4/32")]
    [TestCase("a.b.c.d")]
    [TestCase("0x7f.0.0.1")]
    [TestCase("::1")]
    [TestCase("4294967295")]
    public void TryParse_NotADottedQuad_ReturnsFalse(string text)
    {
        var parsed = Ipv4Address.TryParse(text, out var address);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.False);
            Assert.That(address, Is.EqualTo(Ipv4Address.Any));
        }
    }

    [Test]
    public void Parse_Invalid_ThrowsFormatExceptionNamingTheText()
    {
        var e = Assert.Throws<FormatException>(() => Ipv4Address.Parse("1.2.3"));

        Assert.That(e!.Message, Does.Contain("'1.2.3'"));
    }

    [TestCase("0.0.0.0")]
    [TestCase("9.8.7.6")]
    [TestCase("198.18.0.1")]
    [TestCase("255.255.255.255")]
    public void ToString_RoundTripsThroughParse(string text)
    {
        Assert.That(Ipv4Address.Parse(text).ToString(), Is.EqualTo(text));
    }

    [Test]
    public void TryFormat_DestinationTooSmall_ReturnsFalse()
    {
        var address = Ipv4Address.Parse("198.18.100.200");
        var buffer = new char[13];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(address.TryFormat(buffer, out _), Is.False);
            Assert.That(address.TryFormat(new char[14], out var written), Is.True);
            Assert.That(written, Is.EqualTo(14));
        }
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    [TestCase(6)]
    public void TryFormat_AnyTooSmallDestination_ReturnsFalseWithoutThrowing(int size)
    {
        // "1.2.3.4" needs 7 characters.
        var address = Ipv4Address.Parse("1.2.3.4");

        Assert.That(address.TryFormat(new char[size], out _), Is.False);
    }

    [Test]
    public void Interpolation_UsesTheDottedQuad()
    {
        var address = Ipv4Address.Parse("198.18.0.1");

        Assert.That($"to {address}", Is.EqualTo("to 198.18.0.1"));
    }

    [Test]
    public void ReadAndWrite_UseNetworkByteOrder()
    {
        var bytes = new byte[6];
        var address = Ipv4Address.Parse("192.0.2.33");

        address.Write(bytes.AsSpan(1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(bytes, Is.EqualTo(new byte[] { 0, 192, 0, 2, 33, 0 }));
            Assert.That(Ipv4Address.Read(bytes.AsSpan(1)), Is.EqualTo(address));
        }
    }

    [Test]
    public void FromIPAddress_Ipv4AndMappedIpv6_Convert()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Ipv4Address.FromIPAddress(IPAddress.Parse("198.18.0.7")), Is.EqualTo(Ipv4Address.Parse("198.18.0.7")));
            Assert.That(Ipv4Address.FromIPAddress(IPAddress.Parse("::ffff:198.18.0.7")), Is.EqualTo(Ipv4Address.Parse("198.18.0.7")));
        }
    }

    [Test]
    public void FromIPAddress_Ipv6_Throws()
    {
        Assert.Throws<ArgumentException>(() => Ipv4Address.FromIPAddress(IPAddress.IPv6Loopback));
    }

    [Test]
    public void ToIPAddress_SameAddress()
    {
        Assert.That(Ipv4Address.Parse("203.0.113.9").ToIPAddress(), Is.EqualTo(IPAddress.Parse("203.0.113.9")));
    }

    [Test]
    public void Comparison_OrdersByNumericValue()
    {
        var low = Ipv4Address.Parse("9.255.255.255");
        var high = Ipv4Address.Parse("10.0.0.0");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(low < high, Is.True);
            Assert.That(high > low, Is.True);
            Assert.That(low <= Ipv4Address.Parse("9.255.255.255"), Is.True);
            Assert.That(high >= low, Is.True);
            Assert.That(low.CompareTo(high), Is.Negative);
            Assert.That(low == Ipv4Address.Parse("9.255.255.255"), Is.True);
            Assert.That(low != high, Is.True);
        }
    }
}
