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

    [Test]
    public async Task Validate_MalformedXml_PrintsTheLineAndExitsTwo()
    {
        var (exit, _, error) = await ValidateAsync("<?xml version=\"1.0\"?>\n<rspec xmlns=\"http://www.geni.net/resources/rspec/3\" type=\"request\">\n  <node client_id=\"a\">\n</rspec>\n");

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error, Does.Match(@"request\.xml:4:\d+: not well-formed XML"));
    }

    [Test]
    public async Task Validate_AnAddressOutsideTheBenchmarkingRange_PrintsTheInterfacesLineAndExitsTwo()
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

        var (exit, _, error) = await ValidateAsync(RSpec);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error, Does.Match(@"request\.xml:7:\d+: interface 'b:if0' of node 'b': 10\.0\.0\.2 is outside 198\.18\.0\.0/15"));
    }

    private async Task<(int Exit, string Output, string Error)> ValidateAsync(string rspec)
    {
        var path = Path.Combine(_folder, "request.xml");
        await File.WriteAllTextAsync(path, rspec);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await LabCommands.RunAsync(["validate", path], output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
