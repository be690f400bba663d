using System.Globalization;
using System.Text.Json.Nodes;
using NetServ.Testbed.Nodes;

namespace NetServ.Node.Tests.EndToEnd;

/// <summary>
/// The Router Alert value of a Query is the NSLP's (RFC 5971 5.3.2), so a node is configured with it, and a
/// node intercepts a Query for its NSLP whatever value it carries: across provider — A — plain router — B —
/// user, both nodes send 32704 (the value another implementation uses for this NSLPID) while the CLI keeps
/// NetServ's default, 65503. The plain router counts the Queries that cross it by the option's bytes.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SignalingRouterAlertEndToEndTests
{
    private const string Module = "NetServ.Apps.NetMonitor_1.0.0";
    private const int NodesValue = 32704;

    // The IPv4 header of a Query carries the option in its sixth word: 94 04 and the value.
    private static readonly string[] NodesValueRule = CountingRule("0x94047fc0", "netserv-test-rao-32704");
    private static readonly string[] DefaultValueRule = CountingRule("0x9404ffdf", "netserv-test-rao-65503");

    private SignalingPath _path = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        RequiresRoot.Check();
        _path = await SignalingPath.StartAsync(tune: node => node.Signaling.RouterAlertValue = NodesValue);
        var plain = _path.Network["plain"].Namespace;
        plain.ExecChecked("iptables", ["-I", "FORWARD", "1", .. NodesValueRule]);
        plain.ExecChecked("iptables", ["-I", "FORWARD", "1", .. DefaultValueRule]);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_path is null)
        {
            return;
        }

        // The namespace goes with the path; the rules are taken out first all the same.
        var plain = _path.Network["plain"].Namespace;
        plain.Exec("iptables", ["-D", "FORWARD", .. NodesValueRule]);
        plain.Exec("iptables", ["-D", "FORWARD", .. DefaultValueRule]);
        await _path.DisposeAsync();
    }

    [Test]
    public async Task Setup_QueriesMarkedWithAnotherValue_AreInterceptedByBothNodes()
    {
        var package = BuildOutputs.EnsurePackage("NetServ.Apps.NetMonitor", "applications/NetMonitor");

        var result = _path.Cli(
            "setup", "--package", package, "--url", _path.Packages.UrlOf(Path.GetFileName(package)).ToString(),
            "--filter-proto", "udp", "--filter-port", "5060", "--filter-dst", "198.18.4.0/24",
            "--user", "alice", "--key", _path.AliceKey, "--json", "--dest", SignalingPath.User);

        Assert.That(result.ExitCode, Is.Zero, result.StandardError + result.StandardOutput);
        var nodes = SignalingPath.Json(result)["nodes"]!.AsArray().OfType<JsonObject>().ToArray();
        Assert.Multiple(async () =>
        {
            Assert.That(nodes.Select(n => n["node"]!.GetValue<string>()), Is.EqualTo(new[] { _path.A.Options.Node.NodeName, _path.B.Options.Node.NodeName }), "A took the CLI's Query marked 65503, B took A's marked 32704");
            Assert.That(nodes.Select(n => n["status"]!.GetValue<int>()), Is.All.EqualTo(200));
            Assert.That(await SignalingPath.ModulesAsync(_path.B), Is.EqualTo(new[] { Module }));
            Assert.That(Counted("netserv-test-rao-32704"), Is.GreaterThanOrEqualTo(1), "A's Query toward B carries the value A is configured with");
            Assert.That(Counted("netserv-test-rao-65503"), Is.Zero, "the CLI's Query stops at A; no Query crosses with the default value");
        });

        await _path.A.RemoveAsync(Module, "alice");
        await _path.B.RemoveAsync(Module, "alice");
    }

    private static string[] CountingRule(string optionWord, string comment) =>
        ["-p", "udp", "--dport", "270", "-m", "u32", "--u32", $"20={optionWord}", "-m", "comment", "--comment", comment];

    /// <summary>The packets the plain router's counting rule with <paramref name="comment"/> has seen.</summary>
    private long Counted(string comment)
    {
        var listing = _path.Network["plain"].Namespace.ExecChecked("iptables", "-L", "FORWARD", "-v", "-x", "-n").StandardOutput;
        var line = listing.Split('\n').Single(l => l.Contains(comment, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
    }
}
