using System.Text.Json.Nodes;
using NetServ.Testbed.Linux;

namespace NetServ.Evaluation.Tests.SignalingLatency;

/// <summary>The signaling latency benchmark's --quick mode, end to end as root: a check that it runs and measures, not a measurement.</summary>
[TestFixture]
[NonParallelizable]
public sealed class SignalingLatencyQuickTests
{
    private static readonly string[] Operations = ["setup", "setup-refresh", "probe", "remove", "setup-b", "setup-refresh-b", "probe-b", "remove-b"];
    private string _output = null!;

    [SetUp]
    public void SetUp() => _output = Directory.CreateTempSubdirectory("netserv-eval-signaling-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_output, recursive: true);

    [Test]
    public async Task Quick_TimesEveryOperationThroughBothNodes_WritesTheResultFiles_AndLeavesNothingBehind()
    {
        RequiresRoot.CheckBenchmarks();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var console = TestConsole.Create();

        // The flood phase has a test of its own (SignalingFloodQuickTests).
        var exitCode = await EvaluationCli.RunAsync(["signaling", "--quick", "--flood-seconds", "0", "--output", _output], console, deadline.Token);

        Assert.That(exitCode, Is.Zero, "the quick run completes");
        var folder = Directory.GetDirectories(_output).Single();
        Assert.That(Path.GetFileName(folder), Does.Match(@"^\d{8}-\d{6}-signaling$"));
        foreach (var file in new[] { "results.json", "latency.csv", "summary.md", "latency.png" })
        {
            Assert.That(new FileInfo(Path.Combine(folder, file)), Has.Property(nameof(FileInfo.Length)).GreaterThan(100), file);
        }

        var results = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "results.json")))!.AsObject();
        var samples = results["samples"]!.AsArray().Select(s => s!.AsObject()).ToArray();
        var summary = results["summary"]!.AsArray().Select(s => s!.AsObject()).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(results["completed"]!.GetValue<bool>(), Is.True);
            Assert.That(results["trafficGenerator"]!["name"]!.GetValue<string>(), Is.EqualTo("none"), "signaling sends no data traffic");
            Assert.That(results["machine"]!["cores"]!.GetValue<int>(), Is.EqualTo(Environment.ProcessorCount));
            Assert.That(samples, Has.Length.EqualTo(3 * Operations.Length), "three rounds of four requests toward the user and four toward node B");
            Assert.That(samples.Select(s => s["nodeStatuses"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray()), Is.All.EqualTo(new[] { 200, 200 }), "both NetServ nodes answered every request");
            Assert.That(summary.Select(s => s["operation"]!.GetValue<string>()), Is.EqualTo(Operations));
            foreach (var s in summary)
            {
                // Through veth on one machine a request takes more than 0.1 ms and, with both nodes up, well under 10 s.
                Assert.That(s["medianMs"]!.GetValue<double>(), Is.InRange(0.1, 10_000), s["operation"]!.GetValue<string>());
                Assert.That(s["minMs"]!.GetValue<double>(), Is.LessThanOrEqualTo(s["medianMs"]!.GetValue<double>()));
                Assert.That(s["maxMs"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(s["medianMs"]!.GetValue<double>()));
                Assert.That(s["warmRounds"]!.GetValue<int>(), Is.EqualTo(2));
            }

            Assert.That(File.ReadAllText(Path.Combine(folder, "summary.md")), Does.Contain("SETUP until active on both nodes").And.Contain("Traffic generator: none"));
            double Median(string operation) => summary.Single(s => s["operation"]!.GetValue<string>() == operation)["medianMs"]!.GetValue<double>();
            var signaling = new NetServ.Testbed.Nodes.NetServNodeOptions().Node.Signaling;
            var queryWait = Enumerable.Range(0, signaling.QueryRetries + 1).Sum(i => signaling.QueryTimeoutMs << i);
            Assert.That(Median("probe"), Is.LessThan(queryWait), "B reaches the user without a router: it answers without waiting out an unanswered Query");
            var created = results["namespaces"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
            Assert.That(created, Has.Length.EqualTo(5), "provider, a, plain, b, user");
            Assert.That(NetworkNamespace.List().Intersect(created), Is.Empty, "the run's namespaces are gone");
        });
    }
}
