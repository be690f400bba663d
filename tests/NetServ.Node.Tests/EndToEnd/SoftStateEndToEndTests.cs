using NetServ.Contracts.Status;
using NetServ.Testbed.Nodes;

namespace NetServ.Node.Tests.EndToEnd;

/// <summary>Soft state and restarts: a ttl removes the module everywhere; a refresh extends it; a node that stops or crashes leaves nothing stale.</summary>
[TestFixture]
[NonParallelizable]
public sealed class SoftStateEndToEndTests
{
    private const string Module = "NetServ.Apps.NetMonitor_1.0.0";

    [SetUp]
    public void SetUp() => RequiresRoot.Check();

    [Test]
    public async Task Ttl_ExpiresTheModuleAndItsRules_UnlessRefreshed()
    {
        await using var path = await RouterPath.StartAsync();
        var setup = path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor") with { TtlSeconds = 3 };
        await path.InstallAsync(setup);
        await Task.Delay(2000);

        var refresh = await path.Node.SetupAsync(setup);
        Assert.That(refresh.Headers["refreshed"], Is.EqualTo("true"));
        await Task.Delay(2000);
        Assert.That(await path.RulesAsync(), Has.Count.EqualTo(1), "the refresh moved the expiry");

        // The removal is listed once the module is out everywhere: table, rules, container, files.
        var status = await path.Node.WaitForStatusAsync(s => s.RecentRemovals.Count > 0, TimeSpan.FromSeconds(5));
        Assert.Multiple(() =>
        {
            Assert.That(status.RecentRemovals.Select(r => (r.User, r.Module, r.Reason)), Is.EqualTo(new[] { ("alice", Module, ModuleRemovalReason.TtlExpired) }));
            Assert.That(status.ContainerOf("alice").Modules, Is.Empty);
            Assert.That(status.Forwarding.Rules, Is.Empty);
        });
    }

    [Test]
    public async Task NodeStop_RemovesChainsContainersAndModuleFiles()
    {
        await using var path = await RouterPath.StartAsync();
        await path.InstallAsync(path.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor"));
        var pids = ContainerPids(await path.Node.StatusAsync());
        var state = path.Node.StateDirectory;

        await path.Node.DisposeAsync();

        var rules = path.Path.Router.Namespace.ExecChecked("iptables", "-S").StandardOutput;
        Assert.Multiple(() =>
        {
            Assert.That(rules, Does.Not.Contain("NETSERV"), "the chain and the jump to it are gone");
            Assert.That(pids.All(pid => !IsRunning(pid)), Is.True, "every container process has exited");
            Assert.That(Directory.Exists(state), Is.False, "the node's folders are gone");
        });
    }

    [Test]
    public async Task NodeKilled_ContainersExitAndARestartComesBackWithoutStaleModules()
    {
        await using var first = await RouterPath.StartAsync();
        await first.InstallAsync(first.Setup("NetServ.Apps.NetMonitor", "applications/NetMonitor"));
        var pids = ContainerPids(await first.Node.StatusAsync());

        System.Diagnostics.Process.GetProcessById(first.Node.Pid).Kill();
        await WaitUntilAsync(() => pids.All(pid => !IsRunning(pid)), TimeSpan.FromSeconds(10));
        Assert.That(first.Path.Router.Namespace.ExecChecked("iptables", "-S", "NETSERV").StandardOutput, Does.Contain("NFQUEUE"), "a crash leaves the rule behind...");

        await using var second = await NetServNodeProcess.StartAsync(first.Path.Router.Namespace, first.Node.Options);
        var status = await second.StatusAsync();
        Assert.Multiple(() =>
        {
            Assert.That(status.Forwarding.Rules, Is.Empty, "...which the next start removes");
            Assert.That(status.Containers.SelectMany(c => c.Modules), Is.Empty, "no stale module comes back");
        });
    }

    private static int[] ContainerPids(NodeStatus status) =>
        status.Containers.Select(c => c.Pid ?? throw new AssertionException($"the container of {c.User} has no process")).ToArray();

    private static bool IsRunning(int pid) => File.Exists($"/proc/{pid}/status") && !File.ReadAllText($"/proc/{pid}/status").Contains("State:\tZ", StringComparison.Ordinal);

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "timed out");
            await Task.Delay(100);
        }
    }
}
