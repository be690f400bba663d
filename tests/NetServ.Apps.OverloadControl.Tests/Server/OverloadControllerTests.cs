using Microsoft.Extensions.Time.Testing;
using NetServ.Apps.OverloadControl.Server;

namespace NetServ.Apps.OverloadControl.Tests.Server;

[TestFixture]
public sealed class OverloadControllerTests
{
    private static readonly OverloadOptions Options = new() { Capacity = 50, Threshold = 1.2, TargetFraction = 0.8, ClearTicks = 2 };
    private FakeTimeProvider _time = null!;
    private OverloadController _controller = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider();
        _controller = new OverloadController(Options, _time);
    }

    [Test]
    public void Tick_LoadUnderTheThreshold_DoesNothing()
    {
        Assert.That(_controller.Tick(60), Is.EqualTo(OverloadAction.None));
    }

    [Test]
    public void Tick_LoadPastTheThreshold_SignalsOnceWhileSignaling()
    {
        Assert.That(_controller.Tick(61), Is.EqualTo(OverloadAction.Signal));
        Assert.That(_controller.Tick(200), Is.EqualTo(OverloadAction.None));
    }

    [Test]
    public void Tick_AfterInstallation_SendsTheTargetRateWithRisingSequence()
    {
        _controller.Tick(200);
        _controller.Signaled(installed: true);

        var action = _controller.Tick(40);
        var first = _controller.Feedback(action);
        var second = _controller.Feedback(_controller.Tick(40));

        Assert.That(action, Is.EqualTo(OverloadAction.SendRate));
        Assert.That(first, Is.EqualTo(new OverloadFeedback(FeedbackKind.Rate, 40, 1)));
        Assert.That(second.Sequence, Is.EqualTo(2));
    }

    [Test]
    public void Tick_FailedSetup_RetriesAfterTheRetryTime()
    {
        _controller.Tick(200);
        _controller.Signaled(installed: false);

        Assert.That(_controller.Tick(200), Is.EqualTo(OverloadAction.None));
        _time.Advance(Options.SignalRetry);
        Assert.That(_controller.Tick(200), Is.EqualTo(OverloadAction.Signal));
    }

    [Test]
    public void Tick_LoadStaysWellUnderTheTarget_SaysOffThenFeedsAgainWhenLoadReturns()
    {
        _controller.Tick(200);
        _controller.Signaled(installed: true);

        Assert.That(_controller.Tick(10), Is.EqualTo(OverloadAction.SendRate));
        Assert.That(_controller.Tick(10), Is.EqualTo(OverloadAction.SendOff));
        Assert.That(_controller.Overloaded, Is.False);
        Assert.That(_controller.Tick(10), Is.EqualTo(OverloadAction.None));
        Assert.That(_controller.Tick(100), Is.EqualTo(OverloadAction.SendRate), "the module is still installed: no new SETUP");
    }
}
