using System.Text;
using NetServ.Networking;

namespace NetServ.RSpec.Tests;

[TestFixture]
public sealed class RSpecReaderTests
{
    [Test]
    public void TryRead_EveryElement_ReadsTheModel()
    {
        var request = RSpecSamples.Read(RSpecSamples.EveryElement);

        Assert.That(request, Is.EqualTo(RSpecSamples.EveryElementModel));
    }

    [Test]
    public void TryRead_Stream_ReadsAsText()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(RSpecSamples.EveryElement));

        var read = RSpecReader.TryRead(stream, out var request, out var error);

        Assert.That(read, Is.True, error?.ToString());
        Assert.That(request, Is.EqualTo(RSpecSamples.EveryElementModel));
    }

    [Test]
    public void TryRead_ExtensionsAndUnmodelledElements_ArePassedOver()
    {
        var request = RSpecSamples.Read($"""
            <rspec xmlns="{RSpecSamples.Namespace}" xmlns:emulab="http://www.protogeni.net/resources/rspec/ext/emulab/1"
                   type="request" generated_by="jFed">
              <!-- a comment -->
              <node client_id="a" component_id="urn:publicid:IDN+example+node+pc1">
                <emulab:routable_control_ip/>
                <hardware_type name="pc3000"/>
                <location country="US" latitude="40.7" longitude="-111.8"/>
                <interface client_id="a:if0" mac_address="02:00:00:00:00:01">
                  <ip address="198.18.0.1" netmask="255.255.255.0" type="IPv4"/>
                </interface>
              </node>
              <link client_id="l">
                <component_manager name="urn:publicid:IDN+example+authority+cm"/>
                <interface_ref client_id="a:if0"/>
              </link>
            </rspec>
            """);

        Assert.That(request.Nodes.Single().Interfaces.Single().Ip, Is.EqualTo(new InterfaceIp(Ipv4Address.Parse("198.18.0.1"), 24)));
    }

    [Test]
    public void TryRead_LinkBeforeTheNodesItJoins_IsRead()
    {
        var request = RSpecSamples.Read($"""
            <rspec xmlns="{RSpecSamples.Namespace}" type="request">
              <link client_id="l"><interface_ref client_id="a:if0"/><interface_ref client_id="b:if0"/></link>
              <node client_id="a"><interface client_id="a:if0"/></node>
              <node client_id="b"><interface client_id="b:if0"/></node>
            </rspec>
            """);

        Assert.That(request.Links.Single().InterfaceRefs, Is.EqualTo(new[] { "a:if0", "b:if0" }));
    }

    [TestCase("1", true)]
    [TestCase("0", false)]
    [TestCase(" true ", true)]
    public void TryRead_ExclusiveAsXmlSchemaBoolean_IsRead(string text, bool expected)
    {
        var request = RSpecSamples.Read($"""<rspec xmlns="{RSpecSamples.Namespace}" type="request"><node client_id="a" exclusive="{text}"/></rspec>""");

        Assert.That(request.Nodes.Single().Exclusive, Is.EqualTo(expected));
    }

    [TestCase("255.255.255.255", 32)]
    [TestCase("255.254.0.0", 15)]
    [TestCase("128.0.0.0", 1)]
    public void TryRead_Netmask_GivesItsPrefixLength(string netmask, int length)
    {
        var entry = ReadInterface($"""<ip address="198.18.0.1" netmask="{netmask}"/>""");

        var ip = entry.Ip!;
        Assert.That(ip.PrefixLength, Is.EqualTo(length));
        Assert.That(ip.Netmask.ToString(), Is.EqualTo(netmask));
    }

    [TestCase("", false)]
    [TestCase(" IPv4 ", false)]
    [TestCase("IPV6", true)]
    public void TryRead_IpType_IsCaseInsensitiveAndDefaultsToIpv4(string type, bool ipv6)
    {
        var address = ipv6 ? "2001:db8::1" : "198.18.0.1";
        var entry = ReadInterface($"""<ip address="{address}" type="{type}"/>""");

        var ip = entry.Ips.Single();
        Assert.That((ip.Address.ToString(), ip.IsIpv6, ip.PrefixLength), Is.EqualTo((address, ipv6, (int?)null)));
    }

    [TestCase("64", 64)]
    [TestCase("/48", 48)]
    [TestCase("ffff:ffff:ffff:ff00::", 56)]
    public void TryRead_Ipv6Netmask_GivesItsPrefixLength(string netmask, int length)
    {
        var entry = ReadInterface($"""<ip address="2001:db8::1" netmask="{netmask}" type="ipv6"/>""");

        Assert.That(entry.Ips.Single().PrefixLength, Is.EqualTo(length));
    }

    [Test]
    public void TryRead_Ipv6AddressWithoutType_SaysHowToTypeIt()
    {
        RSpecReader.TryRead(Request("""<node client_id="a"><interface client_id="a:if0"><ip address="2001:db8::1"/></interface></node>"""), out _, out var error);

        Assert.That(error!.Message, Is.EqualTo("'2001:db8::1' is not an IPv4 address (an IPv6 address says type=\"ipv6\")"));
    }

    [Test]
    public void TryRead_NoNodes_IsAnEmptyRequest()
    {
        var request = RSpecSamples.Read($"""<rspec xmlns="{RSpecSamples.Namespace}" type="request"/>""");

        Assert.That(request, Is.EqualTo(new RequestRSpec([], [])));
    }

    [Test]
    public void TryRead_EmptyText_IsNotWellFormed()
    {
        var read = RSpecReader.TryRead(string.Empty, out _, out var error);

        Assert.That(read, Is.False);
        Assert.That(error!.Kind, Is.EqualTo(RSpecErrorKind.NotWellFormed));
    }

    [TestCaseSource(nameof(InvalidDocuments))]
    public void TryRead_InvalidDocument_GivesTheKindAndWhereItIs(string marked, RSpecErrorKind kind)
    {
        var (text, line, column) = InvalidCase.Unmark(marked);

        var read = RSpecReader.TryRead(text, out var request, out var error);

        Assert.That(read, Is.False, "the document should have been refused");
        Assert.That(request, Is.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.Kind, Is.EqualTo(kind), error.Message);
            Assert.That((error.Line, error.Column), Is.EqualTo((line, column)), error.Message);
            Assert.That(error.Message, Is.Not.Empty);
        }
    }

    [Test]
    public void TryRead_InvalidStream_GivesTheSameErrorAsText()
    {
        var (text, line, column) = InvalidCase.Unmark(Request("""<node client_id="a"><interface client_id="a:if0"><ip address="198.18.0.1" @@netmask="255.0.255.0"/></interface></node>"""));
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));

        RSpecReader.TryRead(stream, out _, out var error);

        Assert.That(error, Is.EqualTo(new RSpecError(RSpecErrorKind.InvalidNetmask, error!.Message, line, column)));
    }

    [Test]
    public void TryRead_InvalidUtf8InAnAttribute_IsNotWellFormed()
    {
        var bytes = Encoding.UTF8.GetBytes(RSpecSamples.EveryElement);
        bytes[RSpecSamples.EveryElement.IndexOf("UBUNTU", StringComparison.Ordinal)] = 0xFF;
        using var stream = new MemoryStream(bytes);

        var read = RSpecReader.TryRead(stream, out _, out var error);

        Assert.That(read, Is.False);
        Assert.That(error!.Kind, Is.EqualTo(RSpecErrorKind.NotWellFormed));
    }

    [Test]
    public void TryRead_EntitiesThatWouldExpandPastTheBound_AreRefusedWithTheirDtd()
    {
        var text = $"""
            <?xml version="1.0"?>
            <!DOCTYPE rspec [
              <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
              <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
              <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
            ]>
            <rspec xmlns="{RSpecSamples.Namespace}" type="request"><node client_id="&c;"/></rspec>
            """;

        var read = RSpecReader.TryRead(text, out _, out var error);

        Assert.That(read, Is.False);
        Assert.That(error!.Kind, Is.EqualTo(RSpecErrorKind.DtdRefused));
        Assert.That(error.ToString(), Is.EqualTo("2:11: DTDs are refused: a request has no <!DOCTYPE>"));
    }

    [Test]
    public void TryRead_ExternalEntity_IsNotFetched()
    {
        var text = $"""
            <!DOCTYPE rspec [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
            <rspec xmlns="{RSpecSamples.Namespace}" type="request"><node client_id="a&secret;"/></rspec>
            """;

        var read = RSpecReader.TryRead(text, out var request, out var error);

        Assert.That(read, Is.False);
        Assert.That(request, Is.Null);
        Assert.That(error!.Kind, Is.EqualTo(RSpecErrorKind.DtdRefused));
    }

    [Test]
    public void TryRead_MutatedDocuments_NeverThrow()
    {
        // Bad input must come back as an error, never as an exception: cut, flip and splice a valid document.
        var random = new Random(20_250_401);
        var valid = Encoding.UTF8.GetBytes(RSpecSamples.EveryElement);
        var refused = 0;
        for (var i = 0; i < 3000; i++)
        {
            var bytes = valid.ToArray();
            switch (i % 3)
            {
                case 0:
                    bytes = bytes[..random.Next(bytes.Length)];
                    break;
                case 1:
                    for (var flips = random.Next(1, 4); flips > 0; flips--)
                    {
                        bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    }

                    break;
                default:
                    var at = random.Next(bytes.Length);
                    var from = random.Next(bytes.Length);
                    var length = random.Next(Math.Min(40, bytes.Length - from));
                    bytes = [.. bytes[..at], .. bytes.AsSpan(from, length), .. bytes[at..]];
                    break;
            }

            using var stream = new MemoryStream(bytes);
            if (!RSpecReader.TryRead(stream, out _, out var error))
            {
                refused++;
                Assert.That(error.Message, Is.Not.Empty);
            }
        }

        Assert.That(refused, Is.GreaterThan(1000), "most mutations should be refused");
    }

    /// <summary>The one interface of a request whose one node has an interface holding <paramref name="ips"/>.</summary>
    private static RSpecInterface ReadInterface(string ips) =>
        RSpecSamples.Read(Request($"<node client_id=\"a\"><interface client_id=\"a:if0\">{ips}</interface></node>")).Nodes.Single().Interfaces.Single();

    private static string Request(string body) => $"<rspec xmlns=\"{RSpecSamples.Namespace}\" type=\"request\">\n  {body}\n</rspec>";

    private const string Ip = """<ip address="198.18.0.1" netmask="255.255.255.0"/>""";

    private static IEnumerable<TestCaseData> InvalidDocuments()
    {
        TestCaseData Case(string name, string marked, RSpecErrorKind kind) => new TestCaseData(marked, kind).SetArgDisplayNames(name);

        yield return Case("mismatched end tag", $"<rspec xmlns=\"{RSpecSamples.Namespace}\" type=\"request\">\n  <node client_id=\"a\">\n</@@rspec>", RSpecErrorKind.NotWellFormed);
        yield return Case("text after the root", $"<rspec xmlns=\"{RSpecSamples.Namespace}\" type=\"request\"/>\n@@x", RSpecErrorKind.NotWellFormed);
        yield return Case("DTD", $"<?xml version=\"1.0\"?>\n<!DOCTYPE @@rspec [<!ENTITY a \"aaaa\">]>\n<rspec xmlns=\"{RSpecSamples.Namespace}\" type=\"request\"/>", RSpecErrorKind.DtdRefused);
        yield return Case("wrong root", $"<@@request xmlns=\"{RSpecSamples.Namespace}\" type=\"request\"/>", RSpecErrorKind.WrongRoot);
        yield return Case("RSpec v2 namespace", "<@@rspec xmlns=\"http://www.protogeni.net/resources/rspec/2\" type=\"request\"/>", RSpecErrorKind.WrongRoot);
        yield return Case("no namespace", "<@@rspec type=\"request\"/>", RSpecErrorKind.WrongRoot);
        yield return Case("manifest", $"<rspec xmlns=\"{RSpecSamples.Namespace}\"\n  @@type=\"manifest\"/>", RSpecErrorKind.NotRequest);
        yield return Case("no type", $"<@@rspec xmlns=\"{RSpecSamples.Namespace}\"/>", RSpecErrorKind.NotRequest);
        yield return Case("node without client_id", Request("<node client_id=\"a\"/>\n  <@@node/>"), RSpecErrorKind.MissingAttribute);
        yield return Case("empty client_id", Request("<node @@client_id=\" \"/>"), RSpecErrorKind.MissingAttribute);
        yield return Case("interface without client_id", Request("<node client_id=\"a\">\n    <@@interface/>\n  </node>"), RSpecErrorKind.MissingAttribute);
        yield return Case("link without client_id", Request("<@@link/>"), RSpecErrorKind.MissingAttribute);
        yield return Case("interface_ref without client_id", Request("<link client_id=\"l\">\n    <@@interface_ref/>\n  </link>"), RSpecErrorKind.MissingAttribute);
        yield return Case("ip without address", Request("<node client_id=\"a\"><interface client_id=\"a:if0\"><@@ip netmask=\"255.255.255.0\"/></interface></node>"), RSpecErrorKind.MissingAttribute);
        yield return Case("install without url", Request("<node client_id=\"a\"><services><@@install install_path=\"/opt\"/></services></node>"), RSpecErrorKind.MissingAttribute);
        yield return Case("execute without command", Request("<node client_id=\"a\"><services><@@execute shell=\"sh\"/></services></node>"), RSpecErrorKind.MissingAttribute);
        yield return Case("sliver_type without name", Request("<node client_id=\"a\"><@@sliver_type/></node>"), RSpecErrorKind.MissingAttribute);
        yield return Case("disk_image without name", Request("<node client_id=\"a\"><sliver_type name=\"raw-pc\"><@@disk_image/></sliver_type></node>"), RSpecErrorKind.MissingAttribute);
        yield return Case("property without dest_id", Request("<link client_id=\"l\"><@@property source_id=\"x\"/></link>"), RSpecErrorKind.MissingAttribute);
        yield return Case("two nodes, one client_id", Request("<node client_id=\"a\"/>\n  <node @@client_id=\"a\"/>"), RSpecErrorKind.DuplicateClientId);
        yield return Case("interface named as its node", Request("<node client_id=\"a\">\n    <interface @@client_id=\"a\"/>\n  </node>"), RSpecErrorKind.DuplicateClientId);
        yield return Case("interfaces of two nodes, one client_id", Request("<node client_id=\"a\"><interface client_id=\"if0\"/></node>\n  <node client_id=\"b\"><interface @@client_id=\"if0\"/></node>"), RSpecErrorKind.DuplicateClientId);
        yield return Case("link named as an interface", Request("<node client_id=\"a\"><interface client_id=\"a:if0\"/></node>\n  <link @@client_id=\"a:if0\"/>"), RSpecErrorKind.DuplicateClientId);
        yield return Case("interface_ref to nothing", Request("<node client_id=\"a\"><interface client_id=\"a:if0\"/></node>\n  <link client_id=\"l\">\n    <interface_ref client_id=\"a:if0\"/>\n    <interface_ref @@client_id=\"ghost\"/>\n  </link>"), RSpecErrorKind.UnknownInterface);
        yield return Case("interface_ref to a node", Request("<node client_id=\"a\"/>\n  <link client_id=\"l\"><interface_ref @@client_id=\"a\"/></link>"), RSpecErrorKind.UnknownInterface);
        yield return Case("property from an interface not on the link", Request("<node client_id=\"a\"><interface client_id=\"a:if0\"/><interface client_id=\"a:if1\"/></node>\n  <link client_id=\"l\"><interface_ref client_id=\"a:if0\"/>\n    <property source_id=\"a:if0\" @@dest_id=\"a:if1\"/></link>"), RSpecErrorKind.UnknownInterface);
        yield return Case("interface on two links", Request("<node client_id=\"a\"><interface client_id=\"a:if0\"/></node>\n  <node client_id=\"b\"><interface client_id=\"b:if0\"/></node>\n  <node client_id=\"c\"><interface client_id=\"c:if0\"/></node>\n  <link client_id=\"l1\"><interface_ref client_id=\"a:if0\"/><interface_ref client_id=\"b:if0\"/></link>\n  <link client_id=\"l2\"><interface_ref client_id=\"c:if0\"/>\n    <interface_ref @@client_id=\"a:if0\"/></link>"), RSpecErrorKind.InterfaceAlreadyLinked);
        yield return Case("interface twice on one link", Request("<node client_id=\"a\"><interface client_id=\"a:if0\"/></node>\n  <link client_id=\"l\"><interface_ref client_id=\"a:if0\"/><interface_ref @@client_id=\"a:if0\"/></link>"), RSpecErrorKind.InterfaceAlreadyLinked);
        yield return Case("address with an octet over 255", Request("<node client_id=\"a\"><interface client_id=\"a:if0\">\n    <ip @@address=\"198.18.0.256\" netmask=\"255.255.255.0\"/></interface></node>"), RSpecErrorKind.InvalidAddress);
        yield return Case("address with three parts", Request("<node client_id=\"a\"><interface client_id=\"a:if0\"><ip @@address=\"198.18.1\" netmask=\"255.255.255.0\"/></interface></node>"), RSpecErrorKind.InvalidAddress);
        yield return Case("IPv6 text as ipv4", Request("<node client_id=\"a\"><interface client_id=\"a:if0\"><ip @@address=\"fe80::1\" netmask=\"255.255.255.0\" type=\"ipv4\"/></interface></node>"), RSpecErrorKind.InvalidAddress);
        yield return Case("netmask with a hole", Request("<node client_id=\"a\"><interface client_id=\"a:if0\"><ip address=\"198.18.0.1\" @@netmask=\"255.0.255.0\"/></interface></node>"), RSpecErrorKind.InvalidNetmask);
        yield return Case("netmask as a length", Request("<node client_id=\"a\"><interface client_id=\"a:if0\"><ip address=\"198.18.0.1\" @@netmask=\"24\"/></interface></node>"), RSpecErrorKind.InvalidNetmask);
        yield return Case("netmask of nothing", Request("<node client_id=\"a\"><interface client_id=\"a:if0\"><ip address=\"198.18.0.1\" @@netmask=\"0.0.0.0\"/></interface></node>"), RSpecErrorKind.InvalidNetmask);
        yield return Case("two sliver types", Request("<node client_id=\"a\"><sliver_type name=\"raw-pc\"/><@@sliver_type name=\"emulab-xen\"/></node>"), RSpecErrorKind.Unsupported);
        yield return Case("two link types", Request("<link client_id=\"l\"><link_type name=\"lan\"/><@@link_type name=\"vlan\"/></link>"), RSpecErrorKind.Unsupported);
        yield return Case("ip type neither ipv4 nor ipv6", Request("<node client_id=\"a\"><interface client_id=\"a:if0\"><ip address=\"198.18.0.1\" @@type=\"ipx\"/></interface></node>"), RSpecErrorKind.Unsupported);
        yield return Case("IPv6 address without its type", Request("<node client_id=\"a\"><interface client_id=\"a:if0\"><ip @@address=\"2001:db8::1\"/></interface></node>"), RSpecErrorKind.InvalidAddress);
        yield return Case("IPv4 address typed ipv6", Request("<node client_id=\"a\"><interface client_id=\"a:if0\"><ip @@address=\"198.18.0.1\" type=\"ipv6\"/></interface></node>"), RSpecErrorKind.InvalidAddress);
        yield return Case("IPv6 prefix over 128", Request("<node client_id=\"a\"><interface client_id=\"a:if0\"><ip address=\"2001:db8::1\" @@netmask=\"129\" type=\"ipv6\"/></interface></node>"), RSpecErrorKind.InvalidNetmask);
        yield return Case("disk_image with an empty name and no url", Request("<node client_id=\"a\"><sliver_type name=\"raw-pc\"><@@disk_image name=\"\"/></sliver_type></node>"), RSpecErrorKind.MissingAttribute);
        yield return Case("property naming another link", Request("<node client_id=\"a\"><interface client_id=\"a:if0\"/></node>\n  <link client_id=\"m\"/>\n  <link client_id=\"l\"><interface_ref client_id=\"a:if0\"/><property source_id=\"a:if0\" @@dest_id=\"m\"/></link>"), RSpecErrorKind.UnknownInterface);
        yield return Case("two hardware types", Request("<node client_id=\"a\"><hardware_type name=\"d430\"/><@@hardware_type name=\"m510\"/></node>"), RSpecErrorKind.Unsupported);
        yield return Case("exclusive maybe", Request("<node client_id=\"a\" @@exclusive=\"maybe\"/>"), RSpecErrorKind.InvalidValue);
        yield return Case("capacity in words", Request("<link client_id=\"l\">\n    <property source_id=\"x\" dest_id=\"y\" @@capacity=\"fast\"/></link>"), RSpecErrorKind.InvalidNumber);
        yield return Case("capacity with a unit", Request("<link client_id=\"l\"><property source_id=\"x\" dest_id=\"y\" @@capacity=\"100Mbps\"/></link>"), RSpecErrorKind.InvalidNumber);
        yield return Case("negative latency", Request("<link client_id=\"l\"><property source_id=\"x\" dest_id=\"y\" capacity=\"1000\" @@latency=\"-1\"/></link>"), RSpecErrorKind.InvalidNumber);
        yield return Case("packet loss over 1", Request("<link client_id=\"l\"><property source_id=\"x\" dest_id=\"y\" @@packet_loss=\"1.5\"/></link>"), RSpecErrorKind.InvalidNumber);
        yield return Case("packet loss NaN", Request("<link client_id=\"l\"><property source_id=\"x\" dest_id=\"y\" @@packet_loss=\"NaN\"/></link>"), RSpecErrorKind.InvalidNumber);
        yield return Case("packet loss in percent", Request("<link client_id=\"l\"><property source_id=\"x\" dest_id=\"y\" @@packet_loss=\"1%\"/></link>"), RSpecErrorKind.InvalidNumber);
    }
}

/// <summary>Documents marked with <c>@@</c> where the error should point.</summary>
internal static class InvalidCase
{
    private const string Marker = "@@";

    /// <summary>The document without its marker, and the marker's line and column (from 1).</summary>
    public static (string Text, int Line, int Column) Unmark(string marked)
    {
        var at = marked.IndexOf(Marker, StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), "the test document has no @@ marker");
        var before = marked[..at];
        var line = before.Count(c => c == '\n') + 1;
        var column = at - (before.LastIndexOf('\n') + 1) + 1;
        return (marked.Remove(at, Marker.Length), line, column);
    }
}
