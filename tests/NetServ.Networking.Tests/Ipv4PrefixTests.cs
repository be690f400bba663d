namespace NetServ.Networking.Tests;

[TestFixture]
public sealed class Ipv4PrefixTests
{
    [Test]
    public void Parse_PrefixWithLength_ReadsAddressAndLength()
    {
        var prefix = Ipv4Prefix.Parse("198.18.0.0/15");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(prefix.Address, Is.EqualTo(Ipv4Address.Parse("198.18.0.0")));
            Assert.That(prefix.Length, Is.EqualTo(15));
            Assert.That(prefix.Mask, Is.EqualTo(0xFFFE0000u));
        }
    }

    [Test]
    public void Parse_BareAddress_IsASlash32()
    {
        var prefix = Ipv4Prefix.Parse("198.19.0.2");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(prefix.Length, Is.EqualTo(32));
            Assert.That(prefix.Contains(Ipv4Address.Parse("198.19.0.2")), Is.True);
            Assert.That(prefix.Contains(Ipv4Address.Parse("198.19.0.3")), Is.False);
        }
    }

    [TestCase("198.18.77.5/16", "198.18.0.0/16")]
    [TestCase("198.19.255.255/15", "198.18.0.0/15")]
    [TestCase("10.1.2.3/0", "0.0.0.0/0")]
    [TestCase("10.1.2.3/31", "10.1.2.2/31")]
    public void Parse_HostBits_AreCleared(string text, string expected)
    {
        Assert.That(Ipv4Prefix.Parse(text).ToString(), Is.EqualTo(expected));
    }

    [TestCase("1.2.3.4/33")]
    [TestCase("/33")]
    [TestCase("/8")]
    [TestCase("1.2.3.4/")]
    [TestCase("1.2.3.4/-1")]
    [TestCase("1.2.3.4/+8")]
    [TestCase("1.2.3.4/ 8")]
    [TestCase("1.2.3.4/8/8")]
    [TestCase("1.2.3.4/99999999999")]
    [TestCase("256.1.1.1/8")]
    [TestCase("1.2.3/8")]
    [TestCase("")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.That(Ipv4Prefix.TryParse(text, out _), Is.False);
    }

    [Test]
    public void Parse_Invalid_ThrowsFormatExceptionNamingTheText()
    {
        var e = Assert.Throws<FormatException>(() => Ipv4Prefix.Parse("1.2.3.4/33"));

        Assert.That(e!.Message, Does.Contain("'1.2.3.4/33'"));
    }

    [TestCase("198.18.0.0", true)]
    [TestCase("198.19.255.255", true)]
    [TestCase("198.17.255.255", false)]
    [TestCase("198.20.0.0", false)]
    public void Contains_Address_OnlyWithinThePrefix(string address, bool expected)
    {
        Assert.That(Ipv4Prefix.Parse("198.18.0.0/15").Contains(Ipv4Address.Parse(address)), Is.EqualTo(expected));
    }

    [Test]
    public void Contains_All_ContainsEveryAddress()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Ipv4Prefix.All.Contains(Ipv4Address.Parse("0.0.0.0")), Is.True);
            Assert.That(Ipv4Prefix.All.Contains(Ipv4Address.Parse("255.255.255.255")), Is.True);
            Assert.That(Ipv4Prefix.All.ToString(), Is.EqualTo("0.0.0.0/0"));
        }
    }

    [TestCase("198.18.0.0/15", "198.19.0.0/24", true)]
    [TestCase("198.18.0.0/15", "198.18.0.0/15", true)]
    [TestCase("198.18.0.0/15", "198.18.0.0/14", false)]
    [TestCase("198.18.0.0/15", "198.20.0.0/24", false)]
    [TestCase("198.19.0.0/24", "198.18.0.0/15", false)]
    [TestCase("0.0.0.0/0", "203.0.113.0/24", true)]
    public void Contains_Prefix_OnlyWhenEveryAddressLiesWithin(string outer, string inner, bool expected)
    {
        Assert.That(Ipv4Prefix.Parse(outer).Contains(Ipv4Prefix.Parse(inner)), Is.EqualTo(expected));
    }

    [TestCase(-1)]
    [TestCase(33)]
    public void Constructor_LengthOutOfRange_Throws(int length)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Ipv4Prefix(Ipv4Address.Any, length));
    }

    [Test]
    public void Equality_SamePrefixAfterClearingHostBits_Equal()
    {
        var one = Ipv4Prefix.Parse("198.18.1.1/16");
        var two = Ipv4Prefix.Parse("198.18.200.9/16");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(one == two, Is.True);
            Assert.That(one.GetHashCode(), Is.EqualTo(two.GetHashCode()));
            Assert.That(one != Ipv4Prefix.Parse("198.18.0.0/17"), Is.True);
        }
    }
}
