using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetServ.Contracts.Configuration;
using NetServ.Node.Configuration;
using NetServ.Testbed.Nodes;

namespace NetServ.Node.Tests.Configuration;

/// <summary>netservd reads its configuration file into the contract's records, the ones the testbed writes.</summary>
[TestFixture]
public sealed class NodeConfigurationReaderTests
{
    private const string FileName = "/etc/netserv/netserv.json";

    [Test]
    public void TryParse_FileWrittenFromTheContract_ReadsEverySettingBack()
    {
        // Every setting differs from netservd's default, so one that does not travel comes back changed.
        var written = new NodeConfigurationFile
        {
            Logging = new LoggingConfiguration { LogLevel = new Dictionary<string, string> { ["Default"] = "Debug" } },
            NetServ = new NodeConfiguration
            {
                NodeName = "router-7",
                AdminSocket = "/tmp/n/run/netservd.sock",
                RuntimeDirectory = "/tmp/n/run",
                StateDirectory = "/tmp/n/state",
                DefaultTtlSeconds = 60,
                MaxTtlSeconds = 120,
                ModuleCache = { Directory = "/tmp/n/cache", MaxPackageBytes = 1024, DownloadTimeoutSeconds = 5 },
                Containers = { HangTimeoutMs = 250, QueueBase = 300, NoModuleLayer = true, ReaderCpu = 1, BatchSize = 16, LogLevel = "Warning", Landlock = "off", Environment = { ["DOTNET_gcServer"] = "0" }, Programs = [] },
                Forwarding = { Chain = "NS", Hooks = ["INPUT", "FORWARD"], QueueBypass = false },
                Signaling = { Enabled = false, QueryTimeoutMs = 123, QueryRetries = 4, QueryMaxTimeoutMs = 9000, RetransmitInitialMs = 111, RetransmitMaxMs = 2222, RouterAlertValue = 42 },
                ReverseRoutability = { Enabled = true, Port = 8080 },
                Users = [new UserConfiguration { Name = "alice", AllowedPrefixes = ["198.19.0.0/24"], AllowedPorts = [8443], MemoryLimitMb = 64, CpuLimit = 0.5, PublicKey = "PEM", Queue = 7 }],
            },
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(written, ConfigurationJsonContext.Default.NodeConfigurationFile);

        Assert.That(NodeConfigurationReader.TryParse(json, FileName, out var read, out var error), Is.True, error);

        var again = JsonSerializer.SerializeToNode(read, ConfigurationJsonContext.Default.NodeConfigurationFile);
        var defaults = JsonSerializer.SerializeToNode(new NodeConfigurationFile { NetServ = new() }, ConfigurationJsonContext.Default.NodeConfigurationFile);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(JsonNode.DeepEquals(again, JsonNode.Parse(json)), Is.True, again!.ToJsonString());
            Assert.That(JsonNode.DeepEquals(again, defaults), Is.False);
        }
    }

    [Test]
    public void TryParse_FileWithOnlyAUser_KeepsNetServdsDefaults()
    {
        var json = """{ "NetServ": { "NodeName": "n", "Users": [{ "Name": "bob", "AllowedPrefixes": ["198.19.0.0/24"] }] } }"""u8;

        Assert.That(NodeConfigurationReader.TryParse(json, FileName, out var file, out var error), Is.True, error);

        var defaults = new NodeConfiguration();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(file!.NetServ.Forwarding.Hooks, Is.EqualTo(defaults.Forwarding.Hooks), "a list left out keeps its default, not a doubled one");
            Assert.That(file.NetServ.Containers.QueueBase, Is.EqualTo(defaults.Containers.QueueBase));
            Assert.That(file.NetServ.Users.Single().MemoryLimitMb, Is.EqualTo(256));
            Assert.That(NodeConfigurationValidator.Validate(file.NetServ), Is.Empty);
        }
    }

    [Test]
    public void TryParse_HandWrittenWithOtherCaseCommentsAndTrailingCommas_ReadsItAsBefore()
    {
        var json = """
            {
              // Written by hand, as Microsoft.Extensions.Configuration read it.
              "netserv": {
                "nodeName": "edge-1",
                "containers": { "queueBase": 200, },
                "forwarding": { "hooks": ["INPUT"] },
                "users": [{ "name": "bob", "allowedPrefixes": ["198.18.2.0/24"] }],
              },
            }
            """u8;

        Assert.That(NodeConfigurationReader.TryParse(json, FileName, out var file, out var error), Is.True, error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((file!.NetServ.NodeName, file.NetServ.Containers.QueueBase), Is.EqualTo(("edge-1", 200)));
            Assert.That(file.NetServ.Forwarding.Hooks, Is.EqualTo(new[] { "INPUT" }));
            Assert.That(file.NetServ.Users.Single().AllowedPrefixes, Is.EqualTo(new[] { "198.18.2.0/24" }));
        }
    }

    [Test]
    public void TryParse_ReadmeExample_IsAValidConfiguration()
    {
        var readme = File.ReadAllText(Path.Combine(BuildOutputs.RepositoryRoot, "README.md"));
        var start = readme.IndexOf("```json", readme.IndexOf("### Configuration of netservd", StringComparison.Ordinal), StringComparison.Ordinal) + "```json".Length;
        var json = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)]
            .Replace("-----BEGIN PUBLIC KEY-----…", string.Empty, StringComparison.Ordinal); // a placeholder, not a key

        Assert.That(NodeConfigurationReader.TryParse(Encoding.UTF8.GetBytes(json), FileName, out var file, out var error), Is.True, error);
        Assert.That(NodeConfigurationValidator.Validate(file!.NetServ), Is.Empty);
    }

    [Test]
    public void TryParse_ValueOfTheWrongType_NamesTheFileLineAndField()
    {
        var json = """
            {
              "NetServ": {
                "Containers": { "QueueBase": "many" }
              }
            }
            """u8;

        Assert.That(NodeConfigurationReader.TryParse(json, FileName, out _, out var error), Is.False);
        Assert.That(error, Does.StartWith($"{FileName} line 3: NetServ:Containers:QueueBase: "));
    }

    [Test]
    public void TryParse_NullWhereASettingNeedsAValue_NamesTheField()
    {
        var json = """{ "NetServ": { "Users": [{ "Name": "bob", "AllowedPrefixes": null }] } }"""u8;

        Assert.That(NodeConfigurationReader.TryParse(json, FileName, out _, out var error), Is.False);
        Assert.That(error, Does.Contain(": NetServ:Users:0:AllowedPrefixes: "));
    }

    [Test]
    public void TryParse_NoNodeSection_SaysTheSectionIsMissing()
    {
        Assert.That(NodeConfigurationReader.TryParse("""{ "Logging": {} }"""u8, FileName, out _, out var error), Is.False);
        Assert.That(error, Does.StartWith(FileName).And.Contain("'NetServ'"));
    }

    [Test]
    public void TryParse_NotJson_NamesTheFile()
    {
        Assert.That(NodeConfigurationReader.TryParse("NetServ = 1"u8, FileName, out _, out var error), Is.False);
        Assert.That(error, Does.StartWith($"{FileName} line 1: "));
    }

    [Test]
    public void TryRead_MissingFile_NamesIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"netserv-missing-{Guid.NewGuid():N}.json");

        Assert.That(NodeConfigurationReader.TryRead(path, out _, out var error), Is.False);
        Assert.That(error, Does.StartWith(path));
    }

    [TestCase("$.NetServ.Users[0].Name", "NetServ:Users:0:Name")]
    [TestCase("$['NetServ']['NodeName']", "NetServ:NodeName")]
    [TestCase("$", "(the whole file)")]
    public void FieldOf_JsonPath_IsTheValidatorsNotation(string jsonPath, string field) =>
        Assert.That(NodeConfigurationReader.FieldOf(jsonPath), Is.EqualTo(field));
}
