namespace NetServ.Traffic.Tests;

[TestFixture]
public sealed class ClickOutputTests
{
    [Test]
    public void ParseOutput_TimeAndHandlerBlocks_ReadsCountsAndDriverTime()
    {
        // What `click -t -h src.count -h sent.count -h failed.count` prints.
        const string output = "0.512u 0.204s 0:01.27\nsrc.count:\n40000\n\nsent.count:\n39998\n\nfailed.count:\n1\n\n";

        var parsed = ClickTrafficGenerator.ParseOutput(output);

        Assert.That(parsed, Is.EqualTo(new ClickCounters(40000, 39998, 1, TimeSpan.FromSeconds(1.27))));
    }

    [Test]
    public void ParseOutput_SteadyCounter_GivesTheRateAfterTheInitialBurst()
    {
        // 1 s at 20000 pps: the burst of 200 at the start would read 20200 pps over the driver's time.
        const string output = "0.5u 0.2s 0:00.99\nsrc.count:\n20000\n\nsent.count:\n20000\n\nfailed.count:\n0\n\nsteady.count:\n19400\n\nsteady.rate:\n20001.0309\n\n";

        var parsed = ClickTrafficGenerator.ParseOutput(output);

        Assert.That(parsed!.RateSent(parsed.Elapsed!.Value), Is.EqualTo(20001.0309).Within(1e-6));
    }

    [Test]
    public void RateSent_TooFewSteadyPackets_FallsBackToOfferedOverElapsed() =>
        Assert.That(new ClickCounters(1000, 1000, 0, TimeSpan.FromSeconds(0.5)) { SteadyCount = 10, SteadyRate = 2000 }.RateSent(TimeSpan.FromSeconds(0.5)), Is.EqualTo(2000));

    [Test]
    public void ParseOutput_MinutesInTheTime_AreCounted() =>
        Assert.That(ClickTrafficGenerator.ParseOutput("1.0u 2.0s 2:03.50\nsrc.count:\n1\n\nsent.count:\n1\n\nfailed.count:\n0\n\n")?.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(123.5)));

    [Test]
    public void ParseOutput_CounterMissing_IsNull() =>
        Assert.That(ClickTrafficGenerator.ParseOutput("0.1u 0.1s 0:00.10\nsrc.count:\n5\n\n"), Is.Null);
}
