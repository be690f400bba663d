using Microsoft.Extensions.Time.Testing;
using NetServ.Geni.AmApi;
using NetServ.RSpec;

namespace NetServ.Geni.Tests.AmApi;

/// <summary>The poller on a fake clock, against a scripted series of Status answers.</summary>
public sealed class StatusPollerTests
{
    private const string Slice = "urn:publicid:IDN+emulab.net:netserv+slice+exp1";
    private const string Node0 = "urn:publicid:IDN+utah.cloudlab.us+sliver+1001";
    private const string Node1 = "urn:publicid:IDN+utah.cloudlab.us+sliver+1002";

    private static readonly StatusPollerOptions Options = new() { Interval = TimeSpan.FromSeconds(10), Timeout = TimeSpan.FromMinutes(1) };

    private readonly FakeTimeProvider time = new();

    [Test]
    public async Task WaitUntilReady_AllReadyOnThirdAnswer_ReturnsReadyAfterTwoIntervals()
    {
        var answers = Script(
            Status(("geni_configuring", Node0), ("geni_notready", Node1)),
            Status(("geni_ready", Node0), ("geni_configuring", Node1)),
            Status(("geni_ready", Node0), ("geni_ready_busy", Node1)));
        var seen = new List<AmSliceStatus>();

        var wait = new StatusPoller(time).WaitUntilReadyAsync(answers.Next, Options, progress: new SynchronousProgress(seen.Add));
        Advance(2);
        var result = await wait;

        Assert.That(result.Outcome, Is.EqualTo(SliceReadiness.Ready));
        Assert.That(result.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(20)));
        Assert.That(seen, Has.Count.EqualTo(3));
        Assert.That(answers.Calls, Is.EqualTo(3));
    }

    [Test]
    public async Task WaitUntilReady_OneSliverFails_ReturnsFailedNamingTheNode()
    {
        var failed = new AmSliver(Node1, "geni_provisioned", "geni_failed", null, "node failed to boot");
        var answers = Script(
            Status(("geni_configuring", Node0), ("geni_configuring", Node1)),
            new AmSliceStatus(Slice, [new AmSliver(Node0, "geni_provisioned", "geni_ready", null, null), failed]));

        var wait = new StatusPoller(time).WaitUntilReadyAsync(answers.Next, Options, Manifest());
        Advance(1);
        var result = await wait;

        Assert.That(result.Outcome, Is.EqualTo(SliceReadiness.Failed));
        Assert.That(result.Culprits, Is.EqualTo(new[] { new NamedSliver("node1", failed) }));
        Assert.That(result.Describe(), Is.EqualTo($"node1 ({Node1}) failed: node failed to boot"));
    }

    [Test]
    public async Task WaitUntilReady_SliverReleased_ReturnsFailedSayingSo()
    {
        var answers = Script(new AmSliceStatus(Slice, [new AmSliver(Node0, "geni_unallocated", null, null, null)]));

        var result = await new StatusPoller(time).WaitUntilReadyAsync(answers.Next, Options);

        Assert.That(result.Outcome, Is.EqualTo(SliceReadiness.Failed));
        Assert.That(result.Describe(), Is.EqualTo($"{Node0} failed: the aggregate released it"));
    }

    [Test]
    public async Task WaitUntilReady_NeverReady_TimesOutNamingTheNodesNotReady()
    {
        var answers = Script(Status(("geni_ready", Node0), ("geni_configuring", Node1)));

        var wait = new StatusPoller(time).WaitUntilReadyAsync(answers.Next, Options, Manifest());
        Advance(5);
        Assert.That(wait.IsCompleted, Is.False, "still waiting after 50 s of a 60 s timeout");
        Advance(1);
        var result = await wait;

        Assert.That(result.Outcome, Is.EqualTo(SliceReadiness.TimedOut));
        Assert.That(result.Culprits.Select(c => c.Name), Is.EqualTo(new[] { "node1" }));
        Assert.That(result.Describe(), Is.EqualTo($"not ready after 60 s: node1 ({Node1}) is geni_configuring"));
    }

    [Test]
    public async Task WaitUntilReady_Busy_IsWaitedOut()
    {
        var calls = 0;
        var result = new StatusPoller(time).WaitUntilReadyAsync(
            _ => ++calls == 1
                ? throw AmApiException.FromCode("Status", Aggregates.Resolve("emulab"), GeniCode.BUSY, null, null, "slice is busy")
                : Task.FromResult(Status(("geni_ready", Node0))),
            Options);
        Advance(1);

        Assert.That((await result).Outcome, Is.EqualTo(SliceReadiness.Ready));
        Assert.That(calls, Is.EqualTo(2));
    }

    [Test]
    public void WaitUntilReady_OtherError_Propagates()
    {
        var refused = AmApiException.FromCode("Status", Aggregates.Resolve("emulab"), GeniCode.SEARCHFAILED, null, null, "no such slice");

        var e = Assert.ThrowsAsync<AmApiException>(() => new StatusPoller(time).WaitUntilReadyAsync(_ => throw refused, Options))!;

        Assert.That(e, Is.SameAs(refused));
    }

    [Test]
    public async Task WaitUntilReady_StatusHangsPastTimeout_TimesOut()
    {
        var wait = new StatusPoller(time).WaitUntilReadyAsync(
            async token =>
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
                return Status();
            },
            Options);
        time.Advance(Options.Timeout);
        var result = await wait;

        Assert.That((result.Outcome, result.Last), Is.EqualTo((SliceReadiness.TimedOut, (AmSliceStatus?)null)));
        Assert.That(result.Describe(), Is.EqualTo("not ready after 60 s: the aggregate listed no slivers"));
    }

    private void Advance(int intervals)
    {
        for (var i = 0; i < intervals; i++)
        {
            time.Advance(Options.Interval);
        }
    }

    private static AmSliceStatus Status(params (string Operational, string Urn)[] slivers)
        => new(Slice, slivers.Select(s => new AmSliver(s.Urn, "geni_provisioned", s.Operational, null, null)).ToList());

    private static ScriptedStatus Script(params AmSliceStatus[] answers) => new(answers);

    private static ManifestRSpec Manifest()
        => new([
            new ManifestNode("node0", Node0, null, null, null, [], []),
            new ManifestNode("node1", Node1, null, null, null, [], []),
        ]);

    /// <summary>Answers in order, then the last one for ever.</summary>
    private sealed class ScriptedStatus(AmSliceStatus[] answers)
    {
        public int Calls { get; private set; }

        public Task<AmSliceStatus> Next(CancellationToken cancellationToken)
            => Task.FromResult(answers[Math.Min(Calls++, answers.Length - 1)]);
    }

    // Progress<T> posts to the thread pool; the test wants each report before the next poll.
    private sealed class SynchronousProgress(Action<AmSliceStatus> report) : IProgress<AmSliceStatus>
    {
        public void Report(AmSliceStatus value) => report(value);
    }
}
