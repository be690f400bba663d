using Microsoft.Extensions.Time.Testing;
using NetServ.Networking;
using NetServ.Node.Signaling;
using NetServ.Signaling.Gist;
using NetServ.Signaling.Nslp;

namespace NetServ.Node.Tests.Signaling;

[TestFixture]
public sealed class AnsweredRequestsTests
{
    private static readonly TimeSpan Keep = TimeSpan.FromMinutes(10);
    private static readonly GistPathCoupledMri Flow = new() { SourceAddress = Ipv4Address.Parse("198.18.1.1"), DestinationAddress = Ipv4Address.Parse("198.18.4.2") };
    private static readonly byte[] Setup = "SETUP NetServ.Apps.NetMonitor_1.0.0 NETSERV/0.1\r\nuser:alice\r\nnonce:00ff\r\n\r\n"u8.ToArray();

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Test]
    public async Task GetOrStart_SameRequestAgain_GetsTheFirstAnswerAndActsOnce()
    {
        var answered = new AnsweredRequests(_time, Keep, 100);
        var acted = 0;
        Task<PathResponse> Act()
        {
            acted++;
            return Task.FromResult(Stack("installed"));
        }

        var first = await answered.GetOrStart(RequestKey.Of(Setup, Flow), Act, out var firstRepeated);
        var again = await answered.GetOrStart(RequestKey.Of(Setup.ToArray(), Flow), Act, out var repeated);

        Assert.That(firstRepeated, Is.False);
        Assert.That(repeated, Is.True);
        Assert.That(acted, Is.EqualTo(1), "installed once");
        Assert.That(again, Is.SameAs(first));
    }

    [Test]
    public void GetOrStart_RepeatWhileTheFirstIsStillWorkedOn_GetsThatUnfinishedAnswer()
    {
        var answered = new AnsweredRequests(_time, Keep, 100);
        var slow = new TaskCompletionSource<PathResponse>();

        var first = answered.GetOrStart(RequestKey.Of(Setup, Flow), () => slow.Task, out _);
        var again = answered.GetOrStart(RequestKey.Of(Setup, Flow), () => throw new AssertionException("acted twice"), out var repeated);

        Assert.That(repeated, Is.True);
        Assert.That(again.IsCompleted, Is.False);
        slow.SetResult(Stack("installed"));
        Assert.That(again.Result, Is.SameAs(first.Result));
    }

    [Test]
    public void GetOrStart_RequestDifferingInOneByte_IsNotARepeat()
    {
        var answered = new AnsweredRequests(_time, Keep, 100);
        var other = Setup.ToArray();
        other[^5] ^= 1;

        answered.GetOrStart(RequestKey.Of(Setup, Flow), () => Task.FromResult(Stack("installed")), out _);
        answered.GetOrStart(RequestKey.Of(other, Flow), () => Task.FromResult(Stack("other")), out var repeated);

        Assert.That(repeated, Is.False, "a changed request meets the authenticator, which refuses a reused nonce");
    }

    [Test]
    public void GetOrStart_SameBytesForAnotherFlow_IsNotARepeat()
    {
        var answered = new AnsweredRequests(_time, Keep, 100);
        var otherFlow = Flow with { DestinationAddress = Ipv4Address.Parse("198.18.4.3") };

        answered.GetOrStart(RequestKey.Of(Setup, Flow), () => Task.FromResult(Stack("installed")), out _);
        answered.GetOrStart(RequestKey.Of(Setup, otherFlow), () => Task.FromResult(Stack("installed")), out var repeated);

        Assert.That(repeated, Is.False);
    }

    [Test]
    public void GetOrStart_AfterTheKeepTime_ActsAgain()
    {
        var answered = new AnsweredRequests(_time, Keep, 100);
        answered.GetOrStart(RequestKey.Of(Setup, Flow), () => Task.FromResult(Stack("installed")), out _);

        _time.Advance(Keep);
        answered.GetOrStart(RequestKey.Of(Setup, Flow), () => Task.FromResult(Stack("installed")), out var stillKept);
        _time.Advance(TimeSpan.FromTicks(1));
        answered.GetOrStart(RequestKey.Of("PROBE * NETSERV/0.1\r\n\r\n"u8, Flow), () => Task.FromResult(Stack("probe")), out _);

        Assert.That(stillKept, Is.True, "kept for the whole keep time");
        Assert.That(answered.Count, Is.EqualTo(1), "only the new request: the SETUP's answer is forgotten");
    }

    [Test]
    public void GetOrStart_WorkThatFailed_IsWorkedOnAgainWhenRepeated()
    {
        var answered = new AnsweredRequests(_time, Keep, 100);
        var failed = answered.GetOrStart(RequestKey.Of(Setup, Flow), () => Task.FromException<PathResponse>(new InvalidOperationException("container died")), out _);

        var again = answered.GetOrStart(RequestKey.Of(Setup, Flow), () => Task.FromResult(Stack("installed")), out var repeated);

        Assert.That(failed.IsFaulted, Is.True);
        Assert.That(repeated, Is.False);
        Assert.That(again.Result.Nodes.Single().Error, Is.EqualTo("installed"));
    }

    [Test]
    public void GetOrStart_BeyondCapacity_ForgetsTheOldestFirst()
    {
        var answered = new AnsweredRequests(_time, Keep, 2);
        var requests = Enumerable.Range(0, 3).Select(i => RequestKey.Of([.. Setup, (byte)i], Flow)).ToArray();
        foreach (var request in requests)
        {
            answered.GetOrStart(request, () => Task.FromResult(Stack("installed")), out _);
        }

        answered.GetOrStart(requests[2], () => Task.FromResult(Stack("installed")), out var newestKept);
        answered.GetOrStart(requests[0], () => Task.FromResult(Stack("installed")), out var oldestKept);

        Assert.That(answered.Count, Is.LessThanOrEqualTo(2));
        Assert.That(newestKept, Is.True);
        Assert.That(oldestKept, Is.False);
    }

    // The error field carries a marker so a test can tell answers apart.
    private static PathResponse Stack(string marker) => new()
    {
        Method = NslpMethod.Setup,
        Target = "NetServ.Apps.NetMonitor_1.0.0",
        Nodes = [new NodeResult { Node = "a", Address = "198.18.1.2", Status = NslpStatus.Ok, Error = marker }],
    };
}
