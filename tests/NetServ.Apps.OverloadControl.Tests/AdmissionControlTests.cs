using Microsoft.Extensions.Time.Testing;

namespace NetServ.Apps.OverloadControl.Tests;

[TestFixture]
public sealed class AdmissionControlTests
{
    private FakeTimeProvider _time = null!;
    private AdmissionControl _admission = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider();
        _admission = new AdmissionControl(_time, TimeSpan.FromSeconds(5));
    }

    [Test]
    public void TryAdmit_WithoutFeedback_AdmitsEverything()
    {
        Assert.That(Enumerable.Range(0, 1000).All(_ => _admission.TryAdmit()), Is.True);
        Assert.That(_admission.Mode, Is.EqualTo(AdmissionMode.PassThrough));
    }

    [TestCase(50, 200)]
    [TestCase(120, 1000)]
    [TestCase(10, 40)]
    public void TryAdmit_OfferedAboveTheTargetRate_AdmitsTheTargetRatePlusTheBucketDepthWithinOnePercent(double target, int offeredPerSecond)
    {
        _admission.Apply(new OverloadFeedback(FeedbackKind.Rate, target, 1));
        var admitted = 0;
        var seconds = 4;
        for (var i = 0; i < offeredPerSecond * seconds; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1.0 / offeredPerSecond));
            admitted += _admission.TryAdmit() ? 1 : 0;

            // Feedback keeps coming, as from a live server.
            if (i % offeredPerSecond == 0)
            {
                _admission.Apply(new OverloadFeedback(FeedbackKind.Rate, target, 2 + i));
            }
        }

        // The bucket starts full: a tenth of a second of the rate (the default depth) comes on top.
        var expected = (target * seconds) + Math.Max(1, target * 0.1);
        Assert.That(admitted, Is.EqualTo(expected).Within((expected * 0.01) + 1));
    }

    [Test]
    public void TryAdmit_OfferedBelowTheTargetRate_AdmitsEverything()
    {
        _admission.Apply(new OverloadFeedback(FeedbackKind.Rate, 100, 1));
        var admitted = 0;
        for (var i = 0; i < 200; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(20));
            admitted += _admission.TryAdmit() ? 1 : 0;
        }

        Assert.That(admitted, Is.EqualTo(200));
    }

    [Test]
    public void TryAdmit_RateZero_RejectsAllButTheBucketsFirstRequest()
    {
        _admission.Apply(new OverloadFeedback(FeedbackKind.Rate, 0, 1));
        var admitted = Enumerable.Range(0, 100).Count(_ => _admission.TryAdmit());

        Assert.That(admitted, Is.EqualTo(1));
    }

    [Test]
    public void TryAdmit_DropQuarter_RejectsExactlyOneInFour()
    {
        _admission.Apply(new OverloadFeedback(FeedbackKind.Drop, 0.25, 1));

        var admitted = Enumerable.Range(0, 400).Count(_ => _admission.TryAdmit());

        Assert.That(admitted, Is.EqualTo(300));
        Assert.That(_admission.Mode, Is.EqualTo(AdmissionMode.Drop));
    }

    [Test]
    public void TryAdmit_FeedbackTimedOut_FailsOpen()
    {
        _admission.Apply(new OverloadFeedback(FeedbackKind.Drop, 1, 1));
        Assert.That(_admission.TryAdmit(), Is.False);

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.That(_admission.Mode, Is.EqualTo(AdmissionMode.PassThrough));
        Assert.That(_admission.TryAdmit(), Is.True);
    }

    [Test]
    public void Apply_Off_PassesEverythingAtOnce()
    {
        _admission.Apply(new OverloadFeedback(FeedbackKind.Drop, 1, 1));

        _admission.Apply(new OverloadFeedback(FeedbackKind.Off, 0, 2));

        Assert.That(_admission.TryAdmit(), Is.True);
    }

    [Test]
    public void Apply_OlderSequenceWhileInForce_IsIgnored()
    {
        _admission.Apply(new OverloadFeedback(FeedbackKind.Drop, 1, 7));

        var applied = _admission.Apply(new OverloadFeedback(FeedbackKind.Off, 0, 6));

        Assert.That(applied, Is.False);
        Assert.That(_admission.Sequence, Is.EqualTo(7));
        Assert.That(_admission.TryAdmit(), Is.False);
    }

    [Test]
    public void Apply_OlderSequenceAfterTimeout_IsApplied()
    {
        _admission.Apply(new OverloadFeedback(FeedbackKind.Drop, 1, 7));
        _time.Advance(TimeSpan.FromSeconds(6));

        // A restarted server counts from the start again.
        Assert.That(_admission.Apply(new OverloadFeedback(FeedbackKind.Drop, 1, 1)), Is.True);
        Assert.That(_admission.TryAdmit(), Is.False);
    }

    [Test]
    public void TryAdmit_AllocatesNothing()
    {
        _admission.Apply(new OverloadFeedback(FeedbackKind.Rate, 50, 1));
        _admission.TryAdmit();
        var before = GC.GetAllocatedBytesForCurrentThread();

        for (var i = 0; i < 10_000; i++)
        {
            _admission.TryAdmit();
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
