using NetServ.Testbed.Traffic;

namespace NetServ.Testbed.Tests.Traffic;

[TestFixture]
public sealed class ClickOutputTests
{
    [Test]
    public void ParseOutput_TimeAndHandlerBlocks_ReadsCountsAndDriverTime()
    {
        // What `click -t -h src.count -h sent.count -h failed.count` prints.
        const string output = "0.512u 0.204s 0:01.27\nsrc.count:\n40000\n\nsent.count:\n39998\n\nfailed.count:\n1\n\n";

        var parsed = ClickTrafficGenerator.ParseOutput(output);

        Assert.That(parsed, Is.EqualTo((40000L, 39998L, 1L, (TimeSpan?)TimeSpan.FromSeconds(1.27))));
    }

    [Test]
    public void ParseOutput_MinutesInTheTime_AreCounted() =>
        Assert.That(ClickTrafficGenerator.ParseOutput("1.0u 2.0s 2:03.50\nsrc.count:\n1\n\nsent.count:\n1\n\nfailed.count:\n0\n\n")?.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(123.5)));

    [Test]
    public void ParseOutput_CounterMissing_IsNull() =>
        Assert.That(ClickTrafficGenerator.ParseOutput("0.1u 0.1s 0:00.10\nsrc.count:\n5\n\n"), Is.Null);
}
