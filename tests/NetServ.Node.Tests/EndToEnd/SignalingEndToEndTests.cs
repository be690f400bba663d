using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Networking;
using NetServ.Contracts.Status;
using NetServ.Signaling.Gist;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;
using NetServ.Signaling.Transport;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;
using NetServ.Traffic;

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
            Assert.That(nodes.Select(n => n["node"]!.GetValue<string>()), Is.EqualTo(new[] { _path.A.Options.Node.NodeName, _path.B.Options.Node.NodeName }), "A, then B: path order");
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
        Assert.That(nodes.Select(n => n["node"]!.GetValue<string>()), Is.EqualTo(new[] { _path.A.Options.Node.NodeName, _path.B.Options.Node.NodeName }));
        foreach (var node in nodes)
        {
            var containers = node["data"].Deserialize(StatusJsonContext.Default.NodeStatus)!.Containers;
            Assert.That(containers.Select(c => c.User), Is.EqualTo(new[] { "alice" }), "a user's probe shows only that user's container");
            Assert.That(containers[0].Modules.Select(m => m.Name), Is.EqualTo(new[] { Module }));
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

        await _path.A.WaitForStatusAsync(s => s.ContainerOf("alice").Modules.Count == 0, TimeSpan.FromSeconds(10));
        await _path.B.WaitForStatusAsync(s => s.ContainerOf("alice").Modules.Count == 0, TimeSpan.FromSeconds(10));
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
            Assert.That(json["nodes"]!.AsArray().Select(n => n!["node"]!.GetValue<string>()), Is.EqualTo(new[] { _path.B.Options.Node.NodeName }), "the last node answers the TRIGGER");
            Assert.That(triggered.Select(n => n["node"]!.GetValue<string>()), Is.EqualTo(new[] { _path.B.Options.Node.NodeName, _path.A.Options.Node.NodeName }), "the SETUP went B, then A: upstream");
            Assert.That(triggered.Select(n => n["status"]!.GetValue<int>()), Is.All.EqualTo(200));
            Assert.That(await SignalingPath.ModulesAsync(_path.A), Is.EqualTo(new[] { Module }));
            Assert.That(await SignalingPath.ModulesAsync(_path.B), Is.EqualTo(new[] { Module }));
        });
    }

    [Test]
    public async Task Setup_SentAgainWithTheSameNonce_IsAnsweredFromTheFirstResultAndInstalledOnce()
    {
        // What a sender does when an answer is lost: the same signed bytes again (here in a new GIST session).
        var package = BuildOutputs.EnsurePackage("NetServ.Apps.NetMonitor", "applications/NetMonitor");
        var request = (ModuleSetup.ForPackage(package, "alice", _path.Packages.UrlOf) with { FilterProtocol = "udp", FilterPort = 5060, FilterDestination = "198.18.4.0/24" }).ToRequest();
        using (var alice = UserPrivateKey.TryParse(await File.ReadAllTextAsync(_path.AliceKey), out var key, out var error) ? key : throw new AssertionException(error))
        {
            NslpSignature.Sign(request, alice, TimeProvider.System);
        }

        await using var client = _path.Provider.Namespace.Run(() => SignalingClient.Start("twice", NullLogger.Instance, TimeProvider.System));
        var user = Ipv4Address.Parse(SignalingPath.User);
        const string Installed = "Installed " + Module + " for alice";
        const string Refreshed = "Refreshed " + Module + " of alice";
        int Count(NetServNodeProcess node, string text) => node.LogLines.Count(l => l.Contains(text, StringComparison.Ordinal));
        var (installedA, installedB, refreshedA, refreshedB) = (Count(_path.A, Installed), Count(_path.B, Installed), Count(_path.A, Refreshed), Count(_path.B, Refreshed));
        var repeatsBefore = (await _path.A.StatusAsync()).Signaling.RepeatsAnswered;

        var first = await client.SendAsync(user, request, TimeSpan.FromSeconds(30), CancellationToken.None);
        var again = await client.SendAsync(user, request, TimeSpan.FromSeconds(30), CancellationToken.None);

        await _path.A.WaitForStatusAsync(s => s.Signaling.RepeatsAnswered > repeatsBefore, TimeSpan.FromSeconds(10));
        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(NslpStatus.Ok), first.Headers[NslpHeaderNames.Error]);
            Assert.That(again.StatusCode, Is.EqualTo(NslpStatus.Ok), "not refused as a replayed nonce: " + again.Headers[NslpHeaderNames.Error]);
            Assert.That(again.Body.ToArray(), Is.EqualTo(first.Body.ToArray()), "the first result, node for node");
            Assert.That(Count(_path.A, Installed) - installedA, Is.EqualTo(1), "installed once on A");
            Assert.That(Count(_path.B, Installed) - installedB, Is.EqualTo(1), "installed once on B");
            Assert.That((Count(_path.A, Refreshed) - refreshedA, Count(_path.B, Refreshed) - refreshedB), Is.EqualTo((0, 0)), "the repeat did not act as a refresh either");
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
        Assert.That(SignalingPath.Json(result)["nodes"]!.AsArray().Select(n => n!["node"]!.GetValue<string>()), Is.EqualTo(new[] { _path.A.Options.Node.NodeName }));
        Assert.That(await SignalingPath.ModulesAsync(_path.B), Is.Empty);
    }

    [Test]
    public async Task Setup_SignedWithAnotherKey_IsRefusedByBothNodesAndNothingIsInstalled()
    {
        var result = _path.Cli(SetupArguments(key: _path.MalloryKey));

        await AssertRefusedByBothAsync(result, NslpStatus.Unauthorized, "signature");
    }

    [Test]
    public async Task Setup_FromAnUnknownUser_IsRefusedByBothNodesAndNothingIsInstalled()
    {
        var result = _path.Cli(SetupArguments(user: "mallory", key: _path.MalloryKey));

        await AssertRefusedByBothAsync(result, NslpStatus.Unauthorized, "unknown user 'mallory'");
    }

    [Test]
    public async Task Setup_WithADigestThatIsNotThePackages_IsRefusedByBothNodesAndNothingIsInstalled()
    {
        var arguments = SetupArguments().ToList();
        arguments.InsertRange(1, ["--digest", new string('0', 64)]);

        var result = _path.Cli([.. arguments]);

        await AssertRefusedByBothAsync(result, NslpStatus.UnprocessableModule, "not the module-digest");
    }

    [Test]
    public async Task Setup_FilteringOutsideTheUsersPrefixes_IsRefusedByBothNodesAndNothingIsInstalled()
    {
        var result = _path.Cli(SetupArguments(filterDestination: "198.18.1.0/24"));

        await AssertRefusedByBothAsync(result, NslpStatus.Forbidden, "outside the prefixes user 'alice' may claim");
    }

    [Test]
    public async Task MalformedGistDatagrams_AreDroppedAndCountedAndTheNodeKeepsServing()
    {
        var node = new IPEndPoint(IPAddress.Parse("198.18.1.2"), 270);
        var query = GistCodec.Encode(
            new GistQuery(
                new GistPathCoupledMri { SourceAddress = Ipv4Address.Parse("198.18.1.1"), DestinationAddress = Ipv4Address.Parse(SignalingPath.User), Protocol = 17 },
                new GistSessionId(UInt128.MaxValue),
                new GistNetworkLayerInformation { PeerIdentity = "fuzzer"u8.ToArray(), IpTtl = 64, RoutingStateValidityTime = 30_000, InterfaceAddress = Ipv4Address.Parse("198.18.1.1") },
                new GistQueryCookie(new byte[] { 1, 2, 3, 4 }))
            {
                NslpData = GistNslpData.FromNslpMessage("SETUP NetServ.Apps.NetMonitor_1.0.0 NETSERV/0.1\r\nuser:alice\r\n\r\n"u8),
            },
            withMagic: true);
        var lengthLies = query.ToArray();
        lengthLies[4 + 2] = 0xFF; // the common header's message length, in 32-bit words
        var random = new byte[200];
        new Random(270).NextBytes(random);
        var before = (await _path.A.StatusAsync()).Signaling.Dropped;

        UdpSender.Send(_path.Provider.Namespace, node, [query[..^7], query[..10], lengthLies, random, [], new byte[] { 0x4e, 0x9f, 0x50, 0x11 }], packetsPerSecond: 100);

        var status = await _path.A.WaitForStatusAsync(s => s.Signaling.Dropped.Malformed >= before.Malformed + 6, TimeSpan.FromSeconds(10));
        Assert.That(status.Signaling.Dropped, Is.EqualTo(before with { Malformed = before.Malformed + 6 }), "six malformed datagrams, nothing else dropped");
        Assert.That(await SignalingPath.ModulesAsync(_path.A), Is.Empty, "nothing installed");
        var probe = _path.Cli("probe", "status", "--dest", SignalingPath.User, "--user", "alice", "--key", _path.AliceKey, "--json");
        Assert.That(probe.ExitCode, Is.Zero, probe.StandardError + probe.StandardOutput);
        Assert.That(SignalingPath.Json(probe)["nodes"]!.AsArray(), Has.Count.EqualTo(2), "both nodes still answer");
    }

    private async Task AssertRefusedByBothAsync(CommandResult result, int status, string reason)
    {
        Assert.That(result.ExitCode, Is.EqualTo(1), "a refusal is exit code 1: " + result.StandardError + result.StandardOutput);
        var nodes = SignalingPath.Json(result)["nodes"]!.AsArray().OfType<JsonObject>().ToArray();
        Assert.Multiple(async () =>
        {
            Assert.That(nodes.Select(n => n["node"]!.GetValue<string>()), Is.EqualTo(new[] { _path.A.Options.Node.NodeName, _path.B.Options.Node.NodeName }), "the request still went the whole path");
            Assert.That(nodes.Select(n => n["status"]!.GetValue<int>()), Is.All.EqualTo(status));
            Assert.That(nodes.Select(n => n["error"]!.GetValue<string>()), Is.All.Contains(reason));
            Assert.That(await SignalingPath.ModulesAsync(_path.A), Is.Empty);
            Assert.That(await SignalingPath.ModulesAsync(_path.B), Is.Empty);
        });
    }

    private string[] SetupArguments(string user = "alice", string? key = null, string filterDestination = "198.18.4.0/24")
    {
        var package = BuildOutputs.EnsurePackage("NetServ.Apps.NetMonitor", "applications/NetMonitor");
        return
        [
            "setup", "--package", package, "--url", _path.Packages.UrlOf(Path.GetFileName(package)).ToString(),
            "--filter-proto", "udp", "--filter-port", "5060", "--filter-dst", filterDestination,
            "--user", user, "--key", key ?? _path.AliceKey, "--json", "--dest", SignalingPath.User,
        ];
    }
}
