using Microsoft.Extensions.Time.Testing;
using NetServ.Node.Containers;

namespace NetServ.Node.Tests.Containers;

/// <summary>Whether a container whose process ended is started again, why, and after how long.</summary>
[TestFixture]
public sealed class ContainerRestartPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Quick = TimeSpan.FromMilliseconds(100);

    [Test]
    public void RestartReason_KilledBySignal_IsADeathThatNamesTheSignal()
    {
        var reason = ContainerRestartPolicy.RestartReason(Exit(137));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason?.Cause, Is.EqualTo(ContainerRestartCause.Died));
            Assert.That(reason?.IsUnexplainedDeath, Is.True);
            Assert.That(reason?.ToString(), Is.EqualTo("the container died (killed by signal 9)"));
        }
    }

    [Test]
    public void RestartReason_ExitedWithACode_IsADeathThatNamesTheCode()
    {
        var reason = ContainerRestartPolicy.RestartReason(Exit(1));

        Assert.That(reason?.ToString(), Is.EqualTo("the container died (exit code 1)"));
    }

    [Test]
    public void RestartReason_OomKill_IsRunningOutOfMemory()
    {
        var exit = Exit(137, outOfMemory: true);

        var reason = ContainerRestartPolicy.RestartReason(exit);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reason?.Cause, Is.EqualTo(ContainerRestartCause.OutOfMemory));
            Assert.That(reason?.IsUnexplainedDeath, Is.True);
            Assert.That(reason?.ToString(), Is.EqualTo("the container ran out of memory"));
            Assert.That(exit.Description, Is.EqualTo("killed by the kernel: out of memory"));
        }
    }

    [Test]
    public void RestartReason_StopOrRecycleByTheNode_RestartsNothing()
    {
        Assert.That(ContainerRestartPolicy.RestartReason(Exit(0, intentional: true)), Is.Null);
    }

    [Test]
    public void RestartReason_ExitOfAProcessAlreadyReplaced_RestartsNothing()
    {
        Assert.That(ContainerRestartPolicy.RestartReason(Exit(137, superseded: true)), Is.Null);
    }

    [Test]
    public void RestartReason_NodeShuttingDown_RestartsNothing()
    {
        Assert.That(ContainerRestartPolicy.RestartReason(Exit(143, nodeStopping: true)), Is.Null);
    }

    [Test]
    public void Reasons_OfRestartsTheNodeAskedFor_AreNoUnexplainedDeaths()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ContainerRestartReason.ModuleRecycled("NetServ.Apps.NetMonitor_1.0.0", "hung").IsUnexplainedDeath, Is.False);
            Assert.That(ContainerRestartReason.FirstStartFailed("netserv-sandbox did not start").ToString(), Is.EqualTo("first start failed: netserv-sandbox did not start"));
            Assert.That(ContainerRestartReason.FirstStartFailed("netserv-sandbox did not start").IsUnexplainedDeath, Is.False);
            Assert.That(ContainerRestartReason.RecycleFailed("no hello").ToString(), Is.EqualTo("restart after recycle failed: no hello"));
            Assert.That(ContainerRestartReason.RecycleFailed("no hello").IsUnexplainedDeath, Is.False);
        }
    }

    [Test]
    public void NextDelay_DeathsUpToTheLimitPerMinute_RestartAtOnce()
    {
        var time = new FakeTimeProvider(T0);
        var policy = new ContainerRestartPolicy(maxRestartsPerMinute: 3, time);
        var crashes = new List<DateTimeOffset>();

        var delays = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            delays.Add(policy.NextDelay(crashes));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.That(delays, Is.EqualTo(new[] { Quick, Quick, Quick }));
    }

    [Test]
    public void NextDelay_DeathsBeyondTheLimit_BackOffDoublingUpTo30Seconds()
    {
        var time = new FakeTimeProvider(T0);
        var policy = new ContainerRestartPolicy(maxRestartsPerMinute: 3, time);
        var crashes = new List<DateTimeOffset>();

        var delays = new List<TimeSpan>();
        for (var i = 0; i < 9; i++)
        {
            delays.Add(policy.NextDelay(crashes));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.That(delays.Skip(3).Select(d => d.TotalSeconds), Is.EqualTo(new[] { 2.0, 4.0, 8.0, 16.0, 30.0, 30.0 }));
    }

    [Test]
    public void NextDelay_AfterAMinuteWithoutDeaths_RestartsAtOnceAgain()
    {
        var time = new FakeTimeProvider(T0);
        var policy = new ContainerRestartPolicy(maxRestartsPerMinute: 1, time);
        var crashes = new List<DateTimeOffset>();
        _ = policy.NextDelay(crashes);
        Assert.That(policy.NextDelay(crashes), Is.EqualTo(TimeSpan.FromSeconds(2)), "the second death within the minute backs off");

        time.Advance(TimeSpan.FromSeconds(61));

        Assert.That(policy.NextDelay(crashes), Is.EqualTo(Quick));
        Assert.That(crashes, Is.EqualTo(new[] { T0 + TimeSpan.FromSeconds(61) }), "older deaths are forgotten");
    }

    private static ContainerExit Exit(int code, bool outOfMemory = false, bool intentional = false, bool superseded = false, bool nodeStopping = false) =>
        new(code, outOfMemory, intentional, superseded, nodeStopping);
}
