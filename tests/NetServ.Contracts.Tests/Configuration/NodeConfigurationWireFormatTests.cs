using System.Text.Json;
using System.Text.Json.Nodes;
using NetServ.Contracts.Configuration;

namespace NetServ.Contracts.Tests.Configuration;

/// <summary>netservd's configuration file as the contract writes it: the options' own names, unset optional settings left out.</summary>
[TestFixture]
public sealed class NodeConfigurationWireFormatTests
{
    [Test]
    public void Serialize_Defaults_WritesEverySettingUnderTheNameNetServdReads()
    {
        var file = new NodeConfigurationFile
        {
            NetServ = new NodeConfiguration { NodeName = "router", Users = [new UserConfiguration { Name = "alice", AllowedPrefixes = ["198.19.0.0/24"] }] },
        };

        var written = JsonNode.Parse(JsonSerializer.Serialize(file, ConfigurationJsonContext.Default.NodeConfigurationFile));

        var expected = JsonNode.Parse("""
            {
              "NetServ": {
                "NodeName": "router",
                "AdminSocket": "/run/netserv/netservd.sock",
                "RuntimeDirectory": "/run/netserv",
                "StateDirectory": "/var/lib/netserv",
                "DefaultTtlSeconds": 3600,
                "MaxTtlSeconds": 86400,
                "ModuleCache": { "MaxPackageBytes": 67108864, "DownloadTimeoutSeconds": 30 },
                "Containers": {
                  "UidBase": 64200, "QueueBase": 100, "NoModuleLayer": false, "HangTimeoutMs": 1000, "BatchSize": 64,
                  "QueueMaxLength": 4096, "StartTimeoutSeconds": 30, "RequestTimeoutSeconds": 30, "MaxRestartsPerMinute": 5,
                  "Landlock": "optional", "LogLevel": "Information", "Environment": {}, "Programs": ["/usr/bin/ffmpeg", "/usr/bin/ffprobe"]
                },
                "Forwarding": { "Chain": "NETSERV", "Hooks": ["FORWARD"], "QueueBypass": true, "Iptables": "iptables" },
                "Signaling": {
                  "Enabled": true, "Port": 270, "Intercept": true, "Queue": 99, "QueryTimeoutMs": 300, "OnLinkEndsPath": true, "QueryRetries": 2,
                  "QueryMaxTimeoutMs": 60000, "RetransmitInitialMs": 500, "RetransmitMaxMs": 4000, "AnsweredRequestsKept": 10000,
                  "RoutingStateSeconds": 30, "RequestTimeoutSeconds": 30, "MaxDatagramBytes": 1400, "RouterAlertValue": 65503
                },
                "ReverseRoutability": { "Enabled": false, "Port": 80, "Path": "/.well-known/netserv-password", "TimeoutMs": 3000 },
                "Users": [{ "Name": "alice", "AllowedPrefixes": ["198.19.0.0/24"], "AllowedPorts": [], "MemoryLimitMb": 256, "CpuLimit": 1.0 }]
              }
            }
            """);
        Assert.That(JsonNode.DeepEquals(written, expected), Is.True, written!.ToJsonString());
    }

    [Test]
    public void Deserialize_HandWrittenConfiguration_ReadsWhatItSetsAndKeepsTheDefaults()
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
            Assert.That((file.NetServ.Containers.QueueBase, file.NetServ.Containers.NoModuleLayer, file.NetServ.Containers.HangTimeoutMs), Is.EqualTo((200, true, 1000)));
            Assert.That(file.NetServ.Signaling, Is.EqualTo(new SignalingConfiguration()), "a section left out keeps netservd's defaults");
            Assert.That(file.NetServ.Users.Single().Name, Is.EqualTo("bob"));
            Assert.That(file.NetServ.Users.Single().MemoryLimitMb, Is.EqualTo(128));
            Assert.That(file.NetServ.Users.Single().AllowedPrefixes, Is.EqualTo(new[] { "198.18.2.0/24" }));
        }
    }
}
