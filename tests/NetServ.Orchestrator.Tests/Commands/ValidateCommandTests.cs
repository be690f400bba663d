using NetServ.Testbed.Nodes;

namespace NetServ.Orchestrator.Tests.Commands;

[TestFixture]
public sealed class ValidateCommandTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("netserv-validate-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Validate_TheEvaluationRSpec_ExitsZeroAndNamesTheRouterAsNetServNode()
    {
        var (exit, output, _) = await ValidateAsync(File.ReadAllText(Path.Combine(BuildOutputs.RepositoryRoot, "rspecs", "evaluation.rspec.xml")));

        Assert.That(exit, Is.Zero);
        Assert.That(output, Does.Contain("NetServ nodes: router"));
    }

    [TestCase("evaluation.rspec.xml", "router")]
    [TestCase("signaling-path.rspec.xml", "a, b")]
    public async Task Validate_TheCloudLabRSpecs_AreValidAndInstallTheNodeTarballOnEveryNode(string file, string netserv)
    {
        var text = File.ReadAllText(Path.Combine(BuildOutputs.RepositoryRoot, "rspecs", "cloudlab", file));
        var (exit, output, error) = await ValidateAsync(text);
        var request = RSpec.RSpecReader.TryRead(text, out var read, out _) ? read : null;

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, error);
            Assert.That(output, Does.Contain($"NetServ nodes: {netserv}"));
            Assert.That(request!.Nodes.Select(n => n.Installs.Single().InstallPath), Is.All.EqualTo("/opt"), "the node tarball unpacked into /opt on every node");
            Assert.That(request.Nodes.Select(n => n.Executes.Single().Command), Is.All.Contains("/opt/netserv/install.sh"));
            Assert.That(text, Does.Contain("component_manager_id=\"urn:publicid:IDN+utah.cloudlab.us+authority+cm\""));
            Assert.That(request.Nodes.Select(n => n.SliverType?.DiskImage?.Name), Is.All.EqualTo("urn:publicid:IDN+emulab.net+image+emulab-ops//UBUNTU22-64-STD"));
        });
    }

    [Test]
    public async Task Validate_MalformedXml_PrintsTheLineAndExitsTwo()
    {
        var (exit, _, error) = await ValidateAsync("<?xml version=\"1.0\"?>\n<rspec xmlns=\"http://www.geni.net/resources/rspec/3\" type=\"request\">\n  <node client_id=\"a\">\n</rspec>\n");

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error, Does.Match(@"request\.xml:4:\d+: not well-formed XML"));
    }

    [Test]
    public async Task Validate_AnAddressOutsideTheBenchmarkingRange_IsAValidRequestRefusedAtTheInterfaceNamingTheOption()
    {
        const string RSpec = """
            <?xml version="1.0"?>
            <rspec xmlns="http://www.geni.net/resources/rspec/3" type="request">
              <node client_id="a">
                <interface client_id="a:if0"><ip address="198.18.0.1" netmask="255.255.255.0" type="ipv4"/></interface>
              </node>
              <node client_id="b">
                <interface client_id="b:if0"><ip address="10.0.0.2" netmask="255.255.255.0" type="ipv4"/></interface>
              </node>
              <link client_id="ab"><interface_ref client_id="a:if0"/><interface_ref client_id="b:if0"/></link>
            </rspec>
            """;

        var (exit, output, error) = await ValidateAsync(RSpec);

        Assert.That(exit, Is.EqualTo(3));
        Assert.That(output, Does.Contain("a valid GENI RSpec v3 request: 2 nodes, 1 link"));
        Assert.That(error, Does.Match(@"request\.xml:7:\d+: interface 'b:if0' of node 'b': 10\.0\.0\.2 is outside 198\.18\.0\.0/15.*--remap-addresses"));
        Assert.That(error, Does.Contain("is a valid GENI RSpec v3 request, but it cannot be realised on the local testbed (2 problems)"));
    }

    [Test]
    public async Task Validate_LinksBeforeNodes_PointsAtTheInterfaceNotTheInterfaceRef()
    {
        var (exit, _, error) = await ValidateAsync(Corpus("links-first-bad-address.rspec.xml"));

        Assert.That(exit, Is.EqualTo(3));
        Assert.That(error, Does.StartWith(@$"{_folder}/request.xml:14:6: interface 'b:if0' of node 'b': 10.0.0.2 is outside 198.18.0.0/15"));
    }

    [Test]
    public async Task Validate_SwitchBetweenLinks_IsAValidRequestTheLocalTestbedRefusesAtTheNode()
    {
        var (exit, output, error) = await ValidateAsync(Corpus("switch-between-links.rspec.xml"));

        Assert.That(exit, Is.EqualTo(3));
        Assert.That(output, Does.Contain("request.xml: a valid GENI RSpec v3 request: 3 nodes, 2 links"));
        Assert.That(error, Does.Contain("request.xml:9:4: node 'switch' has 198.18.4.11/24 (link 'link-1') and 198.18.4.12/24 (link 'link-2') on one subnet"));
        Assert.That(error, Does.Contain("cannot be realised on the local testbed (1 problem)"));
    }

    [Test]
    public async Task Validate_OpenFlowOnly_SaysThereIsNothingToRealiseAndWhatIsNotRealised()
    {
        var (exit, output, error) = await ValidateAsync(Corpus("openflow-only.rspec.xml"));

        Assert.That(exit, Is.EqualTo(3));
        Assert.That(output, Does.Contain("a valid GENI RSpec v3 request: 0 nodes, 0 links"));
        Assert.That(output, Does.Contain("request.xml:4:4: not realised locally: <openflow:sliver> is not realised: the local testbed realises nodes and links only"));
        Assert.That(error, Does.Contain("request.xml:3:2: the request has no nodes"));
        Assert.That(output, Does.Not.Contain("can realise"));
    }

    [Test]
    public async Task Validate_ShapingDelayNodeAndTunnel_RealisableAndSaysWhatIsLeftOutWhere()
    {
        var (exit, output, error) = await ValidateAsync(Corpus("not-realised-here.rspec.xml"));

        Assert.That(exit, Is.Zero, error);
        Assert.That(output.Split('\n').Where(l => l.Contains("not realised locally", StringComparison.Ordinal)).Select(l => l[l.IndexOf("request.xml:", StringComparison.Ordinal)..].Split(": ")[0]),
            Is.EqualTo(new[] { "request.xml:4:4", "request.xml:10:4", "request.xml:24:4", "request.xml:29:4" }));
        Assert.That(output, Does.Contain("link 'shaped': capacity 10000 kbps, latency 20 ms and loss 0.01 from 'left:if0' to 'shaper:if0' not applied"));
        Assert.That(output, Does.Contain("the local testbed can realise it: 3 network namespaces, 2 veth pairs; without what the 4 lines above say"));
    }

    [Test]
    public async Task Validate_Dtd_SaysDtdsAreRefused()
    {
        var (exit, _, error) = await ValidateAsync("<?xml version=\"1.0\"?>\n<!DOCTYPE rspec>\n<rspec xmlns=\"http://www.geni.net/resources/rspec/3\" type=\"request\"/>\n");

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error, Does.Contain("request.xml:2:11: DTDs are refused"));
    }

    [Test]
    public async Task Validate_GeniLanWithoutAddresses_PrintsTheChosenAddressesAndTheBridge()
    {
        var (exit, output, error) = await ValidateAsync(GeniRSpec("lan-three-nodes.rspec.xml"));

        Assert.That(exit, Is.Zero, error);
        Assert.That(output, Does.Contain("address chosen: host-b:if0 (node host-b): 198.18.0.2/24"));
        Assert.That(output, Does.Contain("the local testbed can realise it: 4 network namespaces, 3 veth pairs, 1 LAN bridge"));
    }

    [Test]
    public async Task Validate_MixedFour_IsRefusedNamingTheOptionAndRealisableWithIt()
    {
        var (refusedExit, _, refused) = await ValidateAsync(GeniRSpec("mixed-four-nodes.rspec.xml"));
        var (exit, output, error) = await ValidateAsync(GeniRSpec("mixed-four-nodes.rspec.xml"), "--remap-addresses");

        Assert.That(refusedExit, Is.EqualTo(3));
        Assert.That(refused, Does.Contain("--remap-addresses"));
        Assert.That(exit, Is.Zero, error);
        Assert.That(output, Does.Contain("address map: 10.10.1.0/24 -> 198.18.0.0/24"));
        Assert.That(output, Does.Contain("address chosen: router:if1 (node router): 198.18.1.1/24"));
    }

    private static string GeniRSpec(string file) => File.ReadAllText(Path.Combine(BuildOutputs.RepositoryRoot, "rspecs", "geni", file));

    private static string Corpus(string file) => File.ReadAllText(Path.Combine(BuildOutputs.RepositoryRoot, "tests", "NetServ.RSpec.Tests", "Corpus", file));

    private async Task<(int Exit, string Output, string Error)> ValidateAsync(string rspec, params string[] options)
    {
        var path = Path.Combine(_folder, "request.xml");
        await File.WriteAllTextAsync(path, rspec);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await LabCommands.RunAsync(["validate", path, .. options], output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
