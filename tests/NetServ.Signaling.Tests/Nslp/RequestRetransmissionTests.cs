using Microsoft.Extensions.Time.Testing;
using NetServ.Signaling.Nslp;

namespace NetServ.Signaling.Tests.Nslp;

[TestFixture]
public sealed class RequestRetransmissionTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);
    private static readonly RetransmissionSchedule Schedule = new() { Initial = TimeSpan.FromMilliseconds(100), Max = TimeSpan.FromMilliseconds(400) };

    [Test]
    public async Task SendUntilAnswered_TwoAnswersLost_SendsAgainAfterDoublingWaitsAndReturnsTheThirdAnswer()
    {
        using var run = new Run();
        var answer = new TaskCompletionSource<string>();
        run.OnSend = count =>
        {
            // The answers to the first two sendings are lost on the way back.
            if (count == 3)
            {
                answer.SetResult("200 OK");
            }
        };

        var result = run.Start(answer.Task, TimeSpan.FromSeconds(3));
        await run.AdvanceAndExpectSendAsync(TimeSpan.FromMilliseconds(100));
        await run.AdvanceAndExpectSendAsync(TimeSpan.FromMilliseconds(200));

        Assert.That(await result.WaitAsync(Guard), Is.EqualTo("200 OK"));
        Assert.That(run.Sent, Is.EqualTo(new[] { T0, T0.AddMilliseconds(100), T0.AddMilliseconds(300) }));
    }

    [Test]
    public async Task SendUntilAnswered_WaitsStopDoublingAtTheMaximum()
    {
        using var run = new Run();
        var answer = new TaskCompletionSource<string>();
        var result = run.Start(answer.Task, TimeSpan.FromSeconds(3));

        foreach (var wait in new[] { 100, 200, 400, 400, 400 })
        {
            await run.AdvanceAndExpectSendAsync(TimeSpan.FromMilliseconds(wait));
        }

        answer.SetResult("200 OK");
        Assert.That(await result.WaitAsync(Guard), Is.EqualTo("200 OK"));
        Assert.That(run.Sent.Select(t => (t - T0).TotalMilliseconds), Is.EqualTo(new[] { 0, 100, 300, 700, 1100, 1500 }));
    }

    [Test]
    public async Task SendUntilAnswered_NoAnswer_ThrowsTimeoutAtTheDeadlineAfterTheScheduledSendings()
    {
        using var run = new Run();
        var never = new TaskCompletionSource<string>();
        var result = run.Start(never.Task, TimeSpan.FromMilliseconds(500));

        await run.AdvanceAndExpectSendAsync(TimeSpan.FromMilliseconds(100));
        await run.AdvanceAndExpectSendAsync(TimeSpan.FromMilliseconds(200));
        run.Time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.That(result.IsCompleted, Is.False, "1 ms before the deadline");
        run.Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.ThrowsAsync<TimeoutException>(async () => await result.WaitAsync(Guard));
        Assert.That(run.Sent, Has.Count.EqualTo(3), "nothing is sent at the deadline");
    }

    [Test]
    public void SendUntilAnswered_AnswerFails_ThrowsItsExceptionWithoutSendingAgain()
    {
        using var run = new Run();
        var answer = new TaskCompletionSource<string>();
        run.OnSend = _ => answer.SetException(new InvalidOperationException("no NetServ node on the path"));

        var result = run.Start(answer.Task, TimeSpan.FromSeconds(3));

        Assert.ThrowsAsync<InvalidOperationException>(async () => await result.WaitAsync(Guard));
        Assert.That(run.Sent, Has.Count.EqualTo(1));
    }

    [Test]
    public void Schedule_WithAZeroWait_IsRefused()
    {
        using var run = new Run();

        Assert.ThrowsAsync<ArgumentException>(() => RequestRetransmission.SendUntilAnsweredAsync(Task.FromResult(1), () => { }, new RetransmissionSchedule { Initial = TimeSpan.Zero }, TimeSpan.FromSeconds(1), run.Time, CancellationToken.None));
    }

    /// <summary>A retransmission on a fake clock: records each sending's time and lets the test wait for the next one.</summary>
    private sealed class Run : IDisposable
    {
        private readonly SemaphoreSlim _sent = new(0);

        public FakeTimeProvider Time { get; } = new(T0);

        public List<DateTimeOffset> Sent { get; } = [];

        public Action<int> OnSend { get; set; } = _ => { };

        public Task<string> Start(Task<string> answer, TimeSpan timeout) =>
            RequestRetransmission.SendUntilAnsweredAsync(
                answer,
                () =>
                {
                    lock (Sent)
                    {
                        Sent.Add(Time.GetUtcNow());
                        OnSend(Sent.Count);
                    }

                    _sent.Release();
                },
                Schedule,
                timeout,
                Time,
                CancellationToken.None);

        public void Dispose() => _sent.Dispose();

        /// <summary>Moves the clock to 1 ms before the next sending is due (none may happen), then to it (one must).</summary>
        public async Task AdvanceAndExpectSendAsync(TimeSpan wait)
        {
            Assert.That(await _sent.WaitAsync(Guard), Is.True, "the previous sending never happened");
            Time.Advance(wait - TimeSpan.FromMilliseconds(1));
            Assert.That(_sent.CurrentCount, Is.Zero, $"sent again before {wait.TotalMilliseconds} ms");
            Time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.That(await _sent.WaitAsync(Guard), Is.True, $"not sent again after {wait.TotalMilliseconds} ms");
            _sent.Release();
        }
    }
}
