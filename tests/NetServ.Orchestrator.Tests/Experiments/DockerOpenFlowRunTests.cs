using System.Text.Json.Nodes;
using NetServ.Testbed.Docker;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;
using NetServ.TestSupport.Docker;
using NetServ.TestSupport.OpenFlow;

namespace NetServ.Orchestrator.Tests.Experiments;

/// <summary>
/// <c>netserv-lab run rspecs/openflow.rspec.xml --testbed docker</c> against a real dockerd and Open vSwitch: the switch node's
/// container holds the Open vSwitch, the controller module goes into ns1's netservd through <c>netserv admin</c> over SSH, and
/// signaling through the switch installs the user's module on both NetServ nodes, as on the local testbed.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DockerOpenFlowRunTests
{
    private DockerEngine? _engine;
    private string _results = null!;

    [OneTimeSetUp]
    public async Task ConnectEngine()
    {
        TestSwitch.RequireForTestbed();
        _engine = await RequiresNodeImage.ConnectAsync("Docker OpenFlow run tests");
    }

    [OneTimeTearDown]
    public void StopEngine() => _engine?.Dispose();

    [SetUp]
    public void CreateResultsFolder() => _results = Directory.CreateTempSubdirectory("netserv-lab-docker-of-").FullName;

    [TearDown]
    public void RemoveResultsFolder() => Directory.Delete(_results, recursive: true);

    [Test]
    public async Task Run_OpenFlowRSpecOnDocker_SignalingThroughTheSwitchInstallsTheModuleOnBothNodes_WhichTogetherSeeEveryPacket()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await LabCommands.RunAsync(
            ["run", Path.Combine(BuildOutputs.RepositoryRoot, "rspecs", "openflow.rspec.xml"), "--testbed", "docker", "--image", DockerTestbedOptions.NodeImage,
             "--module", "NetMonitor", "--from", "sender", "--toward", "receiver", "--filter", "udp/5060", "--packets", "100", "--rate", "200",
             "--results", _results, "--json"],
            output,
            error);

        var text = output + error.ToString();
        var summary = JsonNode.Parse(output.ToString()) as JsonObject ?? throw new AssertionException($"not JSON: {text}");
        var id = summary["testbed"]!.GetValue<string>();
        var module = summary["modules"]!.AsArray().Single()!;
        Assert.Multiple(async () =>
        {
            Assert.That(exit, Is.Zero, text);
            Assert.That(summary["phases"]!.AsArray().Select(p => $"{p!["phase"]} {p["outcome"]}"), Is.EqualTo(new[] { "reserve ok", "deploy ok", "configure ok", "run ok", "collect ok", "release ok" }), text);
            Assert.That(summary["user"]!["allowedPorts"]!.GetValue<string>(), Is.EqualTo("6653"), "the controller's port, from the switch's set-controller");
            Assert.That(module["installedOn"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EquivalentTo(new[] { "ns1", "ns2" }), "both nodes answered the SETUP with 200 OK");
            Assert.That(summary["traffic"]!["received"]!.GetValue<long>(), Is.EqualTo(100));
            Assert.That(module["counts"]!.AsArray().Sum(c => c!["packets"]!.GetValue<long>()), Is.EqualTo(100), "every packet went through one of the nodes");
            Assert.That(summary["services"]!.AsArray().Select(s => s!["replacedByDeploy"]!.GetValue<bool>()), Is.All.True, "netservd and the switch are made here, not by the services");
            Assert.That(summary["leftovers"]!.AsArray(), Is.Empty);
            Assert.That(await DockerTestbed.ListContainersAsync(_engine!.Client, id, CancellationToken.None), Is.Empty, "no container");
            Assert.That(NetworkNamespace.List($"{NetworkNamespace.NamePrefix}{id}-"), Is.Empty, "no namespace");
        });
    }
}
