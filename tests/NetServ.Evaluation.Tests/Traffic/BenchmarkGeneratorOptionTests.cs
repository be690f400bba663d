using System.Text.Json.Nodes;

namespace NetServ.Evaluation.Tests.Traffic;

/// <summary><c>--generator paced|click|auto</c> on node-runtime, containers, latency and all.</summary>
[TestFixture]
[NonParallelizable]
public sealed class BenchmarkGeneratorOptionTests
{
    private string _output = null!;

    [SetUp]
    public void SetUp() => _output = Directory.CreateTempSubdirectory("netserv-eval-generator-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_output, recursive: true);

    [TestCase("node-runtime")]
    [TestCase("containers")]
    [TestCase("latency")]
    [TestCase("all")]
    public async Task Benchmark_GeneratorNeitherPacedClickNorAuto_IsRefusedBeforeAnythingRuns(string benchmark)
    {
        // The parser refuses the word (on standard error) before the command runs.
        var (exitCode, output) = await TestConsole.RunAsync([benchmark, "--generator", "trafgen", "--output", _output]);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Not.Zero, output);
            Assert.That(Directory.GetDirectories(_output), Is.Empty, "nothing is measured or written");
        });
    }

    [TestCase("latency", "the latency benchmark's packets carry their send time")]
    [TestCase("containers --counts 1,3", "the containers benchmark spreads every trial over several flows")]
    [TestCase("all --quick", "the latency benchmark")]
    public async Task Benchmark_GeneratorClickWhereClickCannotSend_ExitsWithTwoSayingWhyBeforeAnythingRuns(string command, string why)
    {
        var (exitCode, output) = await TestConsole.RunAsync([.. command.Split(' '), "--generator", "click", "--output", _output]);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2), output);
            Assert.That(output, Does.Contain($"--generator click: {why}"));
            Assert.That(Directory.GetDirectories(_output), Is.Empty, "nothing is measured or written");
        });
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task NodeRuntime_GeneratorClickWhereTheSenderHasNone_ExitsWithTwoNamingTheNodeAndRecordsTheFailure(CancellationToken cancellationToken)
    {
        RequiresRoot.CheckBenchmarks();
        using var noClick = ClickExecutable.Absent();

        var (exitCode, output) = await TestConsole.RunAsync(["node-runtime", "--quick", "--skip-memory", "--configurations", "1", "--sizes", "64", "--generator", "click", "--output", _output], cancellationToken);

        var results = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Directory.GetDirectories(_output).Single(), "results.json"), cancellationToken))!;
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2), output);
            Assert.That(output, Does.Contain("netserv-eval node-runtime --generator click:").And.Contain("Click modular router not installed on node ns-"));
            Assert.That(results["completed"]!.GetValue<bool>(), Is.False);
            Assert.That(results["stopReason"]!.GetValue<string>(), Does.Contain("Click modular router not installed on node ns-"));
            Assert.That(results["searches"]!.AsArray(), Is.Empty, "nothing was measured with another generator instead");
        });
    }

    [Test]
    [CancelAfter(300_000)]
    public async Task NodeRuntime_GeneratorClickWhereTheSenderHasIt_SendsTheTrialsWithClickAndRecordsItsVersion(CancellationToken cancellationToken)
    {
        RequiresRoot.CheckBenchmarks();
        var click = RequiresClick.Check();

        var (exitCode, output) = await TestConsole.RunAsync(["node-runtime", "--quick", "--skip-memory", "--configurations", "1", "--sizes", "64", "--generator", "click", "--output", _output], cancellationToken);

        var folder = Directory.GetDirectories(_output).Single();
        var results = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "results.json"), cancellationToken))!;
        var trials = results["searches"]!.AsArray().SelectMany(s => s!["trials"]!.AsArray()).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(results["trafficGenerator"]!["name"]!.GetValue<string>(), Is.EqualTo("click"));
            Assert.That(results["trafficGenerator"]!["version"]!.GetValue<string>(), Is.EqualTo(click.Version));
            Assert.That(trials, Is.Not.Empty);
            Assert.That(trials.Select(t => t!["details"]!.GetValue<string>()), Is.All.Contains("generator: click"), "every trial was Click's");
            Assert.That(File.ReadAllText(Path.Combine(folder, "summary.md")), Does.Contain($"Traffic generator: click {click.Version} (--generator click)."));
        });
    }
}
