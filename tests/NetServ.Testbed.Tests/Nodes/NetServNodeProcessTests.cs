using System.Text.Json;
using NetServ.Contracts.Configuration;
using NetServ.Testbed.Nodes;

namespace NetServ.Testbed.Tests.Nodes;

/// <summary>The configuration file the testbed writes for netservd: the options' contract as it is, in the node's own folders.</summary>
[TestFixture]
public sealed class NetServNodeProcessTests
{
    [Test]
    public void CreateConfiguration_WritesTheOptionsConfiguration_WithTheNodesOwnFolders()
    {
        var options = new NetServNodeOptions
        {
            Node =
            {
                NodeName = "a-1",
                Signaling = { RouterAlertValue = 32704 },
                Containers = { LogLevel = "Warning", HangTimeoutMs = 5000 },
                Users = [new UserConfiguration { Name = "alice", AllowedPrefixes = ["198.19.0.0/24"], AllowedPorts = [8080] }],
            },
        };

        var file = JsonSerializer.Deserialize(NetServNodeProcess.CreateConfiguration(options, "/tmp/node-a"), ConfigurationJsonContext.Default.NodeConfigurationFile)!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Serialize(file.NetServ with { AdminSocket = "", RuntimeDirectory = "", StateDirectory = "" }), Is.EqualTo(Serialize(options.Node with { AdminSocket = "", RuntimeDirectory = "", StateDirectory = "" })), "every other setting as the options have it");
            Assert.That((file.NetServ.AdminSocket, file.NetServ.RuntimeDirectory, file.NetServ.StateDirectory), Is.EqualTo(("/tmp/node-a/run/netservd.sock", "/tmp/node-a/run", "/tmp/node-a/state")));
            Assert.That(file.Logging?.LogLevel?["Default"], Is.EqualTo("Warning"), "netservd logs at its containers' level");
            Assert.That(options.Node.StateDirectory, Is.EqualTo(new NodeConfiguration().StateDirectory), "the options are left as they were");
        }
    }

    // The records hold lists, which records compare by reference: the same JSON is the same configuration.
    private static string Serialize(NodeConfiguration node) =>
        JsonSerializer.Serialize(new NodeConfigurationFile { NetServ = node }, ConfigurationJsonContext.Default.NodeConfigurationFile);
}
