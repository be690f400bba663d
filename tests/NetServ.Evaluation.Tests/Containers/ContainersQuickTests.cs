using System.Text.Json.Nodes;
using NetServ.Evaluation.Containers;
using NetServ.Testbed.Linux;
using Spectre.Console;

namespace NetServ.Evaluation.Tests.Containers;

/// <summary>The container-count benchmark's --quick mode, end to end as root: a check that it runs and cleans up, not a measurement.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ContainersQuickTests
{
    private string _output = null!;

    [SetUp]
    public void SetUp() => _output = Directory.CreateTempSubdirectory("netserv-eval-containers-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_output, recursive: true);

    [Test]
    [CancelAfter(240_000)]
    public async Task Quick_MeasuresEveryCountAndWritesTheResults_AndLeavesNothingBehind(CancellationToken cancellationToken)
    {
        RequiresRoot.CheckBenchmarks();
        var backlogBefore = CommandRunner.RunChecked("sysctl", "-n", "net.core.netdev_max_backlog").StandardOutput.Trim();
        var chainBefore = CommandRunner.Run("iptables", ["-S", "NETSERV"], cancellationToken: cancellationToken).Succeeded;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(TestContext.Progress),
        });

        var exitCode = await EvaluationCli.RunAsync(["containers", "--quick", "--output", _output], console, cancellationToken);

        Assert.That(exitCode, Is.Zero, "the quick run completes");
        var folder = Directory.GetDirectories(_output).Single();
        Assert.That(Path.GetFileName(folder), Does.Match(@"^\d{8}-\d{6}-containers$"));
        foreach (var file in new[] { "results.json", "containers.csv", "summary.md", "containers-throughput.png", "containers-memory.png", "containers-memory-total.png" })
        {
            Assert.That(new FileInfo(Path.Combine(folder, file)), Has.Property(nameof(FileInfo.Length)).GreaterThan(100), file);
        }

        var results = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "results.json"), cancellationToken))!.AsObject();
        var counts = results["counts"]!.AsArray().Select(c => c!.AsObject()).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(results["completed"]!.GetValue<bool>(), Is.True);
            Assert.That(results["trafficGenerator"]!["name"]!.GetValue<string>(), Is.EqualTo("paced"), "the default");
            Assert.That(results["machine"]!["cores"]!.GetValue<int>(), Is.EqualTo(Environment.ProcessorCount));
            Assert.That(results["machine"]!["sysctls"]!["net.core.netdev_max_backlog"]!["during"]!.GetValue<string>(), Is.EqualTo("10000"));
            Assert.That(counts.Select(c => c["containers"]!.GetValue<int>()), Is.EqualTo(new[] { 1, 3 }));
            foreach (var count in counts)
            {
                var n = count["containers"]!.GetValue<int>();
                Assert.That(count["complete"]!.GetValue<bool>(), Is.True, $"{n} containers: {count["error"]}");
                Assert.That(count["peak_kpps"]?.GetValue<double>(), Is.InRange(1.0, 5_000.0), $"{n} containers: peak");
                Assert.That(count["saturation_kpps"]?.GetValue<double>(), Is.InRange(1.0, 5_000.0), $"{n} containers: saturation");
                Assert.That(count["memory_mb_per_container"]?["mean"]?.GetValue<double>(), Is.InRange(1.0, 500.0), $"{n} containers: mean PSS");
                Assert.That(count["memory_mb_per_container"]?["max"]?.GetValue<double>(), Is.InRange(1.0, 500.0), $"{n} containers: largest PSS");
                var perContainer = count["per_container"]!.AsArray().Select(c => c!.AsObject()).ToArray();
                Assert.That(perContainer, Has.Length.EqualTo(n));
                Assert.That(perContainer.Select(c => c["netmonitor_packets"]?.GetValue<long>() ?? 0), Has.All.GreaterThan(0), $"{n} containers: every NetMonitor saw its share");
            }
        });

        var csv = await File.ReadAllLinesAsync(Path.Combine(folder, "containers.csv"), cancellationToken);
        Assert.That(csv, Has.Length.EqualTo(3), "a header and two counts");
        var summary = await File.ReadAllTextAsync(Path.Combine(folder, "summary.md"), cancellationToken);
        Assert.That(summary, Does.Contain("| containers | peak (MLFFR), kpps | saturation, kpps |").And.Contain("Memory target ≤ 20 MB per container"));

        // summary.json: one entry a count, under the names tools read, with the figures results.json holds.
        var figures = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "summary.json"), cancellationToken))!["containers"]!.AsArray().Select(c => c!.AsObject()).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(figures.Select(c => c["count"]!.GetValue<int>()), Is.EqualTo(new[] { 1, 3 }));
            for (var i = 0; i < figures.Length; i++)
            {
                Assert.That(figures[i]["peak_kpps"]!.GetValue<double>(), Is.EqualTo(counts[i]["peak_kpps"]!.GetValue<double>()).Within(0.05));
                Assert.That(figures[i]["saturation_kpps"]!.GetValue<double>(), Is.EqualTo(counts[i]["saturation_kpps"]!.GetValue<double>()).Within(0.05));
                Assert.That(figures[i]["memory_mb_per_container"]!.GetValue<double>(), Is.EqualTo(counts[i]["memory_mb_per_container"]!["mean"]!.GetValue<double>()).Within(0.005));
            }
        });

        var nodes = counts.Select(c => c["node"]!.GetValue<string>()).Distinct().ToArray();
        var ownNamespaces = results["namespaces"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(CommandRunner.RunChecked("sysctl", "-n", "net.core.netdev_max_backlog").StandardOutput.Trim(), Is.EqualTo(backlogBefore), "the sysctl is restored");
            Assert.That(ownNamespaces, Has.Length.EqualTo(3), "sender, router, receiver");
            Assert.That(NetworkNamespace.List().Intersect(ownNamespaces), Is.Empty, "no namespace of the run is left behind");
            // Other test runs may add and remove a chain of that name for a moment: one we left would stay.
            Assert.That(() => CommandRunner.Run("iptables", ["-S", "NETSERV"]).Succeeded, Is.EqualTo(chainBefore).After(5_000, 500), "no NETSERV chain is left in the machine's namespace");
            foreach (var node in nodes)
            {
                Assert.That(ProcessesMentioning($"netserv-node-{node}-"), Is.Empty, $"no netservd or container of node {node} is left running");
                Assert.That(CgroupDirectories(node).Where(Directory.Exists), Is.Empty, $"no cgroup of node {node} is left");
            }
        });
    }

    [Test]
    public async Task BadCount_ExitsWithUsageError()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(TestContext.Progress) });

        var exitCode = await EvaluationCli.RunAsync(["containers", "--counts", "1,101", "--output", _output], console);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(Directory.GetDirectories(_output), Is.Empty, "nothing is measured or written");
        });
    }

    [Test]
    public void QuickOptions_AreShortAndCoarse()
    {
        var quick = new ContainersOptions().Quick();

        Assert.Multiple(() =>
        {
            Assert.That(quick.Counts, Is.EqualTo(new[] { 1, 3 }));
            Assert.That(quick.IsQuick, Is.True);
            Assert.That(quick.Measurement.Repetitions, Is.EqualTo(1));
            Assert.That(quick.Measurement.TrialSeconds, Is.EqualTo(0.5));
            Assert.That(quick.Measurement.RelativeResolution, Is.GreaterThan(0.1));
            Assert.That(new ContainersOptions().Counts, Is.EqualTo(new[] { 1, 10, 25, 50, 100 }), "the paper's range by default");
        });
    }

    private static IEnumerable<string> ProcessesMentioning(string text)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (commandLine.Contains(text, StringComparison.Ordinal))
            {
                yield return $"{Path.GetFileName(directory)}: {commandLine}";
            }
        }
    }

    private static string[] CgroupDirectories(string node) =>
    [
        Path.Combine("/sys/fs/cgroup", "netserv", node),
        Path.Combine("/sys/fs/cgroup", "memory", "netserv", node),
        Path.Combine("/sys/fs/cgroup", "cpu", "netserv", node),
        Path.Combine("/sys/fs/cgroup", "cpu,cpuacct", "netserv", node),
    ];
}
