using NetServ.Contracts.Control;
using NetServ.Node.Containers;

namespace NetServ.Node.Tests.Control;

/// <summary>The crash policy: what becomes of a user's modules when a module fails or the container comes back.</summary>
[TestFixture]
public sealed class ContainerRecoveryTests
{
    private static readonly ContainerRestartReason Killed = ContainerRestartReason.Died("killed by signal 9");

    [Test]
    public async Task ContainerRestarted_AfterADeath_ReinstallsTheModulesInTheOrderTheyWereInstalled()
    {
        await using var rig = await TwoModulesAsync();

        await rig.Recovery.ContainerRestartedAsync("alice", Killed);

        Assert.That(rig.Containers.RequestsOf<InstallModuleMessage>().Select(m => m.Module), Is.EqualTo(new[] { ControlRig.NetMonitor, ControlRig.KeepAlive }));
        Assert.That(rig.Table.RecordsOf("alice"), Has.Length.EqualTo(2));
    }

    [Test]
    public async Task ContainerRestarted_DiedThreeTimesWithinAMinute_EvictsTheNewestModule()
    {
        await using var rig = await TwoModulesAsync();

        await rig.Recovery.ContainerRestartedAsync("alice", Killed);
        rig.Time.Advance(TimeSpan.FromSeconds(20));
        await rig.Recovery.ContainerRestartedAsync("alice", Killed);
        rig.Time.Advance(TimeSpan.FromSeconds(20));
        rig.Containers.Requests.Clear();
        await rig.Recovery.ContainerRestartedAsync("alice", Killed);

        var failure = rig.Failures.Snapshot().Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Table.RecordsOf("alice").Select(r => r.Name.ToString()), Is.EqualTo(new[] { ControlRig.NetMonitor }));
            Assert.That(rig.Containers.RequestsOf<InstallModuleMessage>().Select(m => m.Module), Is.EqualTo(new[] { ControlRig.NetMonitor }), "only the older module is put back");
            Assert.That(rig.Rules, Has.None.Contains(ControlRig.KeepAlive));
            Assert.That(failure.Module, Is.EqualTo(ControlRig.KeepAlive));
            Assert.That(failure.Reason, Is.EqualTo("evicted"));
            Assert.That(failure.Detail, Is.EqualTo("the container died 3 times within a minute (the container died (killed by signal 9))"));
        }
    }

    [Test]
    public async Task ContainerRestarted_ThreeDeathsSpreadOverMoreThanAMinute_EvictNothing()
    {
        await using var rig = await TwoModulesAsync();

        await rig.Recovery.ContainerRestartedAsync("alice", Killed);
        rig.Time.Advance(TimeSpan.FromSeconds(40));
        await rig.Recovery.ContainerRestartedAsync("alice", ContainerRestartReason.OutOfMemory("killed by the kernel: out of memory"));
        rig.Time.Advance(TimeSpan.FromSeconds(40));
        await rig.Recovery.ContainerRestartedAsync("alice", Killed);

        Assert.That(rig.Table.RecordsOf("alice"), Has.Length.EqualTo(2));
        Assert.That(rig.Failures.Snapshot(), Is.Empty);
    }

    [Test]
    public async Task ContainerRestarted_RestartsTheNodeAskedFor_AreNotCountedAsDeaths()
    {
        await using var rig = await TwoModulesAsync();

        await rig.Recovery.ContainerRestartedAsync("alice", ContainerRestartReason.ModuleRecycled(ControlRig.NetMonitor, "hung"));
        await rig.Recovery.ContainerRestartedAsync("alice", ContainerRestartReason.RecycleFailed("the container of alice did not say hello within 30 s"));
        await rig.Recovery.ContainerRestartedAsync("alice", ContainerRestartReason.FirstStartFailed("netserv-sandbox did not start"));
        await rig.Recovery.ContainerRestartedAsync("alice", Killed);
        await rig.Recovery.ContainerRestartedAsync("alice", Killed);

        Assert.That(rig.Table.RecordsOf("alice"), Has.Length.EqualTo(2), "two deaths and three restarts of the node's own");
    }

    [Test]
    public async Task ContainerRestarted_ModuleThatNoLongerLoads_IsTakenOutAndRecorded()
    {
        await using var rig = await TwoModulesAsync();
        rig.Containers.Answer = (_, message) => message is InstallModuleMessage { Module: ControlRig.KeepAlive }
            ? new ReplyMessage { Ok = false, Error = "Start threw\nat line 2" }
            : new ReplyMessage { Ok = true };

        await rig.Recovery.ContainerRestartedAsync("alice", Killed);

        var failure = rig.Failures.Snapshot().Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Table.RecordsOf("alice").Select(r => r.Name.ToString()), Is.EqualTo(new[] { ControlRig.NetMonitor }));
            Assert.That(rig.Store.Directories.Where(d => d.Contains(ControlRig.KeepAlive, StringComparison.Ordinal)), Is.Empty);
            Assert.That(failure.Reason, Is.EqualTo("reinstall-failed"));
            Assert.That(failure.Detail, Is.EqualTo("the module failed to load: Start threw at line 2"));
        }
    }

    [Test]
    public async Task ModuleFailed_ThatTheContainerCannotReclaim_DropsTheModuleAndRecyclesTheContainerForThatModule()
    {
        await using var rig = await TwoModulesAsync();

        await rig.Recovery.ModuleFailedAsync("alice", new ModuleFailedMessage { Module = ControlRig.KeepAlive, Reason = ModuleFailureReasons.Hung, Detail = "Process did not return within 1000 ms", RecycleContainer = true });

        var (user, reason) = rig.Containers.Recycles.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rig.Table.Find("alice", ControlRig.KeepAlive), Is.Null);
            Assert.That(rig.Rules, Has.None.Contains(ControlRig.KeepAlive));
            Assert.That(rig.Containers.RequestsOf<RemoveModuleMessage>(), Is.Empty, "the container has already dropped it");
            Assert.That(user, Is.EqualTo("alice"));
            Assert.That(reason.Cause, Is.EqualTo(ContainerRestartCause.Recycled));
            Assert.That(reason.IsUnexplainedDeath, Is.False);
            Assert.That(reason.ToString(), Is.EqualTo("module NetServ.Apps.KeepAlive_1.0.0 hung"));
            Assert.That(rig.Failures.Snapshot().Single().Reason, Is.EqualTo("hung"));
        }
    }

    [Test]
    public async Task ModuleFailed_ThatTheContainerReclaimed_RecyclesNothing()
    {
        await using var rig = await TwoModulesAsync();

        await rig.Recovery.ModuleFailedAsync("alice", new ModuleFailedMessage { Module = ControlRig.NetMonitor, Reason = ModuleFailureReasons.Crashed });

        Assert.That(rig.Containers.Recycles, Is.Empty);
        Assert.That(rig.Table.RecordsOf("alice").Select(r => r.Name.ToString()), Is.EqualTo(new[] { ControlRig.KeepAlive }));
    }

    /// <summary>Alice has NetMonitor and then KeepAlive installed, each with a packet filter; the container's requests so far are forgotten.</summary>
    private static async Task<ControlRig> TwoModulesAsync()
    {
        var rig = await ControlRig.StartAsync();
        await rig.InstalledAsync(ControlRig.Setup("alice", ControlRig.NetMonitor, filterDestinations: "198.19.4.0/24"));
        await rig.InstalledAsync(ControlRig.Setup("alice", ControlRig.KeepAlive, filterDestinations: "198.19.5.0/24"));
        rig.Containers.Requests.Clear();
        return rig;
    }
}
