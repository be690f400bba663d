using System.Text;
using System.Text.Json.Nodes;
using NetServ.Signaling.Nslp;

namespace NetServ.Cli.Tests.Commands;

[TestFixture]
public sealed class AdminCommandsTests
{
    private const string Digest = "a8a087d8339dd4083473ae709d79a5b3e01d8f5995135b1ae0443e834ac717c5";

    private string _directory = null!;
    private FakeNslpServer _server = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("netserv-cli-test-").FullName;
        _server = new FakeNslpServer(Path.Combine(_directory, "netservd.sock"));
    }

    [TearDown]
    public async Task TearDown()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Setup_EveryOption_IsSentAsItsHeader()
    {
        var run = await CliRun.RunAsync(
            "admin", "setup", "NetServ.Apps.NetMonitor_1.0.0", "--socket", _server.Path,
            "--user", "alice", "--url", "http://198.18.0.1:8080/NetServ.Apps.NetMonitor.1.0.0.nupkg", "--digest", Digest,
            "--filter-proto", "udp", "--filter-port", "5060", "--filter-dst", "198.19.0.0/24,198.20.0.0/16",
            "--properties", "visualizer_ip=198.18.0.1,visualizer_port=5678", "--ttl", "600", "--dependencies", "packet-dispatcher");

        var request = _server.Requests.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.Zero, run.Error);
            Assert.That(request.Method, Is.EqualTo(NslpMethod.Setup));
            Assert.That(request.Target, Is.EqualTo("NetServ.Apps.NetMonitor_1.0.0"));
            Assert.That(request.Headers.ToArray(), Is.EqualTo(new[]
            {
                Header("user", "alice"),
                Header("url", "http://198.18.0.1:8080/NetServ.Apps.NetMonitor.1.0.0.nupkg"),
                Header("module-digest", Digest),
                Header("filter-proto", "udp"),
                Header("filter-port", "5060"),
                Header("filter-dst", "198.19.0.0/24,198.20.0.0/16"),
                Header("properties", "visualizer_ip=198.18.0.1,visualizer_port=5678"),
                Header("ttl", "600"),
                Header("dependencies", "packet-dispatcher"),
            }));
        }
    }

    [Test]
    public async Task Setup_OnlyTheRequiredOptions_SendsNoOtherHeaders()
    {
        var run = await CliRun.RunAsync("admin", "setup", "X_1.0", "--socket", _server.Path, "--user", "bob", "--url", "http://198.18.0.1/x.nupkg", "--digest", Digest);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.Zero, run.Error);
            Assert.That(_server.Requests.Single().Headers.Select(h => h.Key), Is.EqualTo(new[] { "user", "url", "module-digest" }));
        }
    }

    [Test]
    public async Task Setup_RequiredOptionMissing_FailsWithoutSending()
    {
        var run = await CliRun.RunAsync("admin", "setup", "X_1.0", "--socket", _server.Path, "--url", "http://198.18.0.1/x.nupkg", "--digest", Digest);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.Not.Zero);
            Assert.That(run.Error, Does.Contain("--user"));
            Assert.That(_server.Requests, Is.Empty);
        }
    }

    [Test]
    public async Task Setup_Ok_PrintsTheStatusAndExitsZero()
    {
        _server.Response = Response(200, ("node", "router-1"));

        var run = await CliRun.RunAsync("admin", "setup", "X_1.0", "--socket", _server.Path, "--user", "bob", "--url", "http://198.18.0.1/x.nupkg", "--digest", Digest);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.Zero);
            Assert.That(run.Output, Does.StartWith("200 OK" + Environment.NewLine));
            Assert.That(run.Output, Does.Contain("  node: router-1"));
        }
    }

    [TestCase(400)]
    [TestCase(403)]
    [TestCase(422)]
    [TestCase(502)]
    public async Task Setup_Refused_PrintsTheErrorAndExitsOne(int status)
    {
        _server.Response = Response(status, ("error", "digest mismatch"));

        var run = await CliRun.RunAsync("admin", "setup", "X_1.0", "--socket", _server.Path, "--user", "bob", "--url", "http://198.18.0.1/x.nupkg", "--digest", Digest);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.EqualTo(1));
            Assert.That(run.Output, Does.StartWith($"{status} "));
            Assert.That(run.Output, Does.Contain("error: digest mismatch"));
        }
    }

    [Test]
    public async Task Remove_SendsModuleAndUser()
    {
        var run = await CliRun.RunAsync("admin", "remove", "NetServ.Apps.NetMonitor_1.0.0", "--user", "alice", "--socket", _server.Path);

        var request = _server.Requests.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.Zero, run.Error);
            Assert.That(request.Method, Is.EqualTo(NslpMethod.Remove));
            Assert.That(request.Target, Is.EqualTo("NetServ.Apps.NetMonitor_1.0.0"));
            Assert.That(request.Headers.ToArray(), Is.EqualTo(new[] { Header("user", "alice") }));
        }
    }

    [Test]
    public async Task Probe_NoKind_AsksForStatusOfEverything()
    {
        var run = await CliRun.RunAsync("admin", "probe", "--socket", _server.Path);

        var request = _server.Requests.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.Zero, run.Error);
            Assert.That(request.Method, Is.EqualTo(NslpMethod.Probe));
            Assert.That(request.Target, Is.EqualTo("*"));
            Assert.That(request.Headers.ToArray(), Is.EqualTo(new[] { Header("probe", "status") }));
        }
    }

    [TestCase("status")]
    [TestCase("capabilities")]
    [TestCase("policies")]
    public async Task Probe_Kind_IsTheProbeHeader(string kind)
    {
        await CliRun.RunAsync("admin", "probe", kind, "--socket", _server.Path);

        var request = _server.Requests.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Target, Is.EqualTo("*"));
            Assert.That(request.Headers["probe"], Is.EqualTo(kind));
        }
    }

    [Test]
    public async Task Probe_ModuleName_ProbesThatModuleForTheUserAndCollects()
    {
        await CliRun.RunAsync("admin", "probe", "NetServ.Apps.NetMonitor_1.0.0", "--user", "alice", "--collect", "--socket", _server.Path);

        var request = _server.Requests.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Target, Is.EqualTo("NetServ.Apps.NetMonitor_1.0.0"));
            Assert.That(request.Headers.ToArray(), Is.EqualTo(new[] { Header("probe", "module"), Header("user", "alice"), Header("collect", "true") }));
        }
    }

    [Test]
    public async Task Status_IsAnAliasOfProbe()
    {
        var run = await CliRun.RunAsync("admin", "status", "--socket", _server.Path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.Zero, run.Error);
            Assert.That(_server.Requests.Single().Method, Is.EqualTo(NslpMethod.Probe));
        }
    }

    [Test]
    public async Task AnyCommand_NothingListening_ExitsTwoNamingTheSocket()
    {
        var missing = Path.Combine(_directory, "absent.sock");

        var run = await CliRun.RunAsync("admin", "probe", "--socket", missing);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.EqualTo(2));
            Assert.That(run.Error, Does.Contain(missing));
            Assert.That(run.Output, Is.Empty);
        }
    }

    [Test]
    public async Task Json_ResponseWithJsonBody_PrintsStatusHeadersAndParsedBody()
    {
        _server.Response = Response(200, ("node", "router-1"), ("content-type", "application/json"));
        _server.Response.Body = Encoding.UTF8.GetBytes("{\"containers\":[],\"node\":\"router-1\"}");

        var run = await CliRun.RunAsync("admin", "probe", "--json", "--socket", _server.Path);

        var document = JsonNode.Parse(run.Output)!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.Zero);
            Assert.That(document["status"]!.GetValue<int>(), Is.EqualTo(200));
            Assert.That(document["reason"]!.GetValue<string>(), Is.EqualTo("OK"));
            Assert.That(document["headers"]!["node"]!.GetValue<string>(), Is.EqualTo("router-1"));
            Assert.That(document["headers"]!["content-length"]!.GetValue<string>(), Is.EqualTo(_server.Response.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(document["body"]!["node"]!.GetValue<string>(), Is.EqualTo("router-1"));
            Assert.That(document["body"]!["containers"]!.AsArray(), Is.Empty);
        }
    }

    [Test]
    public async Task Json_ErrorWithTextBody_PrintsTheBodyAsAStringAndExitsOne()
    {
        _server.Response = Response(404, ("error", "no such module"));
        _server.Response.Body = "not json"u8.ToArray();

        var run = await CliRun.RunAsync("admin", "remove", "X_1.0", "--user", "a", "--json", "--socket", _server.Path);

        var document = JsonNode.Parse(run.Output)!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.EqualTo(1));
            Assert.That(document["status"]!.GetValue<int>(), Is.EqualTo(404));
            Assert.That(document["headers"]!["error"]!.GetValue<string>(), Is.EqualTo("no such module"));
            Assert.That(document["body"]!.GetValue<string>(), Is.EqualTo("not json"));
        }
    }

    [Test]
    public async Task Json_NoBody_HasANullBody()
    {
        var run = await CliRun.RunAsync("admin", "probe", "policies", "--json", "--socket", _server.Path);

        var document = JsonNode.Parse(run.Output)!.AsObject();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(document.ContainsKey("body"), Is.True);
            Assert.That(document["body"], Is.Null);
        }
    }

    [Test]
    public async Task Probe_StatusBody_IsPrintedAsAReadableReport()
    {
        _server.Response = Response(200, ("content-type", "application/json"));
        _server.Response.Body = Encoding.UTF8.GetBytes("""
            {
              "time": "2025-03-01T12:00:00.0000000+00:00",
              "containers": [{
                "state": "ready", "pid": 4242, "queue": 100, "restarts": 0, "user": "alice",
                "packets": { "received": 10, "accepted": 9, "dropped": 1, "modified": 0 },
                "memory": { "pssBytes": 52428800 },
                "modules": [{ "name": "NetServ.Apps.NetMonitor_1.0.0", "user": "alice", "filter": "udp/5060 to 198.19.0.0/24", "expiresInSeconds": 3599,
                              "live": { "name": "NetServ.Apps.NetMonitor_1.0.0", "counters": { "packets": 10, "dropped": 0, "modified": 0, "errors": 2, "lastError": "InvalidOperationException: boom" } } }]
              }],
              "forwarding": { "chain": "NETSERV", "rules": ["-A NETSERV -d 198.19.0.0/24 -j NFQUEUE --queue-num 100"] },
              "recentFailures": [{ "time": "2025-03-01T11:59:00.0000000+00:00", "user": "alice", "module": "M_1", "reason": "crashed", "detail": "exit 134" }],
              "recentRemovals": [{ "time": "2025-03-01T11:58:00.0000000+00:00", "user": "alice", "module": "M_2", "reason": "ttl-expired", "detail": null }],
              "provenOwnership": [{ "time": "2025-03-01T11:57:00.0000000+00:00", "user": "carol", "prefix": "198.19.0.1/32", "url": "http://198.19.0.1:80/.well-known/netserv-password" }],
              "signaling": { "repeatsAnswered": 3, "repeatsInProgress": 1, "dropped": { "malformed": 6, "unknownAssociation": 0, "wrongEncapsulation": 0, "refusedConfirm": 2 } },
              "node": "router-1"
            }
            """);

        var run = await CliRun.RunAsync("admin", "probe", "--socket", _server.Path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.Zero);
            Assert.That(run.Output, Does.Contain("node router-1 at 2025-03-01T12:00:00.0000000+00:00"));
            Assert.That(run.Output, Does.Contain("container alice: ready (pid 4242, queue 100, restarts 0, 50.0 MB PSS)"));
            Assert.That(run.Output, Does.Contain("packets: 10 received, 9 accepted, 1 dropped, 0 modified"));
            Assert.That(run.Output, Does.Contain("module NetServ.Apps.NetMonitor_1.0.0: filter udp/5060 to 198.19.0.0/24, expires in 3599 s"));
            Assert.That(run.Output, Does.Contain("10 packets, 0 dropped, 0 modified, 2 errors (last: InvalidOperationException: boom)"));
            Assert.That(run.Output, Does.Contain("forwarding rules (1):"));
            Assert.That(run.Output, Does.Contain("2025-03-01T11:59:00.0000000+00:00 alice M_1: crashed exit 134"));
            Assert.That(run.Output, Does.Contain("recent removals:\n    2025-03-01T11:58:00.0000000+00:00 alice M_2: ttl-expired\n"));
            Assert.That(run.Output, Does.Contain("2025-03-01T11:57:00.0000000+00:00 carol 198.19.0.1/32 (password at http://198.19.0.1/.well-known/netserv-password)"));
            Assert.That(run.Output, Does.Contain("signaling: 3 repeats answered from the first result, 1 while in progress; dropped 6 malformed, 0 on unknown associations, 0 wrongly encapsulated, 2 refused Confirms"));
            Assert.That(run.Output, Does.Not.Contain("content-type"), "content headers are not shown");
        }
    }

    private static KeyValuePair<string, string> Header(string name, string value) => KeyValuePair.Create(name, value);

    private static NslpResponse Response(int status, params (string Name, string Value)[] headers)
    {
        var response = new NslpResponse(status);
        foreach (var (name, value) in headers)
        {
            response.Headers.Add(name, value);
        }

        return response;
    }
}
