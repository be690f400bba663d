using NetServ.Evaluation.Latency;

namespace NetServ.Evaluation.Tests.Latency;

[TestFixture]
public sealed class LayerLatencyStatisticsTests
{
    [Test]
    public void From_Latencies_GivesPercentilesAndLoss()
    {
        var latencies = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();

        var statistics = LayerLatencyStatistics.From(latencies, sent: 125);

        Assert.Multiple(() =>
        {
            Assert.That(statistics.Received, Is.EqualTo(100));
            Assert.That(statistics.Lost, Is.EqualTo(25));
            Assert.That(statistics.Loss, Is.EqualTo(0.2));
            Assert.That(statistics.MinUs, Is.EqualTo(1));
            Assert.That(statistics.P10Us, Is.EqualTo(10.9).Within(1e-9));
            Assert.That(statistics.MedianUs, Is.EqualTo(50.5));
            Assert.That(statistics.P90Us, Is.EqualTo(90.1).Within(1e-9));
            Assert.That(statistics.P99Us, Is.EqualTo(99.01).Within(1e-9));
            Assert.That(statistics.MaxUs, Is.EqualTo(100));
            Assert.That(statistics.MeanUs, Is.EqualTo(50.5));
        });
    }

    [Test]
    public void From_NothingReceived_IsAllLossAndNaN()
    {
        var statistics = LayerLatencyStatistics.From([], sent: 300);

        Assert.Multiple(() =>
        {
            Assert.That(statistics.Loss, Is.EqualTo(1));
            Assert.That(statistics.MedianUs, Is.NaN);
            Assert.That(statistics.MeanUs, Is.NaN);
        });
    }

    [Test]
    public void From_MoreReceivedThanSent_Throws() =>
        Assert.That(() => LayerLatencyStatistics.From([1, 2, 3], sent: 2), Throws.InstanceOf<ArgumentOutOfRangeException>());

    [Test]
    public void Histogram_PutsEachSampleInItsLogarithmicBin()
    {
        var histogram = LatencyHistogram.From([10, 11, 13, 99.99, 100, 0, -3], binsPerDecade: 10);

        Assert.Multiple(() =>
        {
            Assert.That(histogram.NotPositive, Is.EqualTo(2), "zero and negative latencies are counted apart");
            Assert.That(histogram.Bins.Select(b => Math.Round(b.FromUs, 3)), Is.EqualTo(new[] { 10.0, 12.589, 79.433, 100.0 }));
            Assert.That(histogram.Bins.Select(b => Math.Round(b.ToUs, 3)), Is.EqualTo(new[] { 12.589, 15.849, 100.0, 125.893 }));
            Assert.That(histogram.Bins.Select(b => b.Count), Is.EqualTo(new[] { 2, 1, 1, 1 }));
        });
    }

    [Test]
    public void Histogram_BinEdges_AreLowerInclusive()
    {
        var histogram = LatencyHistogram.From([1, 10, 100, 1000], binsPerDecade: 20);

        Assert.That(histogram.Bins.Select(b => b.FromUs), Is.EqualTo(new[] { 1.0, 10.0, 100.0, 1000.0 }).Within(1e-9));
    }
}
