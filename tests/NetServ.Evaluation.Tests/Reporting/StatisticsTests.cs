namespace NetServ.Evaluation.Tests.Reporting;

[TestFixture]
public sealed class StatisticsTests
{
    [TestCase(new double[] { 5, 1, 3 }, 3)]
    [TestCase(new double[] { 4, 1, 3, 2 }, 2.5)]
    [TestCase(new double[] { 7 }, 7)]
    public void Median_OddAndEvenCounts_IsTheMiddleOrTheMeanOfTheMiddleTwo(double[] values, double expected) =>
        Assert.That(Statistics.Median(values), Is.EqualTo(expected));

    [Test]
    public void Median_NoValues_IsNaN() => Assert.That(Statistics.Median([]), Is.NaN);

    [TestCase(0, 10)]
    [TestCase(100, 50)]
    [TestCase(25, 20)]
    [TestCase(90, 46)]
    public void Percentile_InterpolatesBetweenTheNearestRanks(double percent, double expected) =>
        Assert.That(Statistics.Percentile([50, 10, 30, 20, 40], percent), Is.EqualTo(expected).Within(1e-9));

    [Test]
    public void Percentile_OutsideZeroToHundred_Throws() =>
        Assert.That(() => Statistics.Percentile([1, 2], 101), Throws.InstanceOf<ArgumentOutOfRangeException>());
}
