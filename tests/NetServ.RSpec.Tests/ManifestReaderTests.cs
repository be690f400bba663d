using System.Net;

namespace NetServ.RSpec.Tests;

[TestFixture]
public sealed class ManifestReaderTests
{
    // As a ProtoGENI aggregate (CloudLab, Emulab) writes a manifest: sliver ids on nodes and
    // interfaces, a <host>, one <login> per user of the slice, extensions left to be skipped.
    private const string CloudLabManifest = """
        <?xml version="1.0" encoding="UTF-8"?>
        <rspec xmlns="http://www.geni.net/resources/rspec/3" xmlns:emulab="http://www.protogeni.net/resources/rspec/ext/emulab/1"
               type="manifest" expires="2026-12-06T14:00:00Z">
          <node client_id="node0" component_manager_id="urn:publicid:IDN+utah.cloudlab.us+authority+cm"
                component_id="urn:publicid:IDN+utah.cloudlab.us+node+amd101" sliver_id="urn:publicid:IDN+utah.cloudlab.us+sliver+1001" exclusive="true">
            <sliver_type name="raw-pc"><disk_image name="urn:publicid:IDN+emulab.net+image+emulab-ops:UBUNTU22-64-STD"/></sliver_type>
            <interface client_id="node0:if0" component_id="urn:publicid:IDN+utah.cloudlab.us+interface+amd101:eth1"
                       sliver_id="urn:publicid:IDN+utah.cloudlab.us+sliver+1003" mac_address="0cc47a8c1a2e">
              <ip address="10.10.1.1" type="ipv4" netmask="255.255.255.0"/>
            </interface>
            <emulab:vnode name="amd101" hardware_type="m510"/>
            <host name="node0.netserv.emulab-net.utah.cloudlab.us" ipv4="128.110.217.101"/>
            <services>
              <login authentication="ssh-keys" hostname="amd101.utah.cloudlab.us" port="22" username="alice"/>
              <login authentication="ssh-keys" hostname="amd101.utah.cloudlab.us" port="22" username="bob"/>
              <emulab:console server="boss.utah.cloudlab.us"/>
            </services>
          </node>
          <node client_id="node1" sliver_id="urn:publicid:IDN+utah.cloudlab.us+sliver+1002">
            <interface client_id="node1:if0"><ip address="10.10.1.2" netmask="255.255.255.0"/></interface>
            <services><login authentication="ssh-keys" hostname="pcvm1-1.utah.cloudlab.us" port="30010" username="alice"/></services>
          </node>
          <link client_id="link0" sliver_id="urn:publicid:IDN+utah.cloudlab.us+sliver+1004">
            <interface_ref client_id="node0:if0"/><interface_ref client_id="node1:if0"/>
          </link>
        </rspec>
        """;

    [Test]
    public void TryRead_CloudLabManifest_ReadsLoginsPerNode()
    {
        var manifest = Read(CloudLabManifest);

        Assert.That(manifest.Nodes.Select(n => n.ClientId), Is.EqualTo(new[] { "node0", "node1" }));
        Assert.That(manifest.Nodes[0].Logins, Is.EqualTo(new[]
        {
            new NodeLogin("ssh-keys", "amd101.utah.cloudlab.us", 22, "alice"),
            new NodeLogin("ssh-keys", "amd101.utah.cloudlab.us", 22, "bob"),
        }));
        Assert.That(manifest.Nodes[1].Logins.Single().ToString(), Is.EqualTo("alice@pcvm1-1.utah.cloudlab.us:30010"));
    }

    [Test]
    public void TryRead_CloudLabManifest_ReadsSliverIdsAndHost()
    {
        var node = Read(CloudLabManifest).Nodes[0];

        Assert.That(node.SliverId, Is.EqualTo("urn:publicid:IDN+utah.cloudlab.us+sliver+1001"));
        Assert.That(node.ComponentId, Is.EqualTo("urn:publicid:IDN+utah.cloudlab.us+node+amd101"));
        Assert.That(node.ComponentManagerId, Is.EqualTo("urn:publicid:IDN+utah.cloudlab.us+authority+cm"));
        Assert.That(node.HostName, Is.EqualTo("node0.netserv.emulab-net.utah.cloudlab.us"));
    }

    [Test]
    public void TryRead_CloudLabManifest_ReadsInterfaceAddresses()
    {
        var manifest = Read(CloudLabManifest);

        var if0 = manifest.Nodes[0].Interfaces.Single();
        Assert.That(if0.ClientId, Is.EqualTo("node0:if0"));
        Assert.That(if0.MacAddress, Is.EqualTo("0cc47a8c1a2e"));
        Assert.That(if0.Ips.Single(), Is.EqualTo(new RSpecIp(IPAddress.Parse("10.10.1.1"), 24)));
        Assert.That(manifest.Nodes[1].Interfaces.Single().Ips.Single().ToString(), Is.EqualTo("10.10.1.2/24"));
    }

    [Test]
    public void FindNodeOfSliver_KnownSliver_FindsTheNode()
    {
        var manifest = Read(CloudLabManifest);

        Assert.That(manifest.FindNodeOfSliver("urn:publicid:IDN+utah.cloudlab.us+sliver+1002")?.ClientId, Is.EqualTo("node1"));
        Assert.That(manifest.FindNodeOfSliver("urn:publicid:IDN+utah.cloudlab.us+sliver+9"), Is.Null);
    }

    [Test]
    public void TryRead_LoginWithoutPort_MeansPort22()
    {
        var manifest = Read(Manifest("""<node client_id="a"><services><login authentication="ssh-keys" hostname="a.example.org"/></services></node>"""));

        Assert.That(manifest.Nodes[0].Logins.Single(), Is.EqualTo(new NodeLogin("ssh-keys", "a.example.org", 22, null)));
    }

    [Test]
    public void TryRead_Request_RefusedAsNotManifest()
    {
        var error = Refused("""<rspec xmlns="http://www.geni.net/resources/rspec/3" type="request"/>""");

        Assert.That(error.Kind, Is.EqualTo(RSpecErrorKind.NotManifest));
        Assert.That(error.ToString(), Is.EqualTo("1:54: the rspec's type is 'request', not 'manifest'"));
    }

    [Test]
    public void TryRead_LoginPortNotANumber_RefusedWithPosition()
    {
        var error = Refused(Manifest("""<node client_id="a"><services><login authentication="ssh-keys" hostname="h" port="ssh"/></services></node>"""));

        Assert.That(error.Kind, Is.EqualTo(RSpecErrorKind.InvalidNumber));
        Assert.That(error.Message, Is.EqualTo("login port 'ssh' is not a port number (1 to 65535)"));
    }

    [Test]
    public void TryRead_LoginWithoutHostname_RefusedAsMissingAttribute()
    {
        var error = Refused(Manifest("""<node client_id="a"><services><login authentication="ssh-keys" port="22"/></services></node>"""));

        Assert.That((error.Kind, error.Message), Is.EqualTo((RSpecErrorKind.MissingAttribute, "<login> has no hostname")));
    }

    [Test]
    public void TryRead_BadAddress_RefusedAsInvalidAddress()
    {
        var error = Refused(Manifest("""<node client_id="a"><interface client_id="a:if0"><ip address="10.0.0.300"/></interface></node>"""));

        Assert.That((error.Kind, error.Message), Is.EqualTo((RSpecErrorKind.InvalidAddress, "'10.0.0.300' is not an IPv4 address")));
    }

    [Test]
    public void TryRead_Dtd_Refused()
    {
        var error = Refused("""<!DOCTYPE rspec [<!ENTITY a "a">]><rspec xmlns="http://www.geni.net/resources/rspec/3" type="manifest"/>""");

        Assert.That(error.Kind, Is.EqualTo(RSpecErrorKind.DtdRefused));
    }

    private static string Manifest(string nodes) => $"""<rspec xmlns="http://www.geni.net/resources/rspec/3" type="manifest">{nodes}</rspec>""";

    private static ManifestRSpec Read(string text)
    {
        Assert.That(ManifestReader.TryRead(text, out var manifest, out var error), Is.True, error?.ToString());
        return manifest!;
    }

    private static RSpecError Refused(string text)
    {
        Assert.That(ManifestReader.TryRead(text, out _, out var error), Is.False);
        return error!;
    }
}
