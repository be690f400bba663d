using System.Text.Json.Nodes;
using NetServ.Testbed.Linux;

namespace NetServ.Orchestrator.Tests.Quickstart;

[TestFixture]
[NonParallelizable]
public sealed class QuickstartTests
{
    [Test]
    public async Task Quickstart_InstallsNetMonitorThroughSignaling_CountsEveryPacket_AndReleasesEverything()
    {
        RequiresRoot.Check();
        using var output = new StringWriter();

        var exit = await LabCommands.RunAsync(["quickstart", "--json", "--packets", "500", "--rate", "1000"], output);

        var summary = JsonNode.Parse(output.ToString())!.AsObject();
        var module = summary["modules"]!.AsArray().Single()!;
        var router = module["counts"]!.AsArray().Single(c => c!["node"]!.GetValue<string>() == "router")!;
        var flows = router["flows"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, output.ToString());
            Assert.That(summary["succeeded"]!.GetValue<bool>(), Is.True);
            Assert.That(summary["checks"]!.AsArray().Select(c => c!["passed"]!.GetValue<bool>()), Is.All.True);
            Assert.That(module["installedOn"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "router" }));
            Assert.That(summary["traffic"]!["received"]!.GetValue<long>(), Is.EqualTo(500));
            Assert.That(flows.Select(f => f!["source"]!.GetValue<string>()), Is.EqualTo(new[] { "198.18.0.1" }));
            Assert.That(flows.Sum(f => f!["packets"]!.GetValue<long>()), Is.EqualTo(500));
            Assert.That(summary["rulesAfterRemove"]!["router"]!.GetValue<int>(), Is.Zero);
            Assert.That(NetworkNamespace.List($"ns-{summary["testbed"]}-"), Is.Empty, "the testbed is released");
        });
    }

    [TestCase("--packets", "0")]
    [TestCase("--rate", "0")]
    public async Task Quickstart_WithBadArguments_ExitsWithTwoBeforeBuildingAnything(string option, string value)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await LabCommands.RunAsync(["quickstart", option, value], output, error);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(output.ToString(), Does.Not.Contain("reserve"), "nothing was realised");
    }
}
