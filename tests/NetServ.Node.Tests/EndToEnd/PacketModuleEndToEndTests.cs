using System.Diagnostics;
using System.Text;
using NetServ.Contracts.Status;
using NetServ.Signaling.Nslp;
using NetServ.TestSupport.Traffic;
using NetServ.Testbed.Nodes;
using NetServ.Traffic;

namespace NetServ.Node.Tests.EndToEnd;

/// <summary>
/// Modules that drop, rewrite, throw, hang or exhaust memory, and a container killed mid-stream:
/// traffic keeps flowing, the container comes back, and netservd keeps serving every user.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PacketModuleEndToEndTests
{
    [SetUp]
    public void SetUp() => RequiresRoot.Check();

    [Test]
    public async Task DropModule_DropsEveryPacketOfItsFilter()
    {
        await using var path = await RouterPath.StartAsync();
        await path.InstallAsync(path.Setup("NetServ.TestModules.Drop", "tests/TestModules/Drop"));

        var received = path.SendAndReceive("drop", 300, quiet: TimeSpan.FromMilliseconds(700));

        Assert.That(received, Is.Empty);
        var container = (await path.Node.StatusAsync()).ContainerOf("alice");
        Assert.That(container.Packets!.Dropped, Is.EqualTo(300));
    }

    [Test]
    public async Task RewriteModule_ReceiverGetsTheNewPayloadWithValidChecksums()
    {
        await using var path = await RouterPath.StartAsync();
        await path.InstallAsync(path.Setup("NetServ.TestModules.Rewrite", "tests/TestModules/Rewrite") with { Properties = "marker=NETSERV:" });
        using var capture = RawUdpCapture.Start(path.Path.Receiver.Namespace, RouterPath.Port);

        var received = path.SendAndReceive("payload", 200);

        Assert.That(received, Is.EqualTo(UdpSender.Numbered("payload", 200).Select(p => "NETSERV:" + Encoding.ASCII.GetString(p))));
        var packets = capture.Packets;
        Assert.That(packets, Has.Count.EqualTo(200));
        Assert.That(packets.All(RawUdpCapture.HasValidChecksums), Is.True, "IPv4 and UDP checksums and lengths must be valid after the rewrite");
    }

    [Test]
    public async Task ThrowingModule_PacketsPassUnchangedAndErrorsAreCounted()
    {
        await using var path = await RouterPath.StartAsync();
        await path.InstallAsync(path.Setup("NetServ.TestModules.Throw", "tests/TestModules/Throw"));

        var received = path.SendAndReceive("throw", 300);

        Assert.That(received, Is.EqualTo(UdpSender.Numbered("throw", 300).Select(p => Encoding.ASCII.GetString(p))), "the module damaged the packet before throwing; the original must pass");
        static ModuleCounters? Counters(NodeStatus status) => RouterPathStatus.Module(status, "alice", "NetServ.TestModules.Throw_1.0.0").Live?.Counters;
        var counters = Counters(await path.Node.WaitForStatusAsync(s => Counters(s)?.Errors == 300, TimeSpan.FromSeconds(5)))!;
        Assert.That(counters.LastError, Is.EqualTo("InvalidOperationException: this module always fails"), "status says what the module threw");
    }

    [Test]
    public async Task HangingModule_IsUnloadedTrafficFlowsAndTheContainerComesBack()
    {
        await using var path = await RouterPath.StartAsync(hangTimeoutMs: 500);
        await path.InstallAsync(path.Setup("NetServ.TestModules.Hang", "tests/TestModules/Hang"));
        var pidBefore = (await path.Node.StatusAsync()).ContainerOf("alice").Pid;

        using var receiver = UdpReceiver.Start(path.Path.Receiver.Namespace, RouterPath.ReceiverEndPoint);
        UdpSender.Send(path.Path.Sender.Namespace, RouterPath.ReceiverEndPoint, [Encoding.ASCII.GetBytes("HANG now")], 1);
        await Task.Delay(1500);
        UdpSender.Send(path.Path.Sender.Namespace, RouterPath.ReceiverEndPoint, UdpSender.Numbered("after", 200), 1000);
        receiver.WaitFor(201, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

        var payloads = receiver.Payloads.Select(p => Encoding.ASCII.GetString(p)).ToArray();
        Assert.That(payloads, Does.Contain("HANG now"), "the packet the module hung on is released (fail-open)");
        Assert.That(payloads.Count(p => p.StartsWith("after-", StringComparison.Ordinal)), Is.EqualTo(200), "traffic keeps flowing");
        var status = await path.Node.WaitForStatusAsync(
            s => s.ContainerOf("alice") is var c && c.State == ContainerState.Ready && c.Restarts >= 1,
            TimeSpan.FromSeconds(20));
        var alice = status.ContainerOf("alice");
        Assert.Multiple(() =>
        {
            Assert.That(alice.Pid, Is.Not.EqualTo(pidBefore), "the container was recycled to free the stuck thread");
            Assert.That(alice.Modules, Is.Empty, "the hung module is not reinstalled");
            Assert.That(status.Forwarding.Rules, Is.Empty);
            Assert.That(status.RecentFailures.Select(f => f.Reason), Does.Contain("hung"));
        });
        await AssertNodeStillServesAsync(path, "alice");
    }

    [Test]
    public async Task MemoryHungryModule_TakesDownOnlyItsContainerWhichComesBack()
    {
        await using var path = await RouterPath.StartAsync(memoryLimitMb: 160);
        await path.InstallAsync(path.Setup("NetServ.TestModules.Alloc", "tests/TestModules/Alloc"));
        await path.InstallAsync(path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor", user: "bob") with { FilterPort = 5061 });
        var bobBefore = (await path.Node.StatusAsync()).ContainerOf("bob").Pid;

        // 1 MB kept per packet: well past 160 MB.
        var received = path.SendAndReceive("alloc", 400, packetsPerSecond: 200);

        Assert.That(received.Count, Is.GreaterThanOrEqualTo(380), "traffic keeps flowing while the container dies and comes back (only packets queued at the moment of death may be lost)");
        var status = await path.Node.WaitForStatusAsync(
            s => s.ContainerOf("alice") is var c && c.State == ContainerState.Ready && c.Modules.Count == 0,
            TimeSpan.FromSeconds(30));
        var bob = status.ContainerOf("bob");
        Assert.Multiple(() =>
        {
            Assert.That(status.ContainerOf("alice").Restarts, Is.GreaterThanOrEqualTo(1));
            Assert.That(status.RecentFailures.Select(f => f.Module), Does.Contain("NetServ.TestModules.Alloc_1.0.0"));
            Assert.That(bob.Pid, Is.EqualTo(bobBefore), "bob's container is untouched");
            Assert.That(bob.Modules, Has.Count.EqualTo(1));
        });
        await AssertNodeStillServesAsync(path, "alice");
    }

    [Test]
    public async Task ContainerKilledMidStream_TrafficKeepsFlowingAndModulesAreReinstalled()
    {
        await using var path = await RouterPath.StartAsync();
        await path.InstallAsync(path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor"));
        var pid = (await path.Node.StatusAsync()).ContainerOf("alice").Pid!.Value;

        HashSet<string> payloads;
        using (var receiver = UdpReceiver.Start(path.Path.Receiver.Namespace, RouterPath.ReceiverEndPoint))
        {
            var sending = Task.Run(() => UdpSender.Send(path.Path.Sender.Namespace, RouterPath.ReceiverEndPoint, UdpSender.Numbered("kill", 3000), 1000));
            await Task.Delay(1000);
            Process.GetProcessById(pid).Kill();
            await sending;
            receiver.WaitFor(3000, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
            payloads = receiver.Payloads.Select(p => Encoding.ASCII.GetString(p)).ToHashSet();
        }

        Assert.That(payloads.Count, Is.GreaterThanOrEqualTo(2900), "at most the packets queued in the dead container are lost");
        Assert.That(Enumerable.Range(2501, 500).All(i => payloads.Contains($"kill-{i:D6}")), Is.True, "the end of the stream arrives");
        var status = await path.Node.WaitForStatusAsync(
            s => s.ContainerOf("alice") is var c && c.State == ContainerState.Ready && c.Modules.Count == 1 && c.Pid != pid,
            TimeSpan.FromSeconds(20));
        Assert.That(status.Forwarding.Rules, Has.Count.EqualTo(1));

        // The reinstalled NetMonitor counts again.
        static long Total(NodeStatus status) =>
            RouterPathStatus.Module(status, "alice", "NetServ.Apps.NetMonitor_1.0.0").Live!.Status!["totalPackets"]!.GetValue<long>();
        var before = Total(await path.Node.StatusAsync());
        path.SendAndReceive("again", 100);
        Assert.That(Total(await path.Node.StatusAsync()) - before, Is.EqualTo(100));
    }

    [Test]
    public async Task ModuleCrashingItsContainer_IsBlamedAndNotReinstalled()
    {
        await using var path = await RouterPath.StartAsync();
        var crash = ModuleSetup.ForPackage(BuildOutputs.EnsurePackage("NetServ.TestModules.Crash", "tests/TestModules/Crash"), "alice", path.Packages.UrlOf);
        await path.InstallAsync(path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor"));
        await path.InstallAsync(crash);

        var status = await path.Node.WaitForStatusAsync(
            s => s.ContainerOf("alice") is var c && c.State == ContainerState.Ready && c.Restarts >= 1
                && c.Modules.Count == 1,
            TimeSpan.FromSeconds(20));
        var modules = status.ContainerOf("alice").Modules.Select(m => m.Name);
        Assert.That(modules, Is.EqualTo(new[] { "NetServ.Apps.NetMonitor_1.0.0" }), "the innocent module is reinstalled, the culprit is not");
        Assert.That(status.RecentFailures.Select(f => f.Reason), Does.Contain("crashed"));
    }

    private static async Task AssertNodeStillServesAsync(RouterPath path, string user)
    {
        await path.InstallAsync(path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor", user) with { FilterPort = 5062 });
        var removed = await path.Node.RemoveAsync("NetServ.Apps.NetMonitor_1.0.0", user);
        Assert.That(removed.StatusCode, Is.EqualTo(NslpStatus.Ok));
    }
}
