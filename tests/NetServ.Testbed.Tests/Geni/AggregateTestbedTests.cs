using NetServ.Networking;
using NetServ.RSpec;
using NetServ.Testbed.Geni;

namespace NetServ.Testbed.Tests.Geni;

/// <summary>How an aggregate's nodes get their interfaces: the manifest's addresses on the devices the node has them on.</summary>
public sealed class AggregateTestbedTests
{
    // What `ip -j -4 addr show` prints on a CloudLab node (abridged): the control interface and one experiment interface.
    private const string Addresses = """
        [{"ifindex":1,"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]},
         {"ifindex":2,"ifname":"eno1","addr_info":[{"family":"inet","local":"128.110.218.12","prefixlen":21}]},
         {"ifindex":4,"ifname":"enp65s0f0","addr_info":[{"family":"inet","local":"198.18.0.2","prefixlen":24}]}]
        """;

    [Test]
    public void ParseAddresses_IpJsonOutput_GivesEachAddressWithItsDeviceAndPrefix()
    {
        var parsed = AggregateTestbed.ParseAddresses(Addresses);

        Assert.That(parsed, Has.Member(("enp65s0f0", Ipv4Address.Parse("198.18.0.2"), 24)));
        Assert.That(parsed, Has.Count.EqualTo(3));
    }

    [Test]
    public void Interfaces_ManifestAddressOnTheNode_TakesTheNodesDevice()
    {
        var (definition, node) = Router("198.18.0.2");

        var interfaces = AggregateTestbed.Interfaces(definition, node, AggregateTestbed.ParseAddresses(Addresses));

        Assert.That(interfaces, Is.EqualTo(new[] { new TestbedInterface("router:if0", "enp65s0f0", Ipv4Address.Parse("198.18.0.2"), 24) }));
    }

    [Test]
    public void Interfaces_ManifestAddressTheNodeDoesNotHave_SaysWhichAndWhatItHas()
    {
        var (definition, node) = Router("198.18.0.9");

        var refused = Assert.Throws<AggregateTestbedException>(() => AggregateTestbed.Interfaces(definition, node, AggregateTestbed.ParseAddresses(Addresses)));

        Assert.That(refused!.Message, Does.Contain("198.18.0.9").And.Contain("router:if0").And.Contain("enp65s0f0 198.18.0.2"));
    }

    private static (RSpecNode Definition, ManifestNode Node) Router(string address)
    {
        const string Request = """
            <rspec xmlns="http://www.geni.net/resources/rspec/3" type="request">
              <node client_id="router"><interface client_id="router:if0"/></node>
            </rspec>
            """;
        Assert.That(RSpecReader.TryRead(Request, out var request, out var error), Is.True, () => error?.ToString() ?? "");
        var ip = new RSpecIp(System.Net.IPAddress.Parse(address), 24);
        return (request!.Nodes[0], new ManifestNode("router", null, null, null, null, [new NodeLogin("ssh-keys", "pc512.utah.cloudlab.us", 22, "alice")], [new ManifestInterface("router:if0", null, null, [ip])]));
    }
}
