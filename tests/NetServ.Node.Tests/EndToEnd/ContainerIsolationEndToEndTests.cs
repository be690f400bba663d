using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NetServ.Signaling.Nslp;
using NetServ.TestSupport.Traffic;
using NetServ.Testbed.Nodes;
using NetServ.Traffic;

namespace NetServ.Node.Tests.EndToEnd;

/// <summary>What a container is and may do: its uid, capabilities, cgroup and sandbox; sending packets; the mode without module layer.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ContainerIsolationEndToEndTests
{
    [SetUp]
    public void SetUp() => RequiresRoot.Check();

    [Test]
    public async Task Container_RunsAsItsOwnUidWithOnlyNetAdminInItsCgroup()
    {
        await using var path = await RouterPath.StartAsync(memoryLimitMb: 192);
        var alice = (await path.Node.StatusAsync()).ContainerOf("alice");
        var pid = alice.Pid;
        var status = File.ReadAllLines($"/proc/{pid}/status").ToDictionary(l => l.Split(':')[0], l => l.Split(':', 2)[1].Trim());
        var cgroups = File.ReadAllText($"/proc/{pid}/cgroup");

        Assert.Multiple(() =>
        {
            Assert.That(status["Uid"].Split('\t')[0], Is.EqualTo(alice.Uid.ToString(CultureInfo.InvariantCulture)));
            Assert.That(status["Uid"].Split('\t').Distinct(), Has.Exactly(1).Items, "real, effective, saved and file uid are all the container's");
            Assert.That(status["CapEff"], Is.EqualTo("0000000000001000"), "only CAP_NET_ADMIN, for the queue");
            Assert.That(status["CapPrm"], Is.EqualTo("0000000000001000"));
            Assert.That(status["CapBnd"], Is.EqualTo("0000000000001000"));
            Assert.That(status["NoNewPrivs"], Is.EqualTo("1"));
            Assert.That(cgroups, Does.Contain($"netserv/{path.Node.Options.Node.NodeName}/alice"), "the container is in its own cgroup");
        });
        var memoryCgroup = alice.Cgroup!.Split(',').First(d => d.Contains("memory", StringComparison.Ordinal) || !d.Contains("cpu", StringComparison.Ordinal));
        var limitFile = File.Exists(Path.Combine(memoryCgroup, "memory.max")) ? "memory.max" : "memory.limit_in_bytes";
        Assert.That(File.ReadAllText(Path.Combine(memoryCgroup, limitFile)).Trim(), Is.EqualTo((192L * 1024 * 1024).ToString(CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task Module_CannotReadForeignFilesExecProgramsOrBindForbiddenPorts()
    {
        var secret = Path.Combine("/var/tmp", $"netserv-secret-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(secret, "world-readable, outside the container's files");
        File.SetUnixFileMode(secret, (UnixFileMode)0b110_100_100);
        try
        {
            await using var path = await RouterPath.StartAsync();
            var setup = ModuleSetup.ForPackage(BuildOutputs.EnsurePackage("NetServ.TestModules.Escape", "tests/TestModules/Escape"), "alice", path.Packages.UrlOf) with
            {
                Properties = $"allowed_port=8080,forbidden_port=9090,secret_file={secret}",
            };
            await path.InstallAsync(setup);

            var results = (JsonObject)RouterPathStatus.Module(await path.Node.StatusAsync(), "alice", "NetServ.TestModules.Escape_1.0.0").Live!.Status!;

            Assert.Multiple(() =>
            {
                Assert.That(results["writeDataDirectory"]!.GetValue<string>(), Is.EqualTo("allowed"));
                Assert.That(results["bindAllowedTcpPort"]!.GetValue<string>(), Is.EqualTo("allowed"));
                Assert.That(results["readOtherFile"]!.GetValue<string>(), Does.StartWith("denied"), "Landlock keeps a module to its own files");
                Assert.That(results["writeTmp"]!.GetValue<string>(), Does.StartWith("denied"));
                Assert.That(results["execShell"]!.GetValue<string>(), Does.StartWith("denied"), "a module cannot start programs");
                Assert.That(results["bindForbiddenTcpPort"]!.GetValue<string>(), Does.StartWith("denied"), "ports outside the user's policy are refused by the sandbox");
                Assert.That(results["serverSocketsForbiddenPort"]!.GetValue<string>(), Does.Contain("ModulePolicyException").And.Contain("8080"));
            });
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Test]
    public async Task EchoModule_SendsRepliesFromTheNodeAndDropsTheRequests()
    {
        await using var path = await RouterPath.StartAsync();
        await path.InstallAsync(path.Setup("NetServ.TestModules.Echo", "tests/TestModules/Echo"));
        using var replies = UdpReceiver.Start(path.Path.Sender.Namespace, new IPEndPoint(IPAddress.Parse("198.18.0.1"), 40001));
        using var receiver = UdpReceiver.Start(path.Path.Receiver.Namespace, RouterPath.ReceiverEndPoint);

        replies.Send(RouterPath.ReceiverEndPoint, UdpSender.Numbered("ping", 100), 500);
        replies.WaitFor(100, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(replies.Payloads.Select(p => Encoding.ASCII.GetString(p)), Is.EqualTo(UdpSender.Numbered("ping", 100).Select(p => "echo:" + Encoding.ASCII.GetString(p))));
            Assert.That(replies.Senders.Distinct(), Is.EqualTo(new[] { RouterPath.ReceiverEndPoint }), "the replies come from the address the requests went to");
            Assert.That(receiver.Count, Is.Zero, "the requests were dropped");
        });
    }

    [Test]
    public async Task ContainerWithoutModuleLayer_AcceptsQueuedPacketsAndRefusesModules()
    {
        await using var path = await RouterPath.StartAsync(noModuleLayer: true);
        var response = await path.Node.SetupAsync(path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor"));
        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.ServiceUnavailable));
        Assert.That(response.Headers[NslpHeaderNames.Error], Does.Contain("without a module layer"));

        var queue = (await path.Node.StatusAsync()).ContainerOf("alice").Queue;
        path.Path.Router.Namespace.ExecChecked("iptables", "-I", "FORWARD", "-p", "udp", "--dport", "5060", "-j", "NFQUEUE", "--queue-num", queue.ToString(CultureInfo.InvariantCulture));
        var received = path.SendAndReceive("bare", 500);

        Assert.That(received, Has.Count.EqualTo(500));
        var packets = (await path.Node.StatusAsync()).ContainerOf("alice").Packets;
        Assert.That(packets?.Received, Is.EqualTo(500), "every packet crossed the container");
    }
}
