using NetServ.RSpec;
using NetServ.Networking;
using NetServ.Testbed.Local;

namespace NetServ.Testbed.Tests.Local;

/// <summary>Addresses chosen for interfaces without one, and subnets remapped into 198.18.0.0/15: planning only, no root.</summary>
[TestFixture]
public sealed class LocalAddressingTests
{
    [Test]
    public void Check_GeniTwoNodesWithoutAddresses_ChoosesTwoOnAFreshSlash24()
    {
        var check = LocalTestbedPlan.Check(TestRequests.Load("geni/two-nodes.rspec.xml"));

        Assert.That(check.CanRealise, Is.True, string.Join("\n", check.Problems));
        Assert.That(check.Assigned.Select(a => a.ToString()), Is.EqualTo(new[]
        {
            "interface-0 (node node-0): 198.18.0.1/24",
            "interface-1 (node node-1): 198.18.0.2/24",
        }));
        Assert.That(check.Request!.Nodes.Select(n => n.Interfaces.Single().Ip!.ToString()), Is.EqualTo(new[] { "198.18.0.1/24", "198.18.0.2/24" }));
        Assert.That(check.AddressMap, Is.Empty);
    }

    [Test]
    public void Check_GeniLanOfThree_IsOneBridgeNamespaceAndAVethPerMember()
    {
        var check = LocalTestbedPlan.Check(TestRequests.Load("geni/lan-three-nodes.rspec.xml"));

        Assert.That(check.CanRealise, Is.True, string.Join("\n", check.Problems));
        Assert.That((check.Namespaces, check.VethPairs, check.Lans), Is.EqualTo((4, 3, 1)));
        Assert.That(check.Assigned.Select(a => (a.Interface, a.Ip.ToString())), Is.EqualTo(new[]
        {
            ("host-a:if0", "198.18.0.1/24"), ("host-b:if0", "198.18.0.2/24"), ("host-c:if0", "198.18.0.3/24"),
        }));
    }

    [Test]
    public void Check_MixedFourWithoutRemapping_IsRefusedNamingTheOption()
    {
        var check = LocalTestbedPlan.Check(TestRequests.Load("geni/mixed-four-nodes.rspec.xml"));

        Assert.That(check.CanRealise, Is.False);
        Assert.That(check.Problems.Select(p => p.Subject), Is.EqualTo(new[] { "client:if0", "router:if0" }));
        Assert.That(check.Problems, Has.All.Matches<LocalTestbedFinding>(p => p.Message.Contains("--remap-addresses", StringComparison.Ordinal)));
    }

    [Test]
    public void Check_MixedFourRemapped_MapsTheSubnetEverywhereAndChoosesTheLanAddressesBesideIt()
    {
        var check = LocalTestbedPlan.Check(TestRequests.Load("geni/mixed-four-nodes.rspec.xml"), remapAddresses: true);
        var request = check.Request!;

        Assert.That(check.CanRealise, Is.True, string.Join("\n", check.Problems));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(check.AddressMap.Select(m => m.ToString()), Is.EqualTo(new[] { "10.10.1.0/24 -> 198.18.0.0/24" }));
            Assert.That(request.Nodes.SelectMany(n => n.Interfaces).Select(i => $"{i.ClientId} {i.Ip}"), Is.EqualTo(new[]
            {
                "client:if0 198.18.0.1/24", "router:if0 198.18.0.2/24", "router:if1 198.18.1.1/24", "server-1:if0 198.18.1.2/24", "server-2:if0 198.18.1.3/24",
            }));
            Assert.That(request.Nodes.SelectMany(n => n.Executes).Select(e => e.Command), Is.EqualTo(new[]
            {
                "ping -c 1 -W 5 198.18.0.2", "sysctl -w net.ipv4.ip_forward=1", "ping -c 1 -W 5 198.18.0.1", "ping -c 1 -W 5 198.18.0.1",
            }));
            Assert.That(check.NotRealised.Select(f => f.Message), Has.Some.EqualTo("node 'server-1': 1 install service not run: local nodes share this machine's file system, where the node software is built already"));
            Assert.That((check.Namespaces, check.VethPairs, check.Lans), Is.EqualTo((5, 4, 1)));
        }
    }

    [Test]
    public void Check_LinkWithOneAddressedEnd_ChoosesFreeAddressesOnItsSubnet()
    {
        var request = new RequestRSpec(
            [
                Node("a", "a:if0", new InterfaceIp(Ipv4Address.Parse("198.18.7.1"), 24)),
                Node("b", "b:if0", null),
                Node("c", "c:if0", new InterfaceIp(Ipv4Address.Parse("198.18.7.2"), 24)),
                Node("d", "d:if0", null),
            ],
            [new RSpecLink("lan", ["a:if0", "b:if0", "c:if0", "d:if0"], "lan", [])]);

        var check = LocalTestbedPlan.Check(request);

        Assert.That(check.CanRealise, Is.True, string.Join("\n", check.Problems));
        Assert.That(check.Assigned.Select(a => (a.Interface, a.Ip.ToString())), Is.EqualTo(new[] { ("b:if0", "198.18.7.3/24"), ("d:if0", "198.18.7.4/24") }));
    }

    [Test]
    public void Check_FreshSubnet_AvoidsTheSubnetsTheRequestUses()
    {
        var request = new RequestRSpec(
            [
                Node("a", "a:if0", new InterfaceIp(Ipv4Address.Parse("198.18.0.1"), 23)),
                Node("b", "b:if0", new InterfaceIp(Ipv4Address.Parse("198.18.1.2"), 23)),
                Node("c", "c:if0", null),
                Node("d", "d:if0", null),
            ],
            [new RSpecLink("ab", ["a:if0", "b:if0"], null, []), new RSpecLink("cd", ["c:if0", "d:if0"], null, [])]);

        var check = LocalTestbedPlan.Check(request);

        Assert.That(check.Assigned.Select(a => a.Ip.ToString()), Is.EqualTo(new[] { "198.18.2.1/24", "198.18.2.2/24" }));
    }

    [Test]
    public void Check_RemappedSubnets_TakeFreeBlocksOfTheirOwnSizeAndASubnetInsideAnotherMapsThroughIt()
    {
        var request = new RequestRSpec(
            [
                Node("a", "a:if0", new InterfaceIp(Ipv4Address.Parse("10.1.2.3"), 24)),
                Node("b", "b:if0", new InterfaceIp(Ipv4Address.Parse("10.1.2.4"), 24)),
                Node("c", "c:if0", new InterfaceIp(Ipv4Address.Parse("10.1.0.1"), 16)),
                Node("d", "d:if0", new InterfaceIp(Ipv4Address.Parse("10.1.200.2"), 16)),
                Node("e", "e:if0", new InterfaceIp(Ipv4Address.Parse("198.18.0.1"), 24)),
                Node("f", "f:if0", new InterfaceIp(Ipv4Address.Parse("198.18.0.2"), 24)),
            ],
            [new RSpecLink("ab", ["a:if0", "b:if0"], null, []), new RSpecLink("cd", ["c:if0", "d:if0"], null, []), new RSpecLink("ef", ["e:if0", "f:if0"], null, [])]);

        var check = LocalTestbedPlan.Check(request, remapAddresses: true);

        // The /16 cannot start at 198.18.0.0, which the request's own /24 is in.
        Assert.That(check.AddressMap.Select(m => m.ToString()), Is.EqualTo(new[] { "10.1.0.0/16 -> 198.19.0.0/16", "10.1.2.0/24 -> 198.19.2.0/24" }));
        Assert.That(check.Request!.Nodes.Select(n => n.Interfaces.Single().Ip!.Address.ToString()), Is.EqualTo(new[]
        {
            "198.19.2.3", "198.19.2.4", "198.19.0.1", "198.19.200.2", "198.18.0.1", "198.18.0.2",
        }));
    }

    [Test]
    public void Check_SubnetLargerThanTheRange_CannotBeRemapped()
    {
        var request = new RequestRSpec(
            [Node("a", "a:if0", new InterfaceIp(Ipv4Address.Parse("10.0.0.1"), 8)), Node("b", "b:if0", new InterfaceIp(Ipv4Address.Parse("10.0.0.2"), 8))],
            [new RSpecLink("ab", ["a:if0", "b:if0"], null, [])]);

        var check = LocalTestbedPlan.Check(request, remapAddresses: true);

        Assert.That(check.Problems.Select(p => p.Message), Has.Some.EqualTo("subnet 10.0.0.0/8 cannot be remapped: it is larger than 198.18.0.0/15"));
    }

    [TestCase("ping -c 1 10.10.1.2", "ping -c 1 198.18.0.2")]
    [TestCase("ip route add 10.10.1.0/24 via 10.10.1.254 dev eth0", "ip route add 198.18.0.0/24 via 198.18.0.254 dev eth0")]
    [TestCase("iperf -c 10.10.2.1; echo 10.10.1.7,10.10.1.8", "iperf -c 10.10.2.1; echo 198.18.0.7,198.18.0.8")]
    [TestCase("pip install x==10.10.1.2.1 && netmask 255.255.255.0", "pip install x==10.10.1.2.1 && netmask 255.255.255.0")]
    public void RemapText_ReplacesOnlyAddressesInMappedSubnets(string command, string expected)
    {
        SubnetMapping[] map = [new(Ipv4Prefix.Parse("10.10.1.0/24"), Ipv4Prefix.Parse("198.18.0.0/24"))];

        Assert.That(LocalAddressing.RemapText(command, map), Is.EqualTo(expected));
    }

    private static RSpecNode Node(string clientId, string interfaceId, InterfaceIp? ip) =>
        new(clientId, null, null, null, [], [], [new RSpecInterface(interfaceId, ip is null ? [] : [RSpecIp.FromInterfaceIp(ip)])]);
}
