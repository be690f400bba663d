using System.Net;
using Microsoft.Extensions.Time.Testing;
using NetServ.Apps.KeepAlive.Server;

namespace NetServ.Apps.KeepAlive.Tests.Server;

[TestFixture]
public sealed class KeepAliveRateTests
{
    private static readonly IPEndPoint Alice = IPEndPoint.Parse("198.18.1.1:40000");
    private static readonly IPEndPoint Bob = IPEndPoint.Parse("198.18.1.7:40000");
    private readonly FakeTimeProvider _time = new();

    [Test]
    public void Record_ThresholdReachedWithinTheWindow_SignalsOnce()
    {
        var rate = new KeepAliveRate(3, TimeSpan.FromSeconds(60), _time);

        var signals = Enumerable.Range(0, 6).Select(_ => Step(rate, Alice, TimeSpan.FromSeconds(1))).ToArray();

        Assert.That(signals, Is.EqualTo(new[] { false, false, true, false, false, false }));
    }

    [Test]
    public void Record_KeepAlivesSlowerThanTheThreshold_NeverSignal()
    {
        var rate = new KeepAliveRate(3, TimeSpan.FromSeconds(30), _time);

        var signals = Enumerable.Range(0, 10).Select(_ => Step(rate, Alice, TimeSpan.FromSeconds(15))).ToArray();

        Assert.That(signals, Has.None.True);
    }

    [Test]
    public void Record_StillBusyAWindowAfterSignaling_SignalsAgain()
    {
        var rate = new KeepAliveRate(2, TimeSpan.FromSeconds(10), _time);

        var signals = Enumerable.Range(0, 12).Select(_ => Step(rate, Alice, TimeSpan.FromSeconds(1))).ToArray();

        Assert.That(Array.IndexOf(signals, true), Is.EqualTo(1));
        Assert.That(signals.Count(s => s), Is.EqualTo(2), "once more after the window, in case the SETUP failed");
    }

    [Test]
    public void Record_EachUserAgent_IsCountedApart()
    {
        var rate = new KeepAliveRate(2, TimeSpan.FromSeconds(60), _time);

        Step(rate, Alice, TimeSpan.Zero);
        var bob = Step(rate, Bob, TimeSpan.Zero);
        var alice = Step(rate, Alice, TimeSpan.Zero);

        Assert.That((bob, alice), Is.EqualTo((false, true)));
        Assert.That(rate.Totals(), Is.EquivalentTo(new Dictionary<IPEndPoint, long> { [Alice] = 2, [Bob] = 1 }));
    }

    private bool Step(KeepAliveRate rate, IPEndPoint agent, TimeSpan advance)
    {
        var signal = rate.Record(agent, out _, out _);
        _time.Advance(advance);
        return signal;
    }
}
