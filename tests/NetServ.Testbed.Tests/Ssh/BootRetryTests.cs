using NetServ.Testbed.Ssh;

namespace NetServ.Testbed.Tests.Ssh;

[TestFixture]
public sealed class BootRetryTests
{
    [Test]
    public void NextDelay_DoublesFromTheFirstUpToTheLongest()
    {
        var retry = new BootRetry(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));

        var delays = Enumerable.Range(0, 5).Select(_ => retry.NextDelay(TimeSpan.FromSeconds(1))!.Value.TotalSeconds).ToArray();

        Assert.That(delays, Is.EqualTo(new[] { 1.0, 2, 4, 5, 5 }));
    }

    [Test]
    public void NextDelay_NearTheWindowsClose_IsCutToEndThere()
    {
        var retry = new BootRetry(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(4));

        Assert.That(retry.NextDelay(TimeSpan.FromSeconds(9)), Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [TestCase(10)]
    [TestCase(12)]
    public void NextDelay_AfterTheWindow_IsNone(double elapsedSeconds)
    {
        var retry = new BootRetry(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));

        Assert.That(retry.NextDelay(TimeSpan.FromSeconds(elapsedSeconds)), Is.Null);
    }

    [Test]
    public void NextDelay_AZeroWindow_AllowsNoRetry()
    {
        var retry = new BootRetry(TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));

        Assert.That(retry.NextDelay(TimeSpan.Zero), Is.Null);
    }
}
