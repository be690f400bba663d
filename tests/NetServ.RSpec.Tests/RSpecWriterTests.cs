using System.Text;
using System.Xml.Linq;
using NetServ.Networking;

namespace NetServ.RSpec.Tests;

[TestFixture]
public sealed class RSpecWriterTests
{
    [Test]
    public void Write_ThenRead_GivesAnEqualRequest()
    {
        var text = RSpecWriter.Write(RSpecSamples.EveryElementModel);

        Assert.That(RSpecSamples.Read(text), Is.EqualTo(RSpecSamples.EveryElementModel));
    }

    [Test]
    public void Write_ReadDocument_WritesWhatItRead()
    {
        var once = RSpecWriter.Write(RSpecSamples.Read(RSpecSamples.EveryElement));
        var twice = RSpecWriter.Write(RSpecSamples.Read(once));

        Assert.That(twice, Is.EqualTo(once));
    }

    [Test]
    public void ToDocument_IsARequestInTheRSpecV3Namespace()
    {
        var root = RSpecWriter.ToDocument(RSpecSamples.EveryElementModel).Root!;
        XNamespace xsi = "http://www.w3.org/2001/XMLSchema-instance";

        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.Name, Is.EqualTo(XName.Get("rspec", RSpecSamples.Namespace)));
            Assert.That(root.Attribute("type")?.Value, Is.EqualTo("request"));
            Assert.That(root.Attribute(xsi + "schemaLocation")?.Value, Does.EndWith("http://www.geni.net/resources/rspec/3/request.xsd"));
            Assert.That(root.Descendants().Select(e => e.Name.NamespaceName).Distinct(), Is.EqualTo(new[] { RSpecSamples.Namespace }));
        }
    }

    [Test]
    public void Write_NetmaskAndType_AreWrittenAsGeniToolsExpect()
    {
        var ip = RSpecWriter.ToDocument(RSpecSamples.EveryElementModel).Descendants(XName.Get("ip", RSpecSamples.Namespace)).Last();

        Assert.That(ip.ToString(), Is.EqualTo($"""<ip address="198.18.0.2" netmask="255.255.255.252" type="ipv4" xmlns="{RSpecSamples.Namespace}" />"""));
    }

    [Test]
    public void Write_EmptyOptionalParts_AreLeftOut()
    {
        var text = RSpecWriter.Write(new RequestRSpec([new RSpecNode("a", null, null, null, [], [], [])], []));

        Assert.That(text, Does.Contain("<node client_id=\"a\" />"));
        Assert.That(text, Does.Not.Contain("services").And.Not.Contain("exclusive"));
    }

    [TestCase(0.0)]
    [TestCase(1.0)]
    [TestCase(1e-7)]
    [TestCase(0.30000000000000004)]
    [TestCase(0.123456789012345)]
    public void Write_PacketLoss_ReadsBackExactly(double loss)
    {
        var request = new RequestRSpec(
            [new RSpecNode("a", null, null, null, [], [], [new RSpecInterface("a:if0", [])])],
            [new RSpecLink("l", ["a:if0"], null, [new LinkProperty("a:if0", "a:if0", long.MaxValue, 0, loss)])]);

        Assert.That(RSpecSamples.Read(RSpecWriter.Write(request)), Is.EqualTo(request));
    }

    [Test]
    public void Write_CommandWithXmlSpecialCharacters_ReadsBackExactly()
    {
        var command = "a=\"x\"; [ \"$a\" != '<y>' ] && echo 'ok & done' > /tmp/out\n\ttab";
        var request = new RequestRSpec([new RSpecNode("a", null, null, null, [], [new ExecuteService("sh", command)], [])], []);

        Assert.That(RSpecSamples.Read(RSpecWriter.Write(request)).Nodes[0].Executes[0].Command, Is.EqualTo(command));
    }

    [Test]
    public void Write_Stream_IsUtf8WithoutByteOrderMarkAndEndsWithANewline()
    {
        using var stream = new MemoryStream();

        RSpecWriter.Write(RSpecSamples.EveryElementModel, stream);

        var bytes = stream.ToArray();
        Assert.That(bytes.AsSpan(0, 5).ToArray(), Is.EqualTo("<?xml"u8.ToArray()));
        Assert.That(bytes[^1], Is.EqualTo((byte)'\n'));
        Assert.That(Encoding.UTF8.GetString(bytes), Does.StartWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rspec"));
    }

    [Test]
    public void Write_RequestTheReaderWouldRefuse_IsWrittenAndThenRefused()
    {
        // The writer writes what it is given; checking is the reader's job.
        var node = new RSpecNode("a", null, null, null, [], [], [new RSpecInterface("a:if0", [new InterfaceIp(Ipv4Address.Parse("198.18.0.1"), 24)])]);
        var text = RSpecWriter.Write(new RequestRSpec([node, node], []));

        Assert.That(RSpecReader.TryRead(text, out _, out var error), Is.False);
        Assert.That(error!.Kind, Is.EqualTo(RSpecErrorKind.DuplicateClientId));
    }
}
