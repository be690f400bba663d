using NetServ.Evaluation.Mlffr;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Evaluation.Reporting;

namespace NetServ.Evaluation.Tests.Reporting;

[TestFixture]
public sealed class PairedRatioTests
{
    private static readonly RatioTarget ModuleTarget = RatioTarget.All.Single(t => t.Name == "5_over_4");

    [Test]
    public void TInterval95_KnownSample_IsMeanPlusMinusTTimesStandardError()
    {
        // mean 1, s = sqrt(0.04 / 3), n = 4, t(0.975, 3) = 3.182.
        var half = 3.182 * Math.Sqrt(0.04 / 3) / 2;

        var interval = Statistics.TInterval95([0.9, 1.1, 0.9, 1.1]);

        Assert.That(interval, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(interval!.Value.Low, Is.EqualTo(1 - half).Within(1e-9));
            Assert.That(interval.Value.High, Is.EqualTo(1 + half).Within(1e-9));
        });
    }

    [Test]
    public void TInterval95_OneValue_HasNoInterval() => Assert.That(Statistics.TInterval95([0.9]), Is.Null);

    [Test]
    public void Of_PairsSearchesOfTheSameRepetition_AndIgnoresOtherSizes()
    {
        var results = Results(("4", 64, 1, 200_000), ("5", 64, 1, 190_000), ("4", 64, 2, 100_000), ("5", 64, 2, 96_000), ("5", 340, 1, 1_000));

        var paired = PairedRatio.Of(results, ModuleTarget, 64)!;

        Assert.Multiple(() =>
        {
            Assert.That(paired.Pairs.Select(p => p.Repetition), Is.EqualTo(new[] { 1, 2 }));
            Assert.That(paired.Pairs.Select(p => p.Ratio), Is.EqualTo(new[] { 0.95, 0.96 }).Within(1e-9), "each ratio from its own repetition: the drift between them cancels");
            Assert.That(PairedRatio.Of(results, ModuleTarget, 340), Is.Null, "(4) was not measured at 340 B: no ratio, rather than one of no pairs");
        });
    }

    [TestCase(new[] { 0.97, 0.98, 0.99, 0.98 }, "Met")]
    [TestCase(new[] { 0.80, 0.81, 0.82, 0.81 }, "NotMet")]
    [TestCase(new[] { 0.90, 1.00, 0.92, 0.98 }, "CannotDecide")]
    [TestCase(new[] { 0.99 }, "CannotDecide")]
    public void Verdict_DependsOnWhereTheWholeIntervalLies(double[] ratios, string expected)
    {
        var searches = ratios.SelectMany((r, i) => new[] { ("4", 64, i + 1, 100_000.0), ("5", 64, i + 1, r * 100_000) }).ToArray();

        var paired = PairedRatio.Of(Results(searches), ModuleTarget, 64)!;

        Assert.That(paired.Verdict, Is.EqualTo(Enum.Parse<RatioVerdict>(expected)), paired.Describe());
    }

    [Test]
    public void ToJson_CarriesTheIntervalAndTheVerdict()
    {
        var json = PairedRatio.Of(Results(("4", 64, 1, 100_000), ("5", 64, 1, 97_000), ("4", 64, 2, 100_000), ("5", 64, 2, 99_000)), ModuleTarget, 64)!.ToJson();

        Assert.Multiple(() =>
        {
            Assert.That((int)json["pairs"]!, Is.EqualTo(2));
            Assert.That((double)json["mean"]!, Is.EqualTo(0.98).Within(1e-9));
            Assert.That((double)json["ci95Low"]!, Is.LessThan(0.98));
            Assert.That((double)json["ci95High"]!, Is.GreaterThan(0.98));
            Assert.That((string)json["verdict"]!, Is.EqualTo("cannot_decide"));
        });
    }

    [Test]
    public void ConfigurationOrder_ReversesInEvenRepetitions_AndKeepsEachTargetPairAdjacent()
    {
        var options = new NodeRuntimeOptions();

        Assert.Multiple(() =>
        {
            Assert.That(options.ConfigurationOrder(1), Is.EqualTo(new[] { "1", "2", "3", "C", "4", "5", "6" }));
            Assert.That(options.ConfigurationOrder(2), Is.EqualTo(new[] { "6", "5", "4", "C", "3", "2", "1" }));
            foreach (var target in RatioTarget.All)
            {
                var order = options.ConfigurationOrder(1).ToList();
                Assert.That(Math.Abs(order.IndexOf(target.Numerator) - order.IndexOf(target.Denominator)), Is.EqualTo(1), target.Name);
            }
        });
    }

    private static NodeRuntimeResults Results(params (string Configuration, int Size, int Repetition, double Mlffr)[] searches)
    {
        var results = new NodeRuntimeResults { Options = new NodeRuntimeOptions(), Arguments = [] };
        foreach (var (configuration, size, repetition, mlffr) in searches)
        {
            results.Searches.Add(new SearchRecord(configuration, size, repetition, 700_000, new MlffrResult(mlffr, mlffr + 1_000, []), TimeSpan.FromSeconds(10), 0));
        }

        return results;
    }
}
