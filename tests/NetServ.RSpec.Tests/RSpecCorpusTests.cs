using System.Globalization;
using System.Xml.Linq;
using NetServ.Networking;

namespace NetServ.RSpec.Tests;

/// <summary>
/// The corpus (Corpus/): minimal documents in the shapes public requests take — editors, tutorials,
/// geni-lib, portals, OpenFlow — each read as it means, and written back with its meaning and extensions.
/// </summary>
[TestFixture]
public sealed class RSpecCorpusTests
{
    private static readonly XNamespace Rspec = RSpecSamples.Namespace;
    private static readonly XNamespace Emulab = "http://www.protogeni.net/resources/rspec/ext/emulab/1";
    private static readonly XNamespace Jacks = "http://www.protogeni.net/resources/rspec/ext/jacks/1";

    private static IEnumerable<TestCaseData> Documents() =>
        Directory.EnumerateFiles(RepositoryFiles.Corpus, "*.rspec.xml").Order(StringComparer.Ordinal)
            .Select(path => new TestCaseData(Path.GetFileName(path)).SetArgDisplayNames(Path.GetFileName(path)));

    [Test]
    public void Corpus_HoldsTheShapesOfTheIssue()
    {
        Assert.That(Documents().Count(), Is.GreaterThanOrEqualTo(11));
    }

    [TestCaseSource(nameof(Documents))]
    public void Document_WrittenAndReadAgain_EqualsWhatWasRead(string name)
    {
        var request = RSpecSamples.Read(RepositoryFiles.CorpusDocument(name));

        Assert.That(RSpecSamples.Read(RSpecWriter.Write(request)), Is.EqualTo(request));
    }

    [TestCaseSource(nameof(Documents))]
    public void Document_Written_MeansWhatTheOriginalMeant(string name)
    {
        var text = RepositoryFiles.CorpusDocument(name);

        var written = RSpecWriter.Write(RSpecSamples.Read(text));

        Assert.That(Meaning(XDocument.Parse(written).Root!), Is.EqualTo(Meaning(XDocument.Parse(text).Root!)), written);
    }

    [Test]
    public void EditorEmptyIpType_IsIpv4()
    {
        var request = RSpecSamples.Read(RepositoryFiles.CorpusDocument("editor-empty-ip-type.rspec.xml"));

        Assert.That(request.Nodes.Select(n => n.Interfaces.Single().Ip?.ToString()), Is.EqualTo(new[] { "198.18.0.1/24", "198.18.0.2/24" }));
    }

    [Test]
    public void TutorialDiskImageUrl_IsTheImage()
    {
        var request = RSpecSamples.Read(RepositoryFiles.CorpusDocument("tutorial-disk-image-url.rspec.xml"));

        Assert.That(request.Nodes[0].SliverType!.DiskImage, Is.EqualTo(new DiskImage(null, "https://www.utahddc.geniracks.net/image_metadata.php?uuid=aa3b4dab-5d2b-11e4-aa1b-000000000000")));
        Assert.That(request.Nodes[1].SliverType!.DiskImage, Is.EqualTo(new DiskImage("urn:publicid:IDN+emulab.net+image+emulab-ops//UBUNTU22-64-STD", null, "Linux", "22.04")));
    }

    [Test]
    public void IpWithoutNetmask_IsAnAddressWithoutPrefix()
    {
        var request = RSpecSamples.Read(RepositoryFiles.CorpusDocument("ip-without-netmask.rspec.xml"));

        var ips = request.Nodes.Select(n => n.Interfaces.Single().Ips.Select(i => i.ToString()).ToArray()).ToArray();
        Assert.That(ips, Is.EqualTo(new[] { new[] { "198.18.2.1" }, ["198.18.2.2"], [] }));
        Assert.That(request.Nodes.Select(n => n.Interfaces.Single().Ip), Has.All.Null, "no address has a netmask to configure");
    }

    [Test]
    public void GeniLibLanShaping_NamesTheLanAndReadsDecimals()
    {
        var request = RSpecSamples.Read(RepositoryFiles.CorpusDocument("geni-lib-lan-shaping.rspec.xml"));

        var lan = request.Links.Single();
        Assert.That(lan.Properties, Is.EqualTo(new[]
        {
            new LinkProperty("node-0:if0", "lan0", 1_000_000, 10, null),
            new LinkProperty("node-1:if0", "lan0", 1_000_000, 10, null),
        }));
        Assert.That(lan.Extensions.Elements.Select(e => e.Name), Is.EqualTo(new[] { Emulab + "vlan_tagging" }));
        Assert.That(request.Nodes.Select(n => n.HardwareType), Has.All.EqualTo("d430"));
    }

    [Test]
    public void DualStack_KeepsBothAddressesAndConfiguresTheIpv4One()
    {
        var request = RSpecSamples.Read(RepositoryFiles.CorpusDocument("dual-stack.rspec.xml"));

        var entry = request.Nodes[0].Interfaces.Single();
        Assert.That(entry.Ips.Select(i => (i.ToString(), i.IsIpv6)), Is.EqualTo(new[] { ("198.18.10.1/24", false), ("2001:db8:0:10::1/64", true) }));
        Assert.That(entry.Ip, Is.EqualTo(new InterfaceIp(Ipv4Address.Parse("198.18.10.1"), 24)));
    }

    [Test]
    public void OpenFlowOnly_HasNoNodesAndKeepsTheSliver()
    {
        var request = RSpecSamples.Read(RepositoryFiles.CorpusDocument("openflow-only.rspec.xml"));

        Assert.That(request.Nodes, Is.Empty);
        Assert.That(request.Extensions.Elements.Select(e => e.Name.LocalName), Is.EqualTo(new[] { "sliver" }));
    }

    [Test]
    public void ExtensionsEverywhere_ModelsWhatTestbedsUseAndKeepsTheRestWhereItWas()
    {
        var request = RSpecSamples.Read(RepositoryFiles.CorpusDocument("extensions-everywhere.rspec.xml"));

        var node = request.Nodes[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(node.ComponentId, Is.EqualTo("urn:publicid:IDN+utah.cloudlab.us+node+pc1"));
            Assert.That(node.HardwareType, Is.EqualTo("d430"));
            Assert.That(node.RoutableControlIp, Is.True);
            Assert.That(node.Extensions.Attributes.Select(a => a.Name), Is.EqualTo(new[] { Jacks + "x" }));
            Assert.That(node.Extensions.Elements.Select(e => e.Name), Is.EqualTo(new[] { Rspec + "location", Jacks + "nodeInfo" }));
            Assert.That(node.ServicesExtensions.Elements.Select(e => e.Name), Is.EqualTo(new[] { Emulab + "blockstore" }));
            Assert.That(node.Installs.Single().Extensions.Attributes.Select(a => a.ToString()), Is.EqualTo(new[] { "file_type=\"tar.gz\"" }));
            Assert.That(node.SliverType!.Extensions.Elements.Select(e => e.Name), Is.EqualTo(new[] { Emulab + "xen" }));
            Assert.That(node.Interfaces[0].Extensions.Attributes.Select(a => a.Name.LocalName), Is.EqualTo(new[] { "mac_address", "component_id" }));
            Assert.That(node.Interfaces[0].Ips[0].Extensions.Attributes.Select(a => a.Name), Is.EqualTo(new[] { Emulab + "dhcp" }));
            Assert.That(request.Links[0].InterfaceRefExtensions.Select(e => e.Attributes.Count), Is.EqualTo(new[] { 1, 0 }));
            Assert.That(request.Links[0].Extensions.Elements.Select(e => e.Name.LocalName), Is.EqualTo(new[] { "component_manager", "best_effort" }));
            Assert.That(request.Extensions.Attributes.Select(a => a.Name.LocalName), Is.EqualTo(new[] { "generated_by", "expires" }));
        }
    }

    [Test]
    public void ExtensionsEverywhere_WrittenWithTheDocumentsPrefixes()
    {
        var written = RSpecWriter.Write(RSpecSamples.Read(RepositoryFiles.CorpusDocument("extensions-everywhere.rspec.xml")));

        Assert.That(written, Does.Contain("<emulab:routable_control_ip />").And.Contain("<jacks:nodeInfo x=\"10\"").And.Contain("<jacks:note>keep <b xmlns=\"\">this</b> text</jacks:note>"));
    }

    [Test]
    public void ElementExtension_UnknownNamespaceWithoutAPrefixHint_IsDeclaredUnderAMadeUpPrefix()
    {
        var extension = new ElementExtension(new XElement(XName.Get("thing", "urn:example:ext"), new XAttribute("a", "1")));
        var request = new RequestRSpec([], []) { Extensions = new RSpecExtensions([], [extension]) };

        var written = RSpecWriter.Write(request);

        Assert.That(written, Does.Contain("xmlns:ns1=\"urn:example:ext\"").And.Contain("<ns1:thing a=\"1\" />"));
        Assert.That(RSpecSamples.Read(written), Is.EqualTo(request));
    }

    /// <summary>
    /// What an element means, as text to compare: its name, its attributes but for namespace
    /// declarations (with the schema's defaults spelt one way), and its children. RSpec's own
    /// content models are unordered (xs:choice, unbounded), so children of RSpec elements are
    /// compared as a set; inside an extension, order is kept.
    /// </summary>
    private static string Meaning(XElement element)
    {
        var attributes = element.Attributes()
            .Where(a => !a.IsNamespaceDeclaration && a.Name.LocalName != "schemaLocation")
            .Select(a => (a.Name, Value: Normalised(element, a)))
            .Where(a => a.Value.Length > 0)
            .Select(a => $" {a.Name}=\"{a.Value}\"");
        if (element.Name == Rspec + "ip" && string.IsNullOrEmpty(element.Attribute("type")?.Value))
        {
            attributes = attributes.Append(" type=\"ipv4\"");
        }

        var children = element.Nodes().Select(n => n switch
        {
            XElement child => Meaning(child),
            XText text => text.Value,
            _ => string.Empty,
        }).Where(c => c.Length > 0);
        if (element.Name.Namespace == Rspec)
        {
            children = children.Order(StringComparer.Ordinal);
        }

        return $"<{element.Name}{string.Concat(attributes.Order(StringComparer.Ordinal))}>{string.Concat(children)}</>";
    }

    private static string Normalised(XElement element, XAttribute attribute) =>
        (element.Name.LocalName, attribute.Name.LocalName) switch
        {
            ("ip", "type") => attribute.Value.Trim().ToLowerInvariant(),
            ("property", "capacity" or "latency" or "packet_loss") => double.Parse(attribute.Value, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture),
            _ => attribute.Value,
        };
}
