using System.Text.Json.Nodes;
using NetServ.Signaling.Nslp;
using NetServ.Testbed.Nodes;

namespace NetServ.Node.Tests.EndToEnd;

/// <summary>
/// On-path signaling across provider — A — plain router — B — user: the CLI's SETUP, PROBE,
/// REMOVE and TRIGGER act on both NetServ nodes, in path order, and on nothing else.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SignalingEndToEndTests
{
    private const string Module = "NetServ.Apps.NetMonitor_1.0.0";
    private SignalingPath _path = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        RequiresRoot.Check();
        _path = await SignalingPath.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_path is not null)
        {
            await _path.DisposeAsync();
        }
    }

    [TearDown]
    public async Task RemoveLeftoversAsync()
    {
        await _path.A.RemoveAsync(Module, "alice");
        await _path.B.RemoveAsync(Module, "alice");
    }

    [Test]
    public async Task Setup_InstallsOnBothNetServNodesInPathOrderAndNotOnThePlainRouter()
    {
        var result = _path.Cli(SetupArguments());

        Assert.That(result.ExitCode, Is.Zero, result.StandardError + result.StandardOutput);
        var nodes = SignalingPath.Json(result)["nodes"]!.AsArray().OfType<JsonObject>().ToArray();
        Assert.Multiple(async () =>
        {
            Assert.That(nodes.Select(n => n["node"]!.GetValue<string>()), Is.EqualTo(new[] { _path.A.Options.NodeName, _path.B.Options.NodeName }), "A, then B: path order");
            Assert.That(nodes.Select(n => n["address"]!.GetValue<string>()), Is.EqualTo(new[] { "198.18.1.2", "198.18.3.2" }));
            Assert.That(nodes.Select(n => n["status"]!.GetValue<int>()), Is.All.EqualTo(200));
            Assert.That(await SignalingPath.ModulesAsync(_path.A), Is.EqualTo(new[] { Module }));
            Assert.That(await SignalingPath.ModulesAsync(_path.B), Is.EqualTo(new[] { Module }));
            Assert.That(_path.Network["plain"].Namespace.Exec("iptables", "-S").StandardOutput, Does.Not.Contain("NETSERV"), "the plain router has no NetServ");
        });
    }

    [Test]
    public void Probe_ReturnsATwoEntryStackInPathOrderListingTheModule()
    {
        Assert.That(_path.Cli(SetupArguments()).ExitCode, Is.Zero);

        var result = _path.Cli("probe", "status", "--dest", SignalingPath.User, "--user", "alice", "--key", _path.AliceKey, "--json");

        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        var nodes = SignalingPath.Json(result)["nodes"]!.AsArray().OfType<JsonObject>().ToArray();
        Assert.That(nodes.Select(n => n["node"]!.GetValue<string>()), Is.EqualTo(new[] { _path.A.Options.NodeName, _path.B.Options.NodeName }));
        foreach (var node in nodes)
        {
            var containers = node["data"]!["containers"]!.AsArray();
            Assert.That(containers.Select(c => c!["user"]!.GetValue<string>()), Is.EqualTo(new[] { "alice" }), "a user's probe shows only that user's container");
            Assert.That(containers[0]!["modules"]!.AsArray().Select(m => m!["name"]!.GetValue<string>()), Is.EqualTo(new[] { Module }));
        }
    }

    [Test]
    public async Task Remove_UninstallsOnBothNodes()
    {
        Assert.That(_path.Cli(SetupArguments()).ExitCode, Is.Zero);

        var result = _path.Cli("remove", Module, "--dest", SignalingPath.User, "--user", "alice", "--key", _path.AliceKey, "--json");

        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        Assert.That(SignalingPath.Json(result)["nodes"]!.AsArray().Select(n => n!["status"]!.GetValue<int>()), Is.EqualTo(new[] { 200, 200 }));
        Assert.That(await SignalingPath.ModulesAsync(_path.A), Is.Empty);
        Assert.That(await SignalingPath.ModulesAsync(_path.B), Is.Empty);
    }

    [Test]
    public async Task Ttl_ExpiresTheModuleOnBothNodes()
    {
        Assert.That(_path.Cli([.. SetupArguments(), "--ttl", "2"]).ExitCode, Is.Zero);
        Assert.That(await SignalingPath.ModulesAsync(_path.A), Has.Count.EqualTo(1));

        await _path.A.WaitForStatusAsync(s => NetServNodeProcess.ContainerOf(s, "alice")["modules"]!.AsArray().Count == 0, TimeSpan.FromSeconds(10));
        await _path.B.WaitForStatusAsync(s => NetServNodeProcess.ContainerOf(s, "alice")["modules"]!.AsArray().Count == 0, TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task Trigger_LastNodeSendsTheSetupBackAndTheProviderGetsTheResponse()
    {
        var result = _path.Cli(["trigger", .. SetupArguments()]);

        Assert.That(result.ExitCode, Is.Zero, result.StandardError + result.StandardOutput);
        var json = SignalingPath.Json(result);
        var triggered = json["triggered"]!["nodes"]!.AsArray().OfType<JsonObject>().ToArray();
        Assert.Multiple(async () =>
        {
            Assert.That(json["method"]!.GetValue<string>(), Is.EqualTo("TRIGGER"));
            Assert.That(json["nodes"]!.AsArray().Select(n => n!["node"]!.GetValue<string>()), Is.EqualTo(new[] { _path.B.Options.NodeName }), "the last node answers the TRIGGER");
            Assert.That(triggered.Select(n => n["node"]!.GetValue<string>()), Is.EqualTo(new[] { _path.B.Options.NodeName, _path.A.Options.NodeName }), "the SETUP went B, then A: upstream");
            Assert.That(triggered.Select(n => n["status"]!.GetValue<int>()), Is.All.EqualTo(200));
            Assert.That(await SignalingPath.ModulesAsync(_path.A), Is.EqualTo(new[] { Module }));
            Assert.That(await SignalingPath.ModulesAsync(_path.B), Is.EqualTo(new[] { Module }));
        });
    }

    [Test]
    public void Setup_TowardAPathWithoutNetServ_FailsClearly()
    {
        // Toward the provider itself: no NetServ node lies on that path.
        var result = _path.Cli([.. SetupArguments()[..^2], "--dest", "198.18.1.1", "--query-timeout-ms", "100"]);

        Assert.That(result.ExitCode, Is.EqualTo(3), result.StandardOutput);
        Assert.That(result.StandardError, Does.Contain("no NetServ node on the path"));
    }

    [Test]
    public async Task Setup_TowardANetServNodeItself_EndsThere()
    {
        var result = _path.Cli([.. SetupArguments()[..^2], "--dest", "198.18.1.2"]);

        Assert.That(result.ExitCode, Is.Zero, result.StandardError + result.StandardOutput);
        Assert.That(SignalingPath.Json(result)["nodes"]!.AsArray().Select(n => n!["node"]!.GetValue<string>()), Is.EqualTo(new[] { _path.A.Options.NodeName }));
        Assert.That(await SignalingPath.ModulesAsync(_path.B), Is.Empty);
    }

    private string[] SetupArguments()
    {
        var package = BuildOutputs.EnsurePackage("NetServ.Apps.NetMonitor", "applications/NetMonitor");
        return
        [
            "setup", "--package", package, "--url", _path.Packages.UrlOf(Path.GetFileName(package)).ToString(),
            "--filter-proto", "udp", "--filter-port", "5060", "--filter-dst", "198.18.4.0/24",
            "--user", "alice", "--key", _path.AliceKey, "--json", "--dest", SignalingPath.User,
        ];
    }
}
