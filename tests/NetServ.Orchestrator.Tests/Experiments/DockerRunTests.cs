using System.Text.Json.Nodes;
using NetServ.Testbed.Docker;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;
using NetServ.TestSupport.Docker;

namespace NetServ.Orchestrator.Tests.Experiments;

/// <summary>
/// <c>netserv-lab quickstart|run --testbed docker</c> against a real dockerd (the machine's, or the lab's own, started for the
/// fixture and stopped after it) and the node image ./lab image builds: the same phases as on the local testbed, every node
/// reached over SSH only.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DockerRunTests
{
    private DockerEngine? _engine;
    private string _results = null!;

    [OneTimeSetUp]
    public async Task ConnectEngine() => _engine = await RequiresNodeImage.ConnectAsync("Docker run tests");

    [OneTimeTearDown]
    public void StopEngine() => _engine?.Dispose();

    [SetUp]
    public void CreateResultsFolder() => _results = Directory.CreateTempSubdirectory("netserv-lab-docker-").FullName;

    [TearDown]
    public void RemoveResultsFolder() => Directory.Delete(_results, recursive: true);

    [Test]
    public async Task Quickstart_DockerTestbed_InstallsNetMonitorOverSsh_CountsEveryPacketAndLeavesNothing()
    {
        using var output = new StringWriter();

        var exit = await LabCommands.RunAsync(["quickstart", "--testbed", "docker", "--json", "--packets", "2000", "--rate", "1000"], output);

        var summary = JsonNode.Parse(output.ToString())!.AsObject();
        var id = summary["testbed"]!.GetValue<string>();
        var module = summary["modules"]!.AsArray().Single()!;
        var router = module["counts"]!.AsArray().Single(c => c!["node"]!.GetValue<string>() == "router")!;
        var nodes = summary["nodes"]!.AsArray();
        Assert.Multiple(async () =>
        {
            Assert.That(exit, Is.Zero, output.ToString());
            Assert.That(summary["checks"]!.AsArray().Select(c => c!["passed"]!.GetValue<bool>()), Is.All.True, output.ToString());
            Assert.That(nodes.Select(n => n!["where"]!.GetValue<string>()), Is.All.Match($"^netserv-{id}-[a-z]+ \\(SSH 198\\.19\\."), "every node is a container reached over SSH");
            Assert.That(summary["traffic"]!["received"]!.GetValue<long>(), Is.EqualTo(2000));
            Assert.That(router["flows"]!.AsArray().Sum(f => f!["packets"]!.GetValue<long>()), Is.EqualTo(2000), "NetMonitor's PROBE on the router");
            Assert.That(summary["leftovers"]!.AsArray(), Is.Empty);
            Assert.That(await DockerTestbed.ListContainersAsync(_engine!.Client, id, CancellationToken.None), Is.Empty, "no container");
            Assert.That(NetworkNamespace.List($"{NetworkNamespace.NamePrefix}{id}-"), Is.Empty, "no namespace");
        });
    }

    [Test]
    public async Task Run_DockerTestbedRSpecNamesAnImageTheEngineLacks_ReserveFailsNamingTheKnownImagesAndNothingIsLeft()
    {
        using var output = new StringWriter();
        var before = await RequiresNodeImage.TestbedContainersAsync(_engine!);

        var exit = await LabCommands.RunAsync(
            ["run", Path.Combine(BuildOutputs.RepositoryRoot, "rspecs", "evaluation.rspec.xml"), "--testbed", "docker", "--netserv-nodes", "router", "--results", _results, "--json"], output);

        var summary = JsonNode.Parse(output.ToString())!.AsObject();
        var phases = summary["phases"]!.AsArray();
        Assert.Multiple(async () =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(phases[0]!["outcome"]!.GetValue<string>(), Is.EqualTo("failed"));
            Assert.That(phases[0]!["error"]!.GetValue<string>(), Does.Contain("UBUNTU22-64-STD").And.Contain(DockerTestbedOptions.NodeImage), "the image asked for and the images known");
            Assert.That(phases.Skip(1).Take(4).Select(p => p!["outcome"]!.GetValue<string>()), Is.All.EqualTo("skipped"));
            Assert.That(await RequiresNodeImage.TestbedContainersAsync(_engine!), Is.EquivalentTo(before));
        });
    }
}
