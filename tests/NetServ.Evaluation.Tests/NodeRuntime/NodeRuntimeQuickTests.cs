using System.Globalization;
using System.Text.Json.Nodes;
using NetServ.Testbed.Linux;

namespace NetServ.Evaluation.Tests.NodeRuntime;

/// <summary>The node-runtime benchmark's --quick mode, end to end as root: a check that the benchmark runs, not a measurement.</summary>
[TestFixture]
[NonParallelizable]
public sealed class NodeRuntimeQuickTests
{
    private string _output = null!;

    [SetUp]
    public void SetUp() => _output = Directory.CreateTempSubdirectory("netserv-eval-quick-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_output, recursive: true);

    [Test]
    public async Task Quick_WritesEveryResultFileWithPlausibleNumbers_AndLeavesNothingBehind()
    {
        RequiresRoot.CheckBenchmarks();
        var backlogBefore = CommandRunner.RunChecked("sysctl", "-n", "net.core.netdev_max_backlog").StandardOutput.Trim();
        var namespacesBefore = NetworkNamespace.List();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var console = TestConsole.Create();

        var exitCode = await EvaluationCli.RunAsync(["node-runtime", "--quick", "--generator", "paced", "--output", _output], console, deadline.Token);

        Assert.That(exitCode, Is.Zero, "the quick run completes");
        var folder = Directory.GetDirectories(_output).Single();
        Assert.That(Path.GetFileName(folder), Does.Match(@"^\d{8}-\d{6}-node-runtime$"));
        foreach (var file in new[] { "results.json", "mlffr.csv", "memory.csv", "trials.csv", "summary.md", "mlffr-64B.png", "mlffr-340B.png", "memory.png", "ratios.png" })
        {
            Assert.That(new FileInfo(Path.Combine(folder, file)), Has.Property(nameof(FileInfo.Length)).GreaterThan(100), file);
        }

        var results = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "results.json")))!.AsObject();
        var machine = results["machine"]!.AsObject();
        var mlffr = results["mlffr"]!.AsArray().Select(m => m!.AsObject()).ToArray();
        var memory = results["memory"]!["samples"]!.AsArray().Select(m => m!.AsObject()).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(results["completed"]!.GetValue<bool>(), Is.True);
            Assert.That(results["trafficGenerator"]!["name"]!.GetValue<string>(), Is.EqualTo("paced"), "the generator the trials were sent with");
            Assert.That(results["trafficGenerator"]!["asked"]!.GetValue<string>(), Is.EqualTo("paced"));
            Assert.That(results["trafficGenerator"]!["version"], Is.Null, "a version only for Click");
            Assert.That(machine["cores"]!.GetValue<int>(), Is.EqualTo(Environment.ProcessorCount));
            Assert.That(machine["kernel"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(machine["placement"]!["generatorCpu"], Is.Not.Null);
            Assert.That(machine["sysctls"]!["net.core.netdev_max_backlog"]!["during"]!.GetValue<string>(), Is.EqualTo("10000"));

            // Every configuration at both sizes (KeepAlive's SIP keep-alives fit only the 340-byte frames), each with a rate a router on any machine reaches.
            Assert.That(mlffr.Select(m => (m["configuration"]!.GetValue<string>(), m["sizeBytes"]!.GetValue<int>())), Is.EquivalentTo(
                new[] { "1", "2", "C", "3", "4", "5" }.SelectMany(c => new[] { (c, 64), (c, 340) }).Append(("6", 340))));
            foreach (var m in mlffr)
            {
                Assert.That(m["medianKpps"]!.GetValue<double>(), Is.InRange(1.0, 5_000.0), $"configuration {m["configuration"]} at {m["sizeBytes"]} B");
            }

            Assert.That(memory.Select(m => m["containers"]!.GetValue<int>()), Is.EquivalentTo(new[] { 1, 3 }));
            foreach (var m in memory)
            {
                Assert.That(m["succeeded"]!.GetValue<bool>(), Is.True, m["error"]?.ToString());
                Assert.That(m["pssMb"]!["mean"]!.GetValue<double>(), Is.InRange(1.0, 500.0), "PSS per container in MB");
            }
        });

        var csv = await File.ReadAllLinesAsync(Path.Combine(folder, "mlffr.csv"));
        Assert.That(csv, Has.Length.EqualTo(14), "a header, 6 configurations x 2 sizes and KeepAlive at 340 B");
        var summary = await File.ReadAllTextAsync(Path.Combine(folder, "summary.md"));
        Assert.That(summary, Does.Contain("Traffic generator: paced (--generator paced)."));
        Assert.That(summary, Does.Contain("(4) container / (C) C loop").And.Contain("(5) NetMonitor / (4) container").And.Contain("(6) KeepAlive / (5) NetMonitor"));

        // summary.json: the names tools read, this run's MLFFR in them, and no latency or containers section (not measured here).
        var figures = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "summary.json")))!.AsObject();
        var mlffrBySize = figures["mlffr_kpps"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(figures["machine"]!["cores"]!.GetValue<int>(), Is.EqualTo(Environment.ProcessorCount));
            Assert.That(figures["machine"]!["cpu_model"], Is.Not.Null);
            Assert.That(mlffrBySize.Select(p => p.Key), Is.EquivalentTo(new[] { "64", "340" }));
            Assert.That(mlffrBySize["340"]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "1", "2", "3", "4", "5", "6", "c_loop" }));
            Assert.That(mlffrBySize["340"]!["6"]!.GetValue<double>(), Is.EqualTo(mlffr.Single(m => m["configuration"]!.GetValue<string>() == "6")["medianKpps"]!.GetValue<double>()).Within(0.05));
            Assert.That(mlffrBySize["64"]!["6"], Is.Null, "not measured at 64 B");
            Assert.That(mlffrBySize["64"]!["c_loop"]!.GetValue<double>(), Is.GreaterThan(1.0));
            Assert.That(figures["latency_us"], Is.Null);
            Assert.That(figures["containers"], Is.Null);
            Assert.That(figures["trafficGenerator"]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "node-runtime" }));
            Assert.That(figures["trafficGenerator"]!["node-runtime"]!["name"]!.GetValue<string>(), Is.EqualTo("paced"));
            Assert.That(figures["ratios"]!["6_over_5"]!["340"]!.GetValue<double>(), Is.GreaterThan(0));

            // One repetition is one pair per ratio: a mean, no interval, and so no verdict either way.
            var paired = figures["ratio_intervals"]!["6_over_5"]!["340"]!;
            Assert.That(paired["pairs"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(paired["mean"]!.GetValue<double>(), Is.EqualTo(figures["ratios"]!["6_over_5"]!["340"]!.GetValue<double>()).Within(0.01));
            Assert.That(paired["ci95Low"], Is.Null);
            Assert.That(paired["verdict"]!.GetValue<string>(), Is.EqualTo("cannot_decide"));
            Assert.That(figures["ratio_intervals"]!["4_over_c_loop"]!["64"]!["pairs"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(results["ratios"]!["5/4"]!["bySize"]!["64"]!["paired"]!["pairs"]!.GetValue<int>(), Is.EqualTo(1));
        });

        // Searched in the paired order: (C) right before (4), (4) before (5), (5) before (6).
        var order = results["searches"]!.AsArray().Select(s => s!["configuration"]!.GetValue<string>()).Distinct().ToArray();
        Assert.That(order, Is.EqualTo(new[] { "1", "2", "3", "C", "4", "5", "6" }));
        Assert.That(summary, Does.Contain("Ratios from paired searches, with 95 % confidence intervals").And.Contain("cannot decide (fewer than 2 pairs)"));

        Assert.Multiple(() =>
        {
            Assert.That(CommandRunner.RunChecked("sysctl", "-n", "net.core.netdev_max_backlog").StandardOutput.Trim(), Is.EqualTo(backlogBefore), "the sysctl is restored");
            Assert.That(OwnNamespaces.LeftSince(namespacesBefore), Is.Empty, "no namespace of this run is left behind");
        });
    }

    [Test]
    public async Task BadOption_ExitsWithUsageError()
    {
        var console = TestConsole.Create();

        var exitCode = await EvaluationCli.RunAsync(["node-runtime", "--sizes", "12", "--output", _output], console);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(Directory.GetDirectories(_output), Is.Empty, "nothing is measured or written");
        });
    }

    [Test]
    public void QuickOptions_AreShortAndCoarse()
    {
        var quick = new NetServ.Evaluation.NodeRuntime.NodeRuntimeOptions().Quick();

        Assert.Multiple(() =>
        {
            Assert.That(quick.Repetitions, Is.EqualTo(1));
            Assert.That(quick.TrialSeconds, Is.EqualTo(0.5));
            Assert.That(quick.ContainerCounts, Is.EqualTo(new[] { 1, 3 }));
            Assert.That(quick.RelativeResolution, Is.GreaterThan(0.1));
            Assert.That(string.Create(CultureInfo.InvariantCulture, $"{quick.Sizes[0]}"), Is.EqualTo("64"));
        });
    }
}
