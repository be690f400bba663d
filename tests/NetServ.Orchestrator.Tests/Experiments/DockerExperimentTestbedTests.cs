using System.Text.Json;
using NetServ.Contracts.Configuration;
using NetServ.Orchestrator.Experiments;

namespace NetServ.Orchestrator.Tests.Experiments;

/// <summary>What the runner writes into, and reads back from, a Docker testbed's nodes (no engine needed).</summary>
[TestFixture]
public sealed class DockerExperimentTestbedTests
{
    [Test]
    public void ImageConfiguration_PutsTheRunsNodeNameUserAndLogLevel_KeepsTheImagesFolders()
    {
        var node = new NodeConfiguration
        {
            NodeName = "router",
            Containers = { LogLevel = "Debug" },
            Users = [new UserConfiguration { Name = "demo", AllowedPrefixes = ["198.18.0.0/15"], PublicKey = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", AllowedPorts = [5070] }],
        };

        var file = JsonSerializer.Deserialize(DockerExperimentTestbed.ImageConfiguration(node), ConfigurationJsonContext.Default.NodeConfigurationFile)!;

        Assert.Multiple(() =>
        {
            Assert.That(file.NetServ.NodeName, Is.EqualTo("router"));
            Assert.That(file.NetServ.Users.Select(u => (u.Name, u.PublicKey, string.Join(',', u.AllowedPorts))), Is.EqualTo(new[] { ("demo", node.Users[0].PublicKey, "5070") }));
            Assert.That(file.NetServ.Containers.LogLevel, Is.EqualTo("Debug"));
            Assert.That(file.Logging!.LogLevel!["Default"], Is.EqualTo("Debug"));
            Assert.That((file.NetServ.AdminSocket, file.NetServ.StateDirectory, file.NetServ.Containers.Dotnet), Is.EqualTo(("/run/netserv/netservd.sock", "/var/lib/netserv", "/opt/netserv/dotnet/dotnet")), "the image's own folders");
        });
    }

    [Test]
    public void ModuleServerLine_TheServersFirstLine_GivesTheRootUrl()
    {
        var read = ModuleServerLine.TryRead("serving 1 module packages from /var/lib/netserv-lab/packages on http://198.18.0.1:40123/ (Ctrl-C stops)\n  http://...", out var root);

        Assert.That(read, Is.True);
        Assert.That(root, Is.EqualTo(new Uri("http://198.18.0.1:40123/")));
    }

    [TestCase("")]
    [TestCase("netserv: cannot listen on 198.18.0.1:0: Address not available")]
    [TestCase("serving 0 module packages from /x on ftp://198.18.0.1:21/ (Ctrl-C stops)")]
    public void ModuleServerLine_NoServingLine_IsNotRead(string printed) =>
        Assert.That(ModuleServerLine.TryRead(printed, out _), Is.False);
}
