using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NetServ.Signaling.Security;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;
using NetServ.Traffic;

namespace NetServ.Orchestrator.Tests.Experiments;

/// <summary><c>netserv-lab run</c> end to end on real namespaces: every phase, and release after a failure.</summary>
[TestFixture]
[NonParallelizable]
public sealed class RunCommandTests
{
    private static readonly string LabRSpec = Path.Combine(BuildOutputs.RepositoryRoot, "rspecs", "lab-netmonitor.rspec.xml");
    private static readonly string OpenFlowRSpec = Path.Combine(BuildOutputs.RepositoryRoot, "rspecs", "openflow.rspec.xml");
    private static readonly string MixedFour = Path.Combine(BuildOutputs.RepositoryRoot, "rspecs", "geni", "mixed-four-nodes.rspec.xml");
    private string _results = null!;

    [SetUp]
    public void CreateResultsFolder() => _results = Directory.CreateTempSubdirectory("netserv-lab-test-").FullName;

    [TearDown]
    public void RemoveResultsFolder() => Directory.Delete(_results, recursive: true);

    [Test]
    public async Task Run_ReportsEveryPhaseOk_InstallsTheModuleThroughSignaling_AndCountsExactly()
    {
        RequiresRoot.Check();

        var (exit, summary, output) = await RunAsync(
            "--module", "NetMonitor", "--from", "sender", "--toward", "receiver", "--filter", "udp/5060", "--packets", "300", "--rate", "1000");

        var module = summary["modules"]!.AsArray().Single()!;
        var router = module["counts"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, output);
            Assert.That(Phases(summary), Is.EqualTo(new[] { "reserve ok", "deploy ok", "configure ok", "run ok", "collect ok", "release ok" }));
            Assert.That(summary["phases"]!.AsArray().Select(p => p!["milliseconds"]!.GetValue<double>()), Is.All.GreaterThan(0));
            Assert.That(module["module"]!.GetValue<string>(), Is.EqualTo("NetServ.Apps.NetMonitor_1.0.0"));
            Assert.That(module["installedOn"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "router" }), "the router intercepted the SETUP");
            Assert.That(summary["traffic"]!["received"]!.GetValue<long>(), Is.EqualTo(300));
            Assert.That(summary["traffic"]!["generator"]!.GetValue<string>(), Is.EqualTo("paced"), "the generator that sent, recorded");
            Assert.That(summary["traffic"]!["generatorLimited"]!.GetValue<bool>(), Is.False);
            Assert.That(router["packets"]!.GetValue<long>(), Is.EqualTo(300), "the module saw each packet the receiver counted");
            Assert.That(module["removed"]!.GetValue<bool>(), Is.True);
            Assert.That(summary["services"]!.AsArray().Single()!["replacedByDeploy"]!.GetValue<bool>(), Is.True, "the rspec's /opt/netserv execute service was replaced by deploy");
            Assert.That(summary["leftovers"]!.AsArray(), Is.Empty);
            Assert.That(File.Exists(Path.Combine(_results, "summary.json")), Is.True);
            Assert.That(File.ReadAllText(Path.Combine(_results, "router.netservd.log")), Is.Not.Empty);
        });
        AssertNothingLeft(summary);
    }

    [Test]
    public async Task Run_OpenFlowRSpec_SignalingThroughTheSwitchInstallsTheModuleOnBothNodes_WhichTogetherSeeEveryPacket()
    {
        NetServ.TestSupport.OpenFlow.TestSwitch.RequireForTestbed();
        var (exit, summary, output) = await RunRSpecAsync(
            OpenFlowRSpec, "--module", "NetMonitor", "--from", "sender", "--toward", "receiver", "--filter", "udp/5060", "--packets", "100", "--rate", "200");

        var module = summary["modules"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, output);
            Assert.That(Phases(summary), Is.EqualTo(new[] { "reserve ok", "deploy ok", "configure ok", "run ok", "collect ok", "release ok" }));
            Assert.That(summary["user"]!["allowedPorts"]!.GetValue<string>(), Is.EqualTo("6653"), "the controller's port, from the switch's set-controller");
            Assert.That(module["installedOn"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EquivalentTo(new[] { "ns1", "ns2" }), "the switch steered the SETUP to ns1, then ns1's Query on to ns2");
            Assert.That(summary["traffic"]!["received"]!.GetValue<long>(), Is.EqualTo(100));
            Assert.That(module["counts"]!.AsArray().Sum(c => c!["packets"]!.GetValue<long>()), Is.EqualTo(100), "every packet went through one of the nodes, its flow's");
            Assert.That(summary["services"]!.AsArray().Select(s => s!["replacedByDeploy"]!.GetValue<bool>()), Is.All.True, "netservd and the switch are made here, not by the services");
            Assert.That(summary["leftovers"]!.AsArray(), Is.Empty);
        });
        AssertNothingLeft(summary);
    }

    [TestCase("NetMonitor", "--filter", "udp/5060", "none")]
    [TestCase("KeepAlive", "--filter", "udp/5060", "none")]
    [TestCase("OverloadControl", "--filter", "udp/5060", "--properties", "feedback-port=5070", "5070")]
    [TestCase("MediaRelay", "7070,30000-30099")]
    [TestCase("ActiveCdn", "--properties", "origin=http://198.18.0.1:8000", "8080")]
    public async Task Run_EachApplication_IsInstalledOnTheRouterWithThePortsItsPackageDeclares(string module, params string[] argumentsThenPorts)
    {
        RequiresRoot.Check();

        var (exit, summary, output) = await RunAsync(["--module", module, "--from", "sender", "--toward", "receiver", .. argumentsThenPorts[..^1]]);

        var installed = summary["modules"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, output);
            Assert.That(Phases(summary), Is.EqualTo(new[] { "reserve ok", "deploy ok", "configure ok", "run ok", "collect ok", "release ok" }));
            Assert.That(summary["user"]!["allowedPorts"]!.GetValue<string>(), Is.EqualTo(argumentsThenPorts[^1]));
            Assert.That(installed["installedOn"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "router" }), "the router answered the SETUP with 200 OK");
            Assert.That(installed["counts"]!.AsArray().Select(c => c!["node"]!.GetValue<string>()), Is.EqualTo(new[] { "router" }), "the router answered the PROBE");
            Assert.That(installed["removed"]!.GetValue<bool>(), Is.True);
        });
        AssertNothingLeft(summary);
    }

    [Test]
    public async Task Run_AllowPortsNone_TheRouterRefusesAModuleThatListensOnAPort()
    {
        RequiresRoot.Check();

        var (exit, summary, output) = await RunAsync(
            "--module", "OverloadControl", "--from", "sender", "--toward", "receiver", "--filter", "udp/5060", "--properties", "feedback-port=5070", "--allow-ports", "none");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1), output);
            Assert.That(Phases(summary), Does.Contain("configure failed"));
            Assert.That(summary["errors"]!.AsArray().Select(e => e!.GetValue<string>()), Has.Some.Contains("port 5070 is not allowed"));
        });
        AssertNothingLeft(summary);
    }

    [Test]
    public async Task Run_KeepsTheUserKeyInTheResultsFolder_OnlyItsOwnerReadsIt()
    {
        RequiresRoot.Check();

        var (exit, summary, output) = await RunAsync("--user", "itsp");

        var keyFile = Path.Combine(_results, "itsp.key");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, output);
            Assert.That(summary["user"]!["key"]!.GetValue<string>(), Is.EqualTo(keyFile));
            Assert.That(File.GetUnixFileMode(keyFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(UserPrivateKey.TryParse(File.ReadAllText(keyFile), out var key, out var error), Is.True, error);
            Assert.That(File.ReadAllText(keyFile + ".pub").Trim(), Is.EqualTo(key?.PublicKey.ToPem().Trim()));
            key?.Dispose();
        });
    }

    [Test]
    public async Task Run_Hold_KeepsTheTestbedUpUntilStopped_ThenRemovesTheModuleAndReleases()
    {
        RequiresRoot.Check();
        using var text = new StringWriter();
        var output = TextWriter.Synchronized(text);
        string Printed()
        {
            lock (output)
            {
                return text.ToString();
            }
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var run = LabCommands.RunAsync(["run", LabRSpec, "--results", _results, "--module", "NetMonitor", "--from", "sender", "--toward", "receiver", "--filter", "udp/5060", "--hold"], output, output, stop.Token);
        while (!Printed().Contains("holding", StringComparison.Ordinal) && !run.IsCompleted)
        {
            await Task.Delay(200);
        }

        var enter = Regex.Matches(Printed(), @"nsenter --net=/run/netns/(\S+) bash").Select(m => m.Groups[1].Value).ToArray();
        var upWhileHeld = enter.Length > 0 && enter.All(n => File.Exists($"/run/netns/{n}"));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var stillHeld = !run.IsCompleted;
        await stop.CancelAsync();
        var exit = await run;

        var summary = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(_results, "summary.json")))!;
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, Printed());
            Assert.That(enter, Has.Length.EqualTo(3), "a command to enter each of sender, router and receiver");
            Assert.That(upWhileHeld, Is.True, "the namespaces exist while the run holds");
            Assert.That(stillHeld, Is.True, "the run waits for the stop");
            Assert.That(Printed(), Does.Contain($"--key {Path.Combine(_results, "demo.key")}"));
            Assert.That(Phases(summary), Is.EqualTo(new[] { "reserve ok", "deploy ok", "configure ok", "run ok", "collect ok", "release ok" }));
            Assert.That(summary["modules"]!.AsArray().Single()!["removed"]!.GetValue<bool>(), Is.True, "release REMOVEd the module after the hold");
        });
        AssertNothingLeft(summary);
    }

    [Test]
    public async Task Run_WhenConfigureFails_SkipsTheRestReleasesAndLeavesNothing()
    {
        RequiresRoot.Check();

        var (exit, summary, output) = await RunAsync("--module", "NoSuchModule", "--from", "sender", "--toward", "receiver", "--packets", "100");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1), output);
            Assert.That(Phases(summary), Is.EqualTo(new[] { "reserve ok", "deploy ok", "configure failed", "run skipped", "collect skipped", "release ok" }));
            Assert.That(summary["errors"]!.AsArray().Select(e => e!.GetValue<string>()), Has.Some.Contains("unknown module 'NoSuchModule'"));
        });
        AssertNothingLeft(summary);
    }

    [Test]
    public async Task Run_WithAModuleButNoSender_ExitsWithTwoAndCreatesNothing()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await LabCommands.RunAsync(["run", LabRSpec, "--module", "NetMonitor", "--json"], output, error);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error.ToString(), Does.Contain("--module needs --from and --toward"));
        Assert.That(output.ToString(), Is.Empty);
    }

    [Test]
    public async Task Run_GeneratorClickOnASenderWithoutClick_FailsTheRunPhaseNamingTheNode()
    {
        RequiresRoot.Check();
        if (ClickInstallation.Detect(new LocalShell()) is { IsInstalled: true } click)
        {
            Assert.Ignore($"this machine has the Click modular router ({click.Executable} {click.Version}), so the testbed's sender has it too");
        }

        var (exit, summary, output) = await RunAsync("--traffic-from", "sender", "--traffic-to", "receiver", "--packets", "100", "--generator", "click");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1), output);
            Assert.That(Phases(summary), Does.Contain("run failed"));
            Assert.That(summary["errors"]!.AsArray().Select(e => e!.GetValue<string>()), Has.Some.Contains("--generator click: the sending node sender has no Click modular router"));
        });
        AssertNothingLeft(summary);
    }

    [Test]
    public async Task Run_GeneratorNeitherPacedClickNorAuto_IsRefusedBeforeAnythingIsCreated()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await LabCommands.RunAsync(["run", LabRSpec, "--generator", "trafgen", "--json"], output, error);

        // A parse error: the usage goes to the output, the error to the error stream, and no run starts (no summary).
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error.ToString(), Does.Contain("trafgen"));
        Assert.That(output.ToString(), Does.Not.Contain("\"phases\""));
    }

    [Test]
    public async Task Run_HoldWithJson_ExitsWithTwoAndCreatesNothing()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await LabCommands.RunAsync(["run", LabRSpec, "--hold", "--json"], output, error);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error.ToString(), Does.Contain("--hold is for interactive work"));
    }

    [Test]
    public async Task Run_GeniMixedFourRemapped_RunsTheRewrittenServicesAndKeepsTheAddressesInTheManifest()
    {
        RequiresRoot.Check("ping");

        var (exit, summary, output) = await RunRSpecAsync(MixedFour, "--remap-addresses");

        Assert.That(exit, Is.Zero, output);
        Assert.That(summary["addressMap"]!.AsArray().Select(m => m!.GetValue<string>()), Is.EqualTo(new[] { "10.10.1.0/24 -> 198.18.0.0/24" }));
        Assert.That(summary["assignedAddresses"]!.AsArray().Select(m => m!.GetValue<string>()), Has.Some.EqualTo("router:if1 (node router): 198.18.1.1/24"));
        Assert.That(summary["services"]!.AsArray().Select(s => s!["command"]!.GetValue<string>()), Has.Some.EqualTo("ping -c 1 -W 5 198.18.0.2"));
        var manifest = System.Xml.Linq.XDocument.Load(Path.Combine(_results, "manifest.rspec.xml"));
        Assert.That(manifest.Root!.Attribute("type")!.Value, Is.EqualTo("manifest"));
        Assert.That(manifest.Descendants().Where(e => e.Name.LocalName == "ip").Select(e => e.Attribute("address")!.Value), Is.EqualTo(new[]
        {
            "198.18.0.1", "198.18.0.2", "198.18.1.1", "198.18.1.2", "198.18.1.3",
        }));
        AssertNothingLeft(summary);
    }

    [Test]
    public async Task Run_GeniMixedFourWithoutRemapping_FailsReserveNamingTheOption()
    {
        RequiresRoot.Check();

        var (exit, summary, output) = await RunRSpecAsync(MixedFour);

        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(Phases(summary).First(), Is.EqualTo("reserve failed"));
        Assert.That(summary["errors"]!.AsArray().Select(e => e!.GetValue<string>()), Has.Some.Contains("--remap-addresses"));
    }

    private static IEnumerable<string> Phases(JsonObject summary) =>
        summary["phases"]!.AsArray().Select(p => $"{p!["phase"]} {p["outcome"]}");

    private static void AssertNothingLeft(JsonObject summary)
    {
        var id = summary["testbed"]!.GetValue<string>();
        Assert.That(NetworkNamespace.List($"ns-{id}-"), Is.Empty, "every namespace of the testbed is gone");
        foreach (var pid in summary["nodes"]!.AsArray().Select(n => n!["netservdPid"]?.GetValue<int>()).OfType<int>())
        {
            Assert.That(() => Process.GetProcessById(pid).HasExited, Throws.ArgumentException.Or.True, $"netservd {pid} is gone");
        }
    }

    private Task<(int Exit, JsonObject Summary, string Output)> RunAsync(params string[] arguments) => RunRSpecAsync(LabRSpec, arguments);

    private async Task<(int Exit, JsonObject Summary, string Output)> RunRSpecAsync(string rspec, params string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await LabCommands.RunAsync(["run", rspec, "--json", "--results", _results, .. arguments], output, error);
        var text = output + error.ToString();
        return (exit, JsonNode.Parse(output.ToString()) as JsonObject ?? throw new AssertionException($"not JSON: {text}"), text);
    }
}
