using System.Text.Json;
using System.Text.Json.Nodes;
using NetServ.Contracts.Configuration;

namespace NetServ.Contracts.Tests.Configuration;

/// <summary>netservd's configuration file as the contract writes it: the options' own names, unset settings left out.</summary>
[TestFixture]
public sealed class NodeConfigurationWireFormatTests
{
    [Test]
    public void Serialize_Configuration_WritesTheSectionsAndNamesNetServdBinds()
    {
        var file = new NodeConfigurationFile
        {
            Logging = new LoggingConfiguration { LogLevel = new Dictionary<string, string> { ["Default"] = "Information" } },
            NetServ = new NodeConfiguration
            {
                NodeName = "router",
                DefaultTtlSeconds = 3600,
                Containers = new ContainerConfiguration { HangTimeoutMs = 1000, ReaderCpu = null, Environment = new Dictionary<string, string>() },
                Signaling = new SignalingConfiguration { Enabled = true, RouterAlertValue = 65503 },
                ReverseRoutability = new ReverseRoutabilityConfiguration { Enabled = false, Port = 80 },
                Users = [new UserConfiguration { Name = "alice", AllowedPrefixes = ["198.19.0.0/24"], AllowedPorts = [8080], CpuLimit = 1.5 }],
            },
        };

        var written = JsonNode.Parse(JsonSerializer.Serialize(file, ConfigurationJsonContext.Default.NodeConfigurationFile));

        var expected = JsonNode.Parse("""
            {
              "Logging": { "LogLevel": { "Default": "Information" } },
              "NetServ": {
                "NodeName": "router",
                "DefaultTtlSeconds": 3600,
                "Containers": { "HangTimeoutMs": 1000, "Environment": {} },
                "Signaling": { "Enabled": true, "RouterAlertValue": 65503 },
                "ReverseRoutability": { "Enabled": false, "Port": 80 },
                "Users": [{ "Name": "alice", "AllowedPrefixes": ["198.19.0.0/24"], "AllowedPorts": [8080], "CpuLimit": 1.5 }]
              }
            }
            """);
        Assert.That(JsonNode.DeepEquals(written, expected), Is.True, written!.ToJsonString());
    }

    [Test]
    public void Deserialize_HandWrittenConfiguration_ReadsTheNodeSection()
    {
        const string handWritten = """
            {
              "NetServ": {
                "NodeName": "edge-1",
                "Containers": { "QueueBase": 200, "NoModuleLayer": true },
                "Users": [{ "Name": "bob", "AllowedPrefixes": ["198.18.2.0/24"], "MemoryLimitMb": 128, "PublicKey": "-----BEGIN PUBLIC KEY-----" }]
              }
            }
            """;

        var file = JsonSerializer.Deserialize(handWritten, ConfigurationJsonContext.Default.NodeConfigurationFile)!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(file.Logging, Is.Null);
            Assert.That(file.NetServ.NodeName, Is.EqualTo("edge-1"));
            Assert.That(file.NetServ.Containers, Is.EqualTo(new ContainerConfiguration { QueueBase = 200, NoModuleLayer = true }));
            Assert.That(file.NetServ.Signaling, Is.Null, "a section left out keeps netservd's defaults");
            Assert.That(file.NetServ.Users?.Single().Name, Is.EqualTo("bob"));
            Assert.That(file.NetServ.Users?.Single().MemoryLimitMb, Is.EqualTo(128));
            Assert.That(file.NetServ.Users?.Single().AllowedPrefixes, Is.EqualTo(new[] { "198.18.2.0/24" }));
        }
    }
}
