using System.Text.Json.Nodes;
using NetServ.Testbed.Linux;

namespace NetServ.Orchestrator.Tests.Quickstart;

[TestFixture]
[NonParallelizable]
public sealed class QuickstartTests
{
    [Test]
    public async Task Quickstart_ForwardsCountsAndRemovesNetMonitor_AndTearsEverythingDown()
    {
        RequiresRoot.Check();
        var before = NetworkNamespace.List();
        using var output = new StringWriter();

        var exit = await LabCommands.RunAsync(["quickstart", "--json", "--packets", "500", "--rate", "1000"], output);

        var summary = JsonNode.Parse(output.ToString())!.AsObject();
        var counts = summary["counts"]!.AsArray().OfType<JsonObject>().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, output.ToString());
            Assert.That(summary["succeeded"]!.GetValue<bool>(), Is.True);
            Assert.That(summary["packetsReceived"]!.GetValue<long>(), Is.EqualTo(500));
            Assert.That(counts, Has.Length.EqualTo(1));
            Assert.That(counts[0]["source"]!.GetValue<string>(), Is.EqualTo("198.18.0.1"));
            Assert.That(counts[0]["packets"]!.GetValue<long>(), Is.EqualTo(500));
            Assert.That(summary["rulesWhileInstalled"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(summary["rulesAfterRemove"]!.AsArray(), Is.Empty);
            Assert.That(summary["visualizerReports"]!.GetValue<int>(), Is.GreaterThan(0));
            Assert.That(NetworkNamespace.List(), Is.EquivalentTo(before), "the testbed is torn down");
        });
    }

    [TestCase("--packets", "0")]
    [TestCase("--rate", "0")]
    public async Task Quickstart_WithBadArguments_ExitsWithTwoBeforeBuildingAnything(string option, string value)
    {
        var before = NetworkNamespace.List();
        using var output = new StringWriter();

        var exit = await LabCommands.RunAsync(["quickstart", option, value], output);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(NetworkNamespace.List(), Is.EquivalentTo(before));
    }
}
