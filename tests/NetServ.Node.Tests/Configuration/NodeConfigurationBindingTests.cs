using System.Text.Json;
using Microsoft.Extensions.Configuration;
using NetServ.Contracts.Configuration;
using NetServ.Node.Configuration;

namespace NetServ.Node.Tests.Configuration;

/// <summary>The configuration file another program writes (the testbed's, from the contract) is what netservd binds.</summary>
[TestFixture]
public sealed class NodeConfigurationBindingTests
{
    [Test]
    public void Bind_FileWrittenFromTheContract_SetsEveryOptionItNames()
    {
        // Every setting differs from netservd's default, so one the binder does not find stays at its default and fails.
        var file = new NodeConfigurationFile
        {
            Logging = new LoggingConfiguration { LogLevel = new Dictionary<string, string> { ["Default"] = "Debug" } },
            NetServ = new NodeConfiguration
            {
                NodeName = "router-7",
                AdminSocket = "/tmp/n/run/netservd.sock",
                RuntimeDirectory = "/tmp/n/run",
                StateDirectory = "/tmp/n/state",
                DefaultTtlSeconds = 60,
                Containers = new ContainerConfiguration
                {
                    HangTimeoutMs = 250,
                    QueueBase = 300,
                    NoModuleLayer = true,
                    ReaderCpu = 1,
                    BatchSize = 16,
                    LogLevel = "Warning",
                    Environment = new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" },
                },
                Signaling = new SignalingConfiguration
                {
                    Enabled = false,
                    QueryTimeoutMs = 123,
                    QueryRetries = 4,
                    QueryMaxTimeoutMs = 9000,
                    RetransmitInitialMs = 111,
                    RetransmitMaxMs = 2222,
                    RouterAlertValue = 42,
                },
                ReverseRoutability = new ReverseRoutabilityConfiguration { Enabled = true, Port = 8080 },
                Users = [new UserConfiguration { Name = "alice", AllowedPrefixes = ["198.19.0.0/24"], AllowedPorts = [8443], MemoryLimitMb = 64, CpuLimit = 0.5, PublicKey = "PEM" }],
            },
        };

        var options = Bind(file);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((options.NodeName, options.AdminSocket, options.RuntimeDirectory, options.StateDirectory, options.DefaultTtlSeconds), Is.EqualTo(("router-7", "/tmp/n/run/netservd.sock", "/tmp/n/run", "/tmp/n/state", 60)));
            var c = options.Containers;
            Assert.That((c.HangTimeoutMs, c.QueueBase, c.NoModuleLayer, c.ReaderCpu, c.BatchSize, c.LogLevel), Is.EqualTo((250, 300, true, (int?)1, 16, "Warning")));
            Assert.That(c.Environment, Is.EqualTo(new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" }));
            var s = options.Signaling;
            Assert.That((s.Enabled, s.QueryTimeoutMs, s.QueryRetries, s.QueryMaxTimeoutMs, s.RetransmitInitialMs, s.RetransmitMaxMs, s.RouterAlertValue), Is.EqualTo((false, 123, 4, 9000, 111, 2222, 42)));
            Assert.That((options.ReverseRoutability.Enabled, options.ReverseRoutability.Port), Is.EqualTo((true, 8080)));
            var alice = options.Users.Single();
            Assert.That((alice.Name, alice.MemoryLimitMb, alice.CpuLimit, alice.PublicKey), Is.EqualTo(("alice", 64, 0.5, "PEM")));
            Assert.That(alice.AllowedPrefixes, Is.EqualTo(new[] { "198.19.0.0/24" }));
            Assert.That(alice.AllowedPorts, Is.EqualTo(new[] { 8443 }));
        }
    }

    [Test]
    public void Bind_FileWithOnlyAUser_KeepsNetServdsDefaults()
    {
        var options = Bind(new NodeConfigurationFile { NetServ = new NodeConfiguration { NodeName = "n", Users = [new UserConfiguration { Name = "bob", AllowedPrefixes = ["198.19.0.0/24"] }] } });

        var defaults = new NetServOptions();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Forwarding.Hooks, Is.EqualTo(defaults.Forwarding.Hooks), "a list left out keeps its default, not a doubled one");
            Assert.That(options.Containers.QueueBase, Is.EqualTo(defaults.Containers.QueueBase));
            Assert.That(options.Users.Single().MemoryLimitMb, Is.EqualTo(256));
            Assert.That(NetServOptionsValidator.Validate(options), Is.Empty);
        }
    }

    private static NetServOptions Bind(NodeConfigurationFile file)
    {
        using var json = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(file, ConfigurationJsonContext.Default.NodeConfigurationFile));
        var configuration = new ConfigurationBuilder().AddJsonStream(json).Build();
        var options = new NetServOptions();
        configuration.GetSection(NetServOptions.SectionName).Bind(options);
        return options;
    }
}
