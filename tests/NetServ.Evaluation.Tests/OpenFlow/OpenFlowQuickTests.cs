using System.Text.Json.Nodes;
using NetServ.Testbed.Linux;
using NetServ.Testbed.OpenFlow;
using Spectre.Console;

namespace NetServ.Evaluation.Tests.OpenFlow;

/// <summary>The openflow benchmark's --quick mode on a real Open vSwitch with real netservd nodes, as root: a check that it runs and its numbers are sane, not a measurement.</summary>
[TestFixture]
[NonParallelizable]
public sealed class OpenFlowQuickTests
{
    private string _output = null!;

    [SetUp]
    public void SetUp() => _output = Directory.CreateTempSubdirectory("netserv-eval-openflow-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_output, recursive: true);

    [Test]
    [CancelAfter(90_000)]
    public async Task Quick_MeasuresZeroOneAndTwoNodes_SteersThroughTheNodesModules_ControllerSeesOnlyFirstPackets_LeavesNothingBehind(CancellationToken cancellationToken)
    {
        RequiresRoot.Check([.. OvsSwitch.Tools, .. OvsSwitch.TestbedTools, "sysctl"]);
        if (OvsSwitch.Missing() is { } missing)
        {
            Assert.Ignore(missing);
        }

        var namespacesBefore = NetworkNamespace.List();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(TestContext.Progress),
        });

        var exitCode = await EvaluationCli.RunAsync(["openflow", "--quick", "--output", _output], console, cancellationToken);

        Assert.That(exitCode, Is.Zero, "the quick run completes");
        var folder = Directory.GetDirectories(_output).Single();
        Assert.That(Path.GetFileName(folder), Does.Match(@"^\d{8}-\d{6}-openflow$"));
        foreach (var file in new[] { "results.json", "mlffr.csv", "trials.csv", "summary.md", "mlffr.png" })
        {
            Assert.That(new FileInfo(Path.Combine(folder, file)), Has.Property(nameof(FileInfo.Length)).GreaterThan(100), file);
        }

        var results = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "results.json"), cancellationToken))!.AsObject();
        var configurations = results["configurations"]!.AsArray().Select(c => c!.AsObject()).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(results["completed"]!.GetValue<bool>(), Is.True);
            Assert.That(results["machine"]!["cores"]!.GetValue<int>(), Is.EqualTo(Environment.ProcessorCount));
            Assert.That(results["switch"]!["version"]!.GetValue<string>(), Does.Contain("Open vSwitch"));
            Assert.That(configurations.Select(c => c["nodes"]!.GetValue<int>()), Is.EqualTo(new[] { 0, 1, 2 }));
            foreach (var c in configurations)
            {
                var nodes = c["nodes"]!.GetValue<int>();
                var name = $"{nodes} nodes";

                // The quick search starts at 100 kpps: a working switch passes some rate of it, none passes more.
                Assert.That(c["mlffrKpps"]!.GetValue<double>(), Is.GreaterThan(0).And.LessThanOrEqualTo(100), $"{name}: MLFFR");
                Assert.That(c["ratioToZeroNodes"]!.GetValue<double>(), Is.GreaterThan(0), $"{name}: ratio");

                // Every flow's first packet visits the controller, later ones take the flows: a tiny share.
                Assert.That(c["controllerShare"]!.GetValue<double>(), Is.LessThan(0.01), $"{name}: controller share");
                Assert.That(c["searchPackets"]!["packetIns"]!.GetValue<long>(), Is.LessThanOrEqualTo(8), $"{name}: no PACKET_IN per packet during the searches");

                // With nodes every delivered packet of the searches went through one; without, none did.
                var nodeShare = c["nodePacketsPerDelivered"]!.GetValue<double>();
                Assert.That(nodeShare, nodes == 0 ? Is.LessThan(0.01) : Is.InRange(0.95, 1.05), $"{name}: packets through the nodes per packet delivered");
                Assert.That(c["steeredFlowsPerNode"]!.AsArray().Select(n => n!.GetValue<long>()), Has.Exactly(nodes).Items.And.All.GreaterThan(0), $"{name}: flows per node");

                // The packets really visited the NetMonitor module on each node, and none counted more than the switch sent it.
                var searchModulePackets = c["searchModulePacketsPerNode"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray();
                Assert.That(c["modulePacketsPerNode"]!.AsArray().Select(n => n!.GetValue<long>()), Has.Exactly(nodes).Items.And.All.GreaterThan(0), $"{name}: NetMonitor's packets per node");
                Assert.That(searchModulePackets, Has.Exactly(nodes).Items.And.All.GreaterThan(0), $"{name}: NetMonitor's packets per node in the searches");
                Assert.That(searchModulePackets.Sum(), Is.LessThanOrEqualTo(c["searchPackets"]!["toNodes"]!.GetValue<long>()), $"{name}: NetMonitor's packets in the searches, at most what reached the nodes");
            }

            Assert.That(configurations[0]["ratioToZeroNodes"]!.GetValue<double>(), Is.EqualTo(1));
        });

        var csv = await File.ReadAllLinesAsync(Path.Combine(folder, "mlffr.csv"), cancellationToken);
        Assert.That(csv, Has.Length.EqualTo(4), "a header and a row per configuration");
        var summary = await File.ReadAllTextAsync(Path.Combine(folder, "summary.md"), cancellationToken);
        Assert.That(summary, Does.Contain("OpenFlowController module in netservd on ns1").And.Contain("NetMonitor").And.Contain("| 2 nodes, flows spread by hash |").And.Contain("mlffr.png"));
        Assert.That(summary, Does.Not.Contain("forwarding namespaces"));
        Assert.That(OwnNamespaces.LeftSince(namespacesBefore), Is.Empty, "no namespace of this run is left behind");
    }

    [Test]
    public async Task NodesOutOfRange_ExitsWithUsageError()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(TestContext.Progress) });

        var exitCode = await EvaluationCli.RunAsync(["openflow", "--nodes", "0,3", "--output", _output], console);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(Directory.GetDirectories(_output), Is.Empty, "nothing is measured or written");
        });
    }
}
