using System.Text.Json.Nodes;
using NetServ.Testbed.Linux;

namespace NetServ.Evaluation.Tests.Hosting;

/// <summary>netserv-eval all: the benchmarks in one results folder, then its summary.json, summary.md and figures.</summary>
[TestFixture]
[NonParallelizable]
public sealed class EvaluationSuiteTests
{
    private string _output = null!;

    [SetUp]
    public void SetUp() => _output = Directory.CreateTempSubdirectory("netserv-eval-all-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_output, recursive: true);

    [Test]
    [CancelAfter(240_000)]
    public async Task AllQuick_RunsTheChosenBenchmarksInOneFolder_AndSumsThemUp(CancellationToken cancellationToken)
    {
        RequiresRoot.CheckBenchmarks();
        var namespacesBefore = NetworkNamespace.List();

        // Latency alone keeps the test short; node-runtime and containers have their own quick tests.
        var exitCode = await EvaluationCli.RunAsync(["all", "--quick", "--benchmarks", "latency", "--output", _output], TestConsole.Create(), cancellationToken);

        Assert.That(exitCode, Is.Zero, "the run completes");
        var folder = Directory.GetDirectories(_output).Single();
        Assert.That(Path.GetFileName(folder), Does.Match(@"^\d{8}-\d{6}-evaluation$"));
        var latencyFolder = Directory.GetDirectories(folder).Single();
        Assert.That(Path.GetFileName(latencyFolder), Does.Match(@"^\d{8}-\d{6}-latency$"), "the benchmark's own folder, inside the run's");
        Assert.That(new FileInfo(Path.Combine(folder, "figure-13-latency.png")), Has.Property(nameof(FileInfo.Length)).GreaterThan(1000), "Figure 13 beside the summary");

        var summary = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "summary.json"), cancellationToken))!.AsObject();
        var own = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(latencyFolder, "summary.json"), cancellationToken))!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(summary.Select(p => p.Key), Is.SupersetOf(new[] { "machine", "mlffr_kpps", "latency_us", "containers", "ratios", "runs" }));
            Assert.That(summary["machine"]!["kernel"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(summary["latency_us"]!.ToJsonString(), Is.EqualTo(own["latency_us"]!.ToJsonString()), "the run's figures are the benchmark's");
            Assert.That(summary["latency_us"]!["1"]!["median"]!.GetValue<double>(), Is.GreaterThan(0));
            Assert.That(summary["mlffr_kpps"], Is.Null, "node-runtime did not run");
            Assert.That(summary["runs"]!.AsArray().Select(r => r!["benchmark"]!.GetValue<string>()), Is.EqualTo(new[] { "latency" }));
            Assert.That(summary["runs"]![0]!["completed"]!.GetValue<bool>(), Is.True);
            Assert.That(summary["trafficGenerator"]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "latency" }), "one generator per benchmark that ran");
            Assert.That(summary["trafficGenerator"]!["latency"]!.ToJsonString(), Is.EqualTo(own["trafficGenerator"]!["latency"]!.ToJsonString()));
            Assert.That(summary["trafficGenerator"]!["latency"]!["name"]!.GetValue<string>(), Is.EqualTo("paced"));
        });

        var markdown = await File.ReadAllTextAsync(Path.Combine(folder, "summary.md"), cancellationToken);
        Assert.That(markdown, Does.Contain("traffic generator: paced (--generator paced)"));
        Assert.That(markdown, Does.Contain("## One-way latency per layer").And.Contain("![Figure 13: latency per layer](figure-13-latency.png)"));
        Assert.That(OwnNamespaces.LeftSince(namespacesBefore), Is.Empty, "no namespace of this run is left behind");
    }

    [Test]
    public async Task AllWithAnUnknownBenchmark_ExitsWithUsageError()
    {
        var exitCode = await EvaluationCli.RunAsync(["all", "--benchmarks", "latency,speed", "--output", _output], TestConsole.Create());

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(Directory.GetDirectories(_output), Is.Empty, "nothing is measured or written");
        });
    }
}
