using Microsoft.Extensions.Time.Testing;
using NetServ.Apps.OverloadControl.Server;

namespace NetServ.Apps.OverloadControl.Tests.Server;

[TestFixture]
public sealed class LoadMeterTests
{
    [Test]
    public void Rate_SteadyLoad_IsTheOfferedRate()
    {
        var time = new FakeTimeProvider();
        var meter = new LoadMeter(TimeSpan.FromSeconds(1), time);

        for (var i = 0; i < 500; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(5));
            meter.Record();
        }

        Assert.That(meter.Rate, Is.EqualTo(200).Within(20));
        Assert.That(meter.Total, Is.EqualTo(500));
    }

    [Test]
    public void Rate_AfterAQuietWindow_IsZero()
    {
        var time = new FakeTimeProvider();
        var meter = new LoadMeter(TimeSpan.FromSeconds(1), time);
        for (var i = 0; i < 100; i++)
        {
            meter.Record();
        }

        time.Advance(TimeSpan.FromSeconds(1.5));

        Assert.That(meter.Rate, Is.Zero);
        Assert.That(meter.Total, Is.EqualTo(100));
    }
}
