using System.Text.Json.Nodes;
using NetServ.Evaluation.Latency;
using NetServ.Testbed.Linux;
using Spectre.Console;

namespace NetServ.Evaluation.Tests.Latency;

/// <summary>The latency benchmark's --quick mode, end to end as root: a check that it runs and its numbers are sane, not a measurement.</summary>
[TestFixture]
[NonParallelizable]
public sealed class LayerLatencyQuickTests
{
    private string _output = null!;

    [SetUp]
    public void SetUp() => _output = Directory.CreateTempSubdirectory("netserv-eval-latency-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_output, recursive: true);

    [Test]
    public async Task Quick_MeasuresEveryLayerWithSaneLatencies_AndLeavesNothingBehind()
    {
        RequiresRoot.CheckBenchmarks();
        var namespacesBefore = NetworkNamespace.List();

        // Stopping the run at the deadline still cleans up; the test then fails on the exit code.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var cancellationToken = deadline.Token;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(TestContext.Progress),
        });

        // auto: Click cannot send this benchmark's timestamped packets, so the paced sender does, and the results say why.
        var exitCode = await EvaluationCli.RunAsync(["latency", "--quick", "--generator", "auto", "--output", _output], console, cancellationToken);

        Assert.That(exitCode, Is.Zero, "the quick run completes");
        var folder = Directory.GetDirectories(_output).Single();
        Assert.That(Path.GetFileName(folder), Does.Match(@"^\d{8}-\d{6}-latency$"));
        foreach (var file in new[] { "results.json", "latency.csv", "summary.md", "latency.png", "raw/samples.csv" })
        {
            Assert.That(new FileInfo(Path.Combine(folder, file)), Has.Property(nameof(FileInfo.Length)).GreaterThan(100), file);
        }

        var results = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "results.json"), cancellationToken))!.AsObject();
        var layers = results["layers"]!.AsArray().Select(l => l!.AsObject()).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(results["completed"]!.GetValue<bool>(), Is.True);
            Assert.That(results["trafficGenerator"]!["name"]!.GetValue<string>(), Is.EqualTo("paced"));
            Assert.That(results["trafficGenerator"]!["asked"]!.GetValue<string>(), Is.EqualTo("auto"));
            Assert.That(results["trafficGenerator"]!["note"]!.GetValue<string>(), Does.Contain("send time"), "why auto did not pick Click");
            Assert.That(results["machine"]!["cores"]!.GetValue<int>(), Is.EqualTo(Environment.ProcessorCount));
            Assert.That(results["options"]!["packetsPerConfiguration"]!.GetValue<int>(), Is.EqualTo(300));
            Assert.That(layers.Select(l => l["configuration"]!.GetValue<string>()), Is.EqualTo(LayerLatencyOptions.DefaultConfigurations));
            foreach (var layer in layers)
            {
                var name = $"configuration {layer["configuration"]}";
                Assert.That(layer["sent"]!.GetValue<int>(), Is.EqualTo(300), name);
                Assert.That(layer["received"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(285), $"{name}: at least 95 % of the packets arrive");
                Assert.That(layer["latencyUs"]!["min"]!.GetValue<double>(), Is.GreaterThan(0), $"{name}: latencies are positive");
                Assert.That(layer["latencyUs"]!["max"]!.GetValue<double>(), Is.LessThan(1_000_000), $"{name}: latencies are below a second");
                Assert.That(layer["receiver"]!["untimestamped"]!.GetValue<int>(), Is.Zero, $"{name}: every packet has a kernel timestamp");
            }

            foreach (var queued in layers.Where(l => l["configuration"]!.GetValue<string>() is "C" or "4" or "5" or "6"))
            {
                Assert.That(queued["queue"]!["matched"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(300), $"configuration {queued["configuration"]}: the packets went through the queue");
            }

            // KeepAlive took every measured packet for a keep-alive: the stamp rides in the NOTIFY's body.
            var keepAlive = layers.Single(l => l["configuration"]!.GetValue<string>() == "6")["router"]!["keepAliveStatus"]!;
            Assert.That(keepAlive["matched"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(300), "keep-alives matched");
            Assert.That(keepAlive["replied"]!.GetValue<long>(), Is.Zero, "address swapping disabled: nothing sent");
        });

        var summary = await File.ReadAllTextAsync(Path.Combine(folder, "summary.md"), cancellationToken);
        Assert.That(summary, Does.Contain("| (5) NetMonitor |").And.Contain("(6) KeepAlive, address swapping disabled, added vs (2) unprocessed").And.Contain("92 µs"));
        var figures = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "summary.json"), cancellationToken))!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(figures["latency_us"]!["6"]!["median"]!.GetValue<double>(), Is.EqualTo(layers.Single(l => l["configuration"]!.GetValue<string>() == "6")["latencyUs"]!["median"]!.GetValue<double>()).Within(0.05));
            Assert.That(figures["latency_us"]!["c_loop"]!["p99"]!.GetValue<double>(), Is.GreaterThan(0));
            Assert.That(figures["latency_us"]!["3"], Is.Null, "not measured");
            Assert.That(figures["ratios"]!["module_path_added_us"], Is.Not.Null);
            Assert.That(figures["mlffr_kpps"], Is.Null);
        });
        Assert.That(OwnNamespaces.LeftSince(namespacesBefore), Is.Empty, "no namespace of this run is left behind");
    }

    [Test]
    public async Task BadOption_ExitsWithUsageError()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(TestContext.Progress) });

        var exitCode = await EvaluationCli.RunAsync(["latency", "--configurations", "1,7", "--output", _output], console);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(Directory.GetDirectories(_output), Is.Empty, "nothing is measured or written");
        });
    }

    [Test]
    public void QuickOptions_Send300PacketsPerConfigurationAtTheDefaultRate()
    {
        var quick = new LayerLatencyOptions().Quick();

        Assert.Multiple(() =>
        {
            Assert.That(quick.Rate, Is.EqualTo(1_000));
            Assert.That(quick.Packets, Is.EqualTo(300));
            Assert.That(quick.WarmupSeconds, Is.LessThan(1));
            Assert.That(quick.PayloadBytes, Is.EqualTo(340 - 4 - 14 - 28));
        });
    }
}
