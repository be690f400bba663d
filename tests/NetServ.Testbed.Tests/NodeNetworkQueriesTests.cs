using NetServ.Networking;
using NetServ.Testbed.Linux;
using NetServ.TestSupport.Testbeds;

namespace NetServ.Testbed.Tests;

/// <summary>A node's route and link address asked through its session: what is asked, and how ip's answers are read.</summary>
[TestFixture]
public sealed class NodeNetworkQueriesTests
{
    private const string RouteViaRouter =
        """[{"dst":"198.19.0.1","gateway":"198.18.0.2","dev":"eth0","prefsrc":"198.18.0.1","flags":[],"uid":0,"cache":[]}]""";

    private const string RouteOnTheLink =
        """[{"dst":"198.18.0.2","dev":"eth0","prefsrc":"198.18.0.1","flags":[],"uid":0,"cache":[]}]""";

    private const string Link =
        """[{"ifindex":2,"link_index":3,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"be:ef:00:12:34:56","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0}]""";

    [Test]
    public async Task GetRouteAsync_ViaARouter_AsksIpAndReadsTheRoute()
    {
        var session = new FakeNodeSession();
        session.AnswerWith(0, RouteViaRouter);

        var route = await session.GetRouteAsync(Ipv4Address.Parse("198.19.0.1"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(session.Commands.Single().Display, Is.EqualTo("ip -j route get 198.19.0.1"));
            Assert.That(route.Destination.ToString(), Is.EqualTo("198.19.0.1"));
            Assert.That(route.Gateway?.ToString(), Is.EqualTo("198.18.0.2"));
            Assert.That(route.NextHop.ToString(), Is.EqualTo("198.18.0.2"));
            Assert.That(route.Device, Is.EqualTo("eth0"));
            Assert.That(route.Source.ToString(), Is.EqualTo("198.18.0.1"));
        }
    }

    [Test]
    public async Task GetRouteAsync_OnALinkOfTheNode_TheNextHopIsTheDestination()
    {
        var session = new FakeNodeSession();
        session.AnswerWith(0, RouteOnTheLink);

        var route = await session.GetRouteAsync(Ipv4Address.Parse("198.18.0.2"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(route.Gateway, Is.Null);
            Assert.That(route.NextHop.ToString(), Is.EqualTo("198.18.0.2"));
        }
    }

    [Test]
    public void GetRouteAsync_IpFails_ThrowsCommandFailed()
    {
        var session = new FakeNodeSession();
        session.AnswerWith(2, string.Empty, "RTNETLINK answers: Network is unreachable\n");

        var error = Assert.ThrowsAsync<CommandFailedException>(() => session.GetRouteAsync(Ipv4Address.Parse("198.19.0.1")));

        Assert.That(error!.Message, Does.Contain("Network is unreachable"));
    }

    [TestCase("")]
    [TestCase("not json")]
    [TestCase("[]")]
    [TestCase("""[{"dst":"198.19.0.1","dev":"eth0"}]""")]
    [TestCase("""[{"dst":"198.19.0.1","gateway":"fe80::1","dev":"eth0","prefsrc":"198.18.0.1"}]""")]
    public void ParseRoute_NotAnIpv4Route_IsAFormatException(string output)
    {
        Assert.Throws<FormatException>(() => NodeNetworkQueries.ParseRoute(output, Ipv4Address.Parse("198.19.0.1")));
    }

    [Test]
    public async Task GetMacAddressAsync_AnEthernetLink_AsksIpAndReadsItsAddress()
    {
        var session = new FakeNodeSession();
        session.AnswerWith(0, Link);

        var mac = await session.GetMacAddressAsync("eth0");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(session.Commands.Single().Display, Is.EqualTo("ip -j link show dev eth0"));
            Assert.That(mac.ToString(), Is.EqualTo("BEEF00123456"));
        }
    }

    [TestCase("""[{"ifindex":1,"ifname":"lo"}]""")]
    [TestCase("""[{"ifname":"eth0","address":"not a mac"}]""")]
    [TestCase("{}")]
    public void ParseMacAddress_NoLinkAddress_IsAFormatException(string output)
    {
        Assert.Throws<FormatException>(() => NodeNetworkQueries.ParseMacAddress(output, "eth0"));
    }

    [Test]
    public void GetMacAddressAsync_UnreachableNode_Throws()
    {
        var session = new FakeNodeSession { Unreachable = true };

        Assert.ThrowsAsync<NodeUnreachableException>(() => session.GetMacAddressAsync("eth0"));
    }
}
