using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NetServ.RSpec;
using NetServ.Sdk.Packaging;
using NetServ.Signaling.Security;
using NetServ.Testbed.Docker;
using NetServ.Testbed.Http;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;
using NetServ.Testbed.Ssh;
using NetServ.Testbed.Tests.Local;
using NetServ.TestSupport.Docker;

namespace NetServ.Testbed.Tests.Docker;

/// <summary>
/// The Docker testbed against a real dockerd (the machine's, or the lab's own started for the fixture and
/// stopped after it) and the node image ./lab image builds: nodes reached only over SSH, netservd started by
/// the image's service, a module installed through signaling from the sender's container.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class DockerTestbedTests
{
    private const string User = "demo";
    private const int Packets = 2000;

    /// <summary>The CLI where the node image installs it (a login over SSH does not have /opt/netserv/bin on its PATH).</summary>
    private const string Netserv = "/opt/netserv/bin/netserv";
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);
    private DockerEngine? _engine;

    [OneTimeSetUp]
    public async Task ConnectEngine() => _engine = await RequiresNodeImage.ConnectAsync("Docker testbed tests");

    [OneTimeTearDown]
    public void StopEngine() => _engine?.Dispose();

    [Test]
    public async Task SenderRouterReceiver_NetMonitorThroughSignalingOverSsh_CountsEveryPacketAndReleaseLeavesNothing()
    {
        using var userKey = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);
        var watch = Stopwatch.StartNew();
        var testbed = await DockerTestbed.RealiseAsync(TestRequests.Evaluation, new DockerTestbedOptions
        {
            Image = DockerTestbedOptions.NodeImage,
            NetServNodes = ["router"],
            Files = new Dictionary<string, string> { ["/etc/netserv/netserv.json"] = NodeConfiguration(userKey.PublicKey.ToPem()) },
            // The rspec's execute service starts netservd where a GENI node has it; here the image's service does.
            RunExecuteServices = false,
            Log = TestContext.Progress,
        });
        var ready = watch.Elapsed;
        await TestContext.Progress.WriteLineAsync($"3 containers ready (SSH answering on each) in {ready.TotalSeconds:0.0} s");
        var id = testbed.Id;
        var pids = testbed.Nodes.Select(n => n.Pid).ToArray();
        var packageFolder = Directory.CreateTempSubdirectory("netserv-docker-package-").FullName;
        try
        {
            var sender = testbed["sender"];
            var router = testbed["router"];
            var receiver = testbed["receiver"];
            var destination = receiver.Address.ToString();

            // The module package comes from the sender's node image and is served from this machine on the router's control link.
            var listing = await RunAsync(sender.Session, "sh", "-c", "ls /opt/netserv/modules/NetServ.Apps.NetMonitor.*.nupkg");
            var nodePackage = listing.Trim().Split('\n')[0];
            var package = Path.Combine(packageFolder, Path.GetFileName(nodePackage));
            await using (var file = File.Create(package))
            {
                await sender.Session.DownloadAsync(nodePackage, file);
            }

            var module = ModulePackage.Inspect(package).ModuleName;
            var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(package)));
            await using var server = PackageServer.Start(packageFolder, IPAddress.Parse(router.OrchestratorAddress.ToString()));
            using (var keyText = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(userKey.ToPem() + "\n")))
            {
                await sender.Session.UploadAsync(keyText, "/root/demo.key");
            }

            await UntilSuccessAsync(router.Session, [Netserv, "admin", "probe", "status"]);
            var signal = new[] { "--dest", destination, "--user", User, "--key", "/root/demo.key", "--json" };
            var setup = await RunAsync(sender.Session, [Netserv, "setup", module, "--url", server.UrlOf(Path.GetFileName(package)).ToString(), "--digest", digest, "--filter-proto", "udp", "--filter-port", "5060", "--filter-dst", receiver.Interfaces[0].Subnet.ToString(), .. signal]);
            Assert.That(NodesOf(setup).Select(n => (string?)n?["status"]?.ToString()), Is.EqualTo(new[] { "200" }), setup);

            await RunAsync(receiver.Session, "iptables", "-I", "INPUT", "-p", "udp", "--dport", "5060", "-j", "DROP");
            // One datagram to a port nobody filters first, so the router has resolved its neighbours before the counted ones.
            await RunAsync(sender.Session, "bash", "-c", $"printf x >/dev/udp/{destination}/9; sleep 0.2");
            await RunAsync(sender.Session, "bash", "-c", $"for i in $(seq {Packets}); do printf x >/dev/udp/{destination}/5060; if [ $((i % 50)) -eq 0 ]; then sleep 0.01; fi; done");
            var received = await SettledCountAsync(receiver.Session);
            var probe = await RunAsync(sender.Session, [Netserv, "probe", module, .. signal]);
            var counted = NodesOf(probe).Single()!["data"]?["live"]?["counters"]?["packets"]?.GetValue<long>();
            var remove = await RunAsync(sender.Session, [Netserv, "remove", module, .. signal]);

            Assert.Multiple(() =>
            {
                Assert.That(received, Is.EqualTo(Packets), "every packet reaches the receiver");
                Assert.That(counted, Is.EqualTo(Packets), $"NetMonitor on the router counted each one: {probe}");
                Assert.That(NodesOf(remove).Select(n => (string?)n?["status"]?.ToString()), Is.EqualTo(new[] { "200" }), remove);
            });
        }
        finally
        {
            await testbed.DisposeAsync();
            Directory.Delete(packageFolder, recursive: true);
        }

        var links = CommandRunner.Run("ip", ["-o", "link", "show"]).StandardOutput;
        Assert.Multiple(async () =>
        {
            Assert.That(await DockerTestbed.ListContainersAsync(_engine!.Client, id, CancellationToken.None), Is.Empty, "no container");
            Assert.That(NetworkNamespace.List($"{NetworkNamespace.NamePrefix}{id}-"), Is.Empty, "no namespace");
            Assert.That(links, Does.Not.Contain($"nsc{id}"), "no control link");
            Assert.That(pids.Where(p => Directory.Exists($"/proc/{p}")), Is.Empty, "no process of the containers");
            Assert.That(LabRunRecord.Current.Resources.Where(r => r.Value.Contains(id, StringComparison.Ordinal)), Is.Empty, "nothing left in the run's record");
        });
    }

    [Test]
    public async Task Realise_ImageTheEngineDoesNotHave_RefusedNamingTheKnownImagesBeforeAnythingIsMade()
    {
        var before = await RequiresNodeImage.TestbedContainersAsync(_engine!);
        var namespaces = NetworkNamespace.List();

        var refused = Assert.ThrowsAsync<DockerTestbedException>(async () => await DockerTestbed.RealiseAsync(TestRequests.Evaluation));

        Assert.Multiple(async () =>
        {
            Assert.That(refused!.Message, Does.Contain("node sender asks for disk image 'urn:publicid:IDN+emulab.net+image+emulab-ops//UBUNTU22-64-STD'"));
            Assert.That(refused.Message, Does.Contain(DockerTestbedOptions.NodeImage), "the images the engine knows are named");
            Assert.That(await RequiresNodeImage.TestbedContainersAsync(_engine!), Is.EquivalentTo(before));
            Assert.That(NetworkNamespace.List(), Is.EquivalentTo(namespaces));
        });
    }

    [Test]
    public async Task Realise_NodesRefuseTheKey_OneErrorNamingEachNodeAndEverythingRemoved()
    {
        var before = await RequiresNodeImage.TestbedContainersAsync(_engine!);
        var namespaces = NetworkNamespace.List();
        var steps = new List<string>();

        var failed = Assert.ThrowsAsync<DockerTestbedException>(async () => await DockerTestbed.RealiseAsync(TestRequests.Evaluation, new DockerTestbedOptions
        {
            Image = DockerTestbedOptions.NodeImage,
            NetServNodes = [],
            InstallRunKey = false,
            ReadyTimeout = TimeSpan.FromSeconds(30),
            BeforeStep = steps.Add,
        }));

        Assert.Multiple(async () =>
        {
            Assert.That(steps, Does.Contain("wait for SSH"), "the containers were made and wired");
            foreach (var node in new[] { "sender", "router", "receiver" })
            {
                Assert.That(failed!.Message, Does.Match($"{node} \\(netserv-[0-9a-f]+-{node}, 198\\.19\\.[0-9.]+\\): .*(authenticat|key)"), failed.Message);
            }

            Assert.That(await RequiresNodeImage.TestbedContainersAsync(_engine!), Is.EquivalentTo(before), "release ran: no container left");
            Assert.That(NetworkNamespace.List(), Is.EquivalentTo(namespaces), "no namespace left");
        });
    }

    [Test]
    public void Realise_NoEngineAndNoneCanStart_OneClearErrorAndNothingMade()
    {
        var namespaces = NetworkNamespace.List();
        var directory = Directory.CreateTempSubdirectory("netserv-docker-none-").FullName;
        try
        {
            var options = new DockerTestbedOptions
            {
                Image = DockerTestbedOptions.NodeImage,
                Engine = new DockerEngineOptions { Endpoints = [new Uri($"unix://{directory}/none.sock")], DockerdPath = Path.Combine(directory, "dockerd") },
            };

            Assert.That(async () => await DockerTestbed.RealiseAsync(TestRequests.Evaluation, options),
                Throws.TypeOf<DockerUnavailableException>().With.Message.Contains("no Docker engine answers").And.Message.Contains("is not installed"));
            Assert.That(NetworkNamespace.List(), Is.EquivalentTo(namespaces));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task Realise_NodeWithAnInstallService_UnpacksTheArchiveBeforeItsExecuteServicesRun()
    {
        var folder = Directory.CreateTempSubdirectory("netserv-docker-install-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "content", "tools"));
            await File.WriteAllTextAsync(Path.Combine(folder, "content", "tools", "hello.txt"), "unpacked\n");
            var archive = Path.Combine(folder, "tools.tar.gz");
            CommandRunner.RunChecked("tar", "-czf", archive, "-C", Path.Combine(folder, "content"), "tools");
            var request = TestRequests.WithExecutes(
                TestRequests.WithInstalls(TestRequests.Evaluation, "router", new InstallService(new Uri(archive).AbsoluteUri, "/opt/lab")),
                "router",
                new ExecuteService("sh", "cat /opt/lab/tools/hello.txt"));
            using var log = new StringWriter();

            await using var testbed = await DockerTestbed.RealiseAsync(request, new DockerTestbedOptions { Image = DockerTestbedOptions.NodeImage, NetServNodes = [], Log = log });

            var service = testbed["router"].ServiceResults.Single();
            Assert.That((service.ExitCode, service.StandardOutput), Is.EqualTo((0, "unpacked\n")), service.StandardError);
            Assert.That(log.ToString(), Does.Contain($"router: {new Uri(archive).AbsoluteUri} unpacked at /opt/lab"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public async Task Realise_StockNodeWithAnInstallService_AptReachesTheDebianMirrorThroughTheForwardProxy()
    {
        await RequiresNodeImage.RequireImageAsync(_engine!, "Docker testbed tests", DockerTestbedOptions.StockImage);
        var folder = Directory.CreateTempSubdirectory("netserv-docker-proxy-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "content", "tools"));
            var archive = Path.Combine(folder, "tools.tar.gz");
            CommandRunner.RunChecked("tar", "-czf", archive, "-C", Path.Combine(folder, "content"), "tools");
            var request = TestRequests.WithExecutes(
                TestRequests.WithInstalls(TestRequests.Evaluation, "router", new InstallService(new Uri(archive).AbsoluteUri, "/opt/lab")),
                "router",
                new ExecuteService("sh", $"cat {DockerTestbed.AptProxyFile} && apt-get -q update >/dev/null && apt-cache show --no-all-versions hello | head -1"));
            using var log = new StringWriter();

            await using var testbed = await DockerTestbed.RealiseAsync(
                request, new DockerTestbedOptions { Image = DockerTestbedOptions.StockImage, NetServNodes = [], ExecuteTimeout = TimeSpan.FromMinutes(5), Log = log });

            var router = testbed["router"];
            var service = router.ServiceResults.Single();
            var proxy = $"http://{router.OrchestratorAddress}:";
            Assert.Multiple(() =>
            {
                Assert.That(service.ExitCode, Is.Zero, service.StandardError);
                Assert.That(service.StandardOutput, Does.StartWith($"Acquire::http::Proxy \"{proxy}").And.EndWith("Package: hello\n"));
                Assert.That(log.ToString(), Does.Contain($"router: apt reaches the Debian mirror through {proxy}"));
                Assert.That(log.ToString(), Does.Not.Contain("sender: apt"), "only a node with install services gets a proxy");
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public async Task Realise_InstallServiceArchiveMissing_OneErrorNamingNodeAndUrl_AndEverythingRemoved()
    {
        var before = await RequiresNodeImage.TestbedContainersAsync(_engine!);
        var request = TestRequests.WithInstalls(TestRequests.Evaluation, "receiver", new InstallService("file:///nonexistent/netserv-tools.tar.gz", "/opt/lab"));

        var failed = Assert.ThrowsAsync<DockerTestbedException>(async () =>
            await DockerTestbed.RealiseAsync(request, new DockerTestbedOptions { Image = DockerTestbedOptions.NodeImage, NetServNodes = [], RunExecuteServices = false }));

        Assert.Multiple(async () =>
        {
            Assert.That(failed!.Message, Does.Contain("receiver: cannot fetch file:///nonexistent/netserv-tools.tar.gz"));
            Assert.That(await RequiresNodeImage.TestbedContainersAsync(_engine!), Is.EquivalentTo(before), "release ran: no container left");
        });
    }

    /// <summary>The image's own netservd configuration, with the test's user and key in place of its example user.</summary>
    private static string NodeConfiguration(string publicKeyPem)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(BuildOutputs.RepositoryRoot, "node-image", "image", "rootfs", "etc", "netserv", "netserv.json")))!;
        json["NetServ"]!["NodeName"] = "router";
        json["NetServ"]!["Users"] = new JsonArray(new JsonObject
        {
            ["Name"] = User,
            ["AllowedPrefixes"] = new JsonArray("198.18.0.0/15"),
            ["MemoryLimitMb"] = 256,
            ["CpuLimit"] = 1,
            ["PublicKey"] = publicKeyPem,
        });
        return json.ToJsonString();
    }

    private static JsonArray NodesOf(string json) => JsonNode.Parse(json)?["nodes"] as JsonArray ?? throw new AssertionException($"no response stack: {json}");

    private static async Task<string> RunAsync(SshNodeSession session, params string[] command)
    {
        var result = await session.RunAsync(command[0], command.Skip(1).ToArray(), Generous, standardInput: string.Empty);
        Assert.That(result.ExitCode, Is.Zero, $"{session.NodeName}: {string.Join(' ', command)}: {result.StandardError}{result.StandardOutput}");
        return result.StandardOutput;
    }

    private static async Task UntilSuccessAsync(SshNodeSession session, string[] command)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var result = await session.RunAsync(command[0], command.Skip(1).ToArray(), Generous, standardInput: string.Empty);
            if (result.ExitCode == 0)
            {
                return;
            }

            if (watch.Elapsed > Generous)
            {
                Assert.Fail($"{session.NodeName}: {string.Join(' ', command)} still fails after {Generous.TotalSeconds} s: {result.StandardError}{result.StandardOutput}");
            }

            await Task.Delay(500);
        }
    }

    /// <summary>The receiver's DROP rule's packet count once it reached the packets sent or stopped changing.</summary>
    private static async Task<long> SettledCountAsync(SshNodeSession receiver)
    {
        long last = -1;
        var unchanged = 0;
        while (unchanged < 3)
        {
            var listing = await RunAsync(receiver, "iptables", "-L", "INPUT", "-n", "-v", "-x");
            var count = long.Parse(DropRule().Match(listing).Groups[1].Value, CultureInfo.InvariantCulture);
            unchanged = count == last || count >= Packets ? unchanged + 1 : 0;
            last = count;
            await Task.Delay(200);
        }

        return last;
    }

    [GeneratedRegex(@"^\s*(\d+)\s+\d+\s+DROP\s+(?:udp|17)\b.*dpt:5060", RegexOptions.Multiline)]
    private static partial Regex DropRule();
}
