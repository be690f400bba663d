using System.Xml.Linq;
using NetServ.Geni.LocalAggregate;

namespace NetServ.Geni.Tests.LocalAggregate;

/// <summary>The advertisement and manifest documents, and how a request is refused.</summary>
public sealed class AggregateRSpecsTests
{
    private static readonly XNamespace Rspec3 = "http://www.geni.net/resources/rspec/3";
    private static readonly AggregateOptions Options = new() { NodeCount = 2 };

    [Test]
    public void Manifest_NodeWithExecuteService_KeepsItBesideTheLogin()
    {
        var request = AggregateManager.ReadRequest("""
            <rspec xmlns="http://www.geni.net/resources/rspec/3" type="request">
              <node client_id="a"><services><execute shell="sh" command="netservd"/></services></node>
            </rspec>
            """);
        var sliver = Sliver("a", new ProvisionedNode("a", "127.0.0.1", 2201, "netserv", new Dictionary<string, string>()));

        var services = XDocument.Parse(AggregateRSpecs.Manifest(Options, request, [sliver])).Root!.Element(Rspec3 + "node")!.Element(Rspec3 + "services")!;

        Assert.That(services.Elements().Select(e => e.Name.LocalName), Is.EqualTo(new[] { "execute", "login" }));
        Assert.That((string?)services.Element(Rspec3 + "login")!.Attribute("port"), Is.EqualTo("2201"));
    }

    [Test]
    public void Manifest_Root_IsAManifestWithTheManifestSchema()
    {
        var request = AggregateManager.ReadRequest("<rspec xmlns=\"http://www.geni.net/resources/rspec/3\" type=\"request\"><node client_id=\"a\"/></rspec>");

        var root = XDocument.Parse(AggregateRSpecs.Manifest(Options, request, [Sliver("a", null)])).Root!;

        Assert.That((string?)root.Attribute("type"), Is.EqualTo("manifest"));
        Assert.That((string?)root.Attribute(XNamespace.Get("http://www.w3.org/2001/XMLSchema-instance") + "schemaLocation"), Does.EndWith("http://www.geni.net/resources/rspec/3/manifest.xsd"));
        Assert.That((string?)root.Element(Rspec3 + "node")!.Attribute("component_manager_id"), Is.EqualTo("urn:publicid:IDN+netserv.local+authority+cm"));
    }

    [Test]
    public void Manifest_NodeWithoutSliver_IsLeftOut()
    {
        var request = AggregateManager.ReadRequest("<rspec xmlns=\"http://www.geni.net/resources/rspec/3\" type=\"request\"><node client_id=\"a\"/><node client_id=\"b\"/></rspec>");

        var root = XDocument.Parse(AggregateRSpecs.Manifest(Options, request, [Sliver("b", null)])).Root!;

        Assert.That(root.Elements(Rspec3 + "node").Select(n => (string?)n.Attribute("client_id")), Is.EqualTo(new[] { "b" }));
    }

    [Test]
    public void Advertisement_UsedNode_IsNotAvailableNow()
    {
        var used = new HashSet<string> { AggregateRSpecs.ComponentId(Options, 0) };

        var nodes = XDocument.Parse(AggregateRSpecs.Advertisement(Options, used, availableOnly: false)).Root!.Elements(Rspec3 + "node");

        Assert.That(nodes.Select(n => (string?)n.Element(Rspec3 + "available")!.Attribute("now")), Is.EqualTo(new[] { "false", "true" }));
    }

    [TestCase("<rspec xmlns=\"http://www.geni.net/resources/rspec/3\" type=\"advertisement\"/>", GeniCode.BADARGS)]
    [TestCase("<rspec xmlns=\"http://www.protogeni.net/resources/rspec/0.2\" type=\"request\"/>", GeniCode.BADVERSION)]
    [TestCase("<html/>", GeniCode.BADARGS)]
    [TestCase("", GeniCode.BADARGS)]
    public void ReadRequest_NotAV3Request_RefusedWithItsCode(string rspec, GeniCode code)
    {
        var e = Assert.Throws<AggregateRefusalException>(() => AggregateManager.ReadRequest(rspec))!;

        Assert.That(e.Code, Is.EqualTo(code));
    }

    private static SliverState Sliver(string clientId, ProvisionedNode? login) => new()
    {
        SliverUrn = $"urn:publicid:IDN+netserv.local+sliver+{clientId}",
        ClientId = clientId,
        ComponentId = AggregateRSpecs.ComponentId(Options, 0),
        AllocationStatus = login is null ? AllocationStatus.Allocated : AllocationStatus.Provisioned,
        OperationalStatus = OperationalStatus.NotReady,
        Expires = DateTimeOffset.UnixEpoch,
        Login = login,
    };
}
