using static NetServ.Sdk.Tests.Packets.TestPackets;

using NetServ.Networking;

namespace NetServ.Sdk.Tests.Packets;

[TestFixture]
public sealed class PacketFilterTests
{
    private static readonly Ipv4Prefix Net19 = Ipv4Prefix.Parse("198.19.0.0/24");
    private static readonly Ipv4Prefix Net20 = Ipv4Prefix.Parse("198.20.0.0/16");

    [TestCase(FilterProtocol.Any, null, true)]
    [TestCase(FilterProtocol.Udp, null, true)]
    [TestCase(FilterProtocol.Udp, 5060, true)]
    [TestCase(FilterProtocol.Udp, 5061, false)]
    [TestCase(FilterProtocol.Tcp, null, false)]
    [TestCase(FilterProtocol.Tcp, 5060, false)]
    public void Matches_UdpPacketTo5060_DependsOnProtocolAndPort(FilterProtocol protocol, int? port, bool expected)
    {
        var filter = new PacketFilter(protocol, port, [Net19]);
        var bytes = Udp(1234, 5060, [1]);

        Assert.That(filter.Matches(new Packet(bytes)), Is.EqualTo(expected));
    }

    [TestCase(FilterProtocol.Any, null, true)]
    [TestCase(FilterProtocol.Tcp, null, true)]
    [TestCase(FilterProtocol.Tcp, 80, true)]
    [TestCase(FilterProtocol.Tcp, 443, false)]
    [TestCase(FilterProtocol.Udp, 80, false)]
    public void Matches_TcpPacketTo80_DependsOnProtocolAndPort(FilterProtocol protocol, int? port, bool expected)
    {
        var filter = new PacketFilter(protocol, port, [Net19]);
        var bytes = Tcp(40000, 80, [1]);

        Assert.That(filter.Matches(new Packet(bytes)), Is.EqualTo(expected));
    }

    [TestCase("198.19.0.2", true)]
    [TestCase("198.19.0.255", true)]
    [TestCase("198.19.1.0", false)]
    [TestCase("198.20.77.1", true)]
    [TestCase("198.21.0.1", false)]
    public void Matches_Destination_MustLieInOneOfThePrefixes(string destination, bool expected)
    {
        var filter = new PacketFilter(FilterProtocol.Any, null, [Net19, Net20]);
        var bytes = Ipv4(IpProtocol.Udp, UdpSegment(1, 2, []), destination: Ipv4Address.Parse(destination));

        Assert.That(filter.Matches(new Packet(bytes)), Is.EqualTo(expected));
    }

    [Test]
    public void Matches_SourceInPrefixDestinationNot_False()
    {
        var filter = new PacketFilter(FilterProtocol.Any, null, [Ipv4Prefix.Parse("198.18.0.0/24")]);
        var bytes = Udp(1, 2, []); // 198.18.0.1 -> 198.19.0.2

        Assert.That(filter.Matches(new Packet(bytes)), Is.False);
    }

    [Test]
    public void Matches_NotIpv4_False()
    {
        var filter = new PacketFilter(FilterProtocol.Any, null, [Ipv4Prefix.All]);
        var bytes = Udp(1, 2, []);
        bytes[0] = 0x60;

        Assert.That(filter.Matches(new Packet(bytes)), Is.False);
    }

    [Test]
    public void Matches_LaterUdpFragmentWithPortFilter_False()
    {
        var bytes = Udp(1234, 5060, [1, 2, 3], flagsAndOffset: 0x0001);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(new PacketFilter(FilterProtocol.Udp, 5060, [Net19]).Matches(new Packet(bytes)), Is.False, "the port is not in a later fragment");
            Assert.That(new PacketFilter(FilterProtocol.Udp, null, [Net19]).Matches(new Packet(bytes)), Is.True, "the protocol is");
        }
    }

    [Test]
    public void Matches_IcmpWithAnyFilter_True()
    {
        var filter = new PacketFilter(FilterProtocol.Any, null, [Net19]);
        var bytes = Ipv4(IpProtocol.Icmp, [8, 0, 0, 0]);

        Assert.That(filter.Matches(new Packet(bytes)), Is.True);
    }

    [Test]
    public void Constructor_PortWithoutProtocol_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => _ = new PacketFilter(FilterProtocol.Any, 80, [Net19]));

        Assert.That(e!.ParamName, Is.EqualTo("destinationPort"));
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(65536)]
    public void Constructor_PortOutOfRange_Throws(int port)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new PacketFilter(FilterProtocol.Udp, port, [Net19]));
    }

    [Test]
    public void Constructor_NoDestination_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => _ = new PacketFilter(FilterProtocol.Udp, 53, []));

        Assert.That(e!.ParamName, Is.EqualTo("destinations"));
    }

    [Test]
    public void Constructor_NullDestinations_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => _ = new PacketFilter(FilterProtocol.Udp, 53, null!));
    }

    [Test]
    public void Constructor_CopiesTheDestinations()
    {
        var destinations = new List<Ipv4Prefix> { Net19 };
        var filter = new PacketFilter(FilterProtocol.Any, null, destinations);

        destinations.Add(Net20);

        Assert.That(filter.Destinations, Is.EqualTo(new[] { Net19 }));
    }

    [TestCase(null, FilterProtocol.Any)]
    [TestCase("", FilterProtocol.Any)]
    [TestCase("any", FilterProtocol.Any)]
    [TestCase("ip", FilterProtocol.Any)]
    [TestCase("udp", FilterProtocol.Udp)]
    [TestCase(" UDP ", FilterProtocol.Udp)]
    [TestCase("17", FilterProtocol.Udp)]
    [TestCase("tcp", FilterProtocol.Tcp)]
    [TestCase("Tcp", FilterProtocol.Tcp)]
    [TestCase("6", FilterProtocol.Tcp)]
    public void TryParseProtocol_KnownNames_Parse(string? text, FilterProtocol expected)
    {
        var parsed = PacketFilter.TryParseProtocol(text, out var protocol);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.True);
            Assert.That(protocol, Is.EqualTo(expected));
        }
    }

    [TestCase("icmp")]
    [TestCase("sctp")]
    [TestCase("1")]
    [TestCase("udp,tcp")]
    public void TryParseProtocol_Unknown_ReturnsFalse(string text)
    {
        Assert.That(PacketFilter.TryParseProtocol(text, out _), Is.False);
    }

    [Test]
    public void ToString_NamesProtocolPortAndPrefixes()
    {
        var filter = new PacketFilter(FilterProtocol.Udp, 5060, [Net19, Net20]);

        Assert.That(filter.ToString(), Is.EqualTo("udp/5060 to 198.19.0.0/24,198.20.0.0/16"));
    }

    [Test]
    public void Equals_SameSelection_EqualAndSameHash()
    {
        var one = new PacketFilter(FilterProtocol.Tcp, 80, [Net19, Net20]);
        var two = new PacketFilter(FilterProtocol.Tcp, 80, [Ipv4Prefix.Parse("198.19.0.9/24"), Net20]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(one, Is.EqualTo(two));
            Assert.That(one.GetHashCode(), Is.EqualTo(two.GetHashCode()));
            Assert.That(one, Is.Not.EqualTo(new PacketFilter(FilterProtocol.Tcp, 81, [Net19, Net20])));
            Assert.That(one, Is.Not.EqualTo(new PacketFilter(FilterProtocol.Tcp, 80, [Net20, Net19])));
        }
    }
}
