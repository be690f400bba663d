using System.Text.Json.Nodes;
using NetServ.Evaluation.Hosting;

namespace NetServ.Evaluation.Tests.Hosting;

[TestFixture]
public sealed class RepeatedEvaluationTests
{
    [Test]
    public void Compare_RunsWithin10Percent_Agree_AndARunOutside_DoesNot()
    {
        var runs = new[] { ("a", Summary(0.90, 0.95)), ("b", Summary(0.95, 0.80)), ("c", Summary(0.92, 0.97)) };

        var comparison = RepeatedEvaluation.Compare(runs);

        var container = comparison["ratios"]!["4_over_c_loop"]!["64"]!;
        var module = comparison["ratios"]!["5_over_4"]!["64"]!;
        Assert.Multiple(() =>
        {
            Assert.That((double)container["medianAcrossRuns"]!, Is.EqualTo(0.92).Within(1e-9));
            Assert.That((bool)container["withinTenPercent"]!, Is.True);
            Assert.That(container["runs"]!.AsArray().Select(r => (double)r!["ratio"]!), Is.EqualTo(new[] { 0.90, 0.95, 0.92 }));
            Assert.That((bool)module["withinTenPercent"]!, Is.False, "0.97 is 21 % above 0.80");
            Assert.That((double)module["spread"]!, Is.EqualTo(0.2125).Within(1e-4));
            Assert.That(comparison["ratios"]!["6_over_5"]!.AsObject(), Is.Empty, "not measured in any run");
        });
    }

    [Test]
    public void Compare_UsesThePairedMeanAndInterval_WhenARunHasThem()
    {
        var summary = Summary(0.90, 0.95);
        summary["ratio_intervals"] = new JsonObject
        {
            ["4_over_c_loop"] = new JsonObject { ["64"] = new JsonObject { ["mean"] = 0.93, ["ci95Low"] = 0.91, ["ci95High"] = 0.95, ["verdict"] = "met" } },
        };

        var run = RepeatedEvaluation.Compare([("a", summary), ("b", Summary(0.93, 0.95))])["ratios"]!["4_over_c_loop"]!["64"]!["runs"]![0]!;

        Assert.Multiple(() =>
        {
            Assert.That((double)run["ratio"]!, Is.EqualTo(0.93));
            Assert.That((double)run["ci95Low"]!, Is.EqualTo(0.91));
            Assert.That((string)run["verdict"]!, Is.EqualTo("met"));
        });
    }

    [Test]
    public void Compare_PoolsTheRunsPairs_IntoOneIntervalAndVerdict()
    {
        static JsonObject WithPairs(double[] pairs)
        {
            var summary = Summary(pairs.Average(), 0.95);
            summary["ratio_intervals"] = new JsonObject
            {
                ["4_over_c_loop"] = new JsonObject
                {
                    ["64"] = new JsonObject { ["mean"] = pairs.Average(), ["perPair"] = new JsonArray(pairs.Select(p => (JsonNode?)p).ToArray()), ["verdict"] = "cannot_decide" },
                },
            };
            return summary;
        }

        var comparison = RepeatedEvaluation.Compare([("a", WithPairs([1.0, 1.1])), ("b", WithPairs([1.05, 0.95]))]);

        // Four pairs: mean 1.025, s = 0.0645, t(0.975, 3) = 3.182, so 1.025 ± 0.103, wholly above 0.9.
        var pooled = comparison["ratios"]!["4_over_c_loop"]!["64"]!["pooled"]!;
        Assert.Multiple(() =>
        {
            Assert.That((int)pooled["pairs"]!, Is.EqualTo(4));
            Assert.That((double)pooled["mean"]!, Is.EqualTo(1.025).Within(1e-4));
            Assert.That((double)pooled["ci95Low"]!, Is.EqualTo(0.9223).Within(1e-3));
            Assert.That((double)pooled["ci95High"]!, Is.EqualTo(1.1277).Within(1e-3));
            Assert.That((string)pooled["verdict"]!, Is.EqualTo("met"));
            Assert.That(comparison["ratios"]!["5_over_4"]!["64"]!["pooled"], Is.Null, "no run has pairs for it");
            Assert.That(RepeatedEvaluation.Markdown(comparison, DateTimeOffset.UnixEpoch, ["all", "--runs", "2"]), Does.Contain("1.025 [0.922–1.128] from 4 pairs: **met with confidence**"));
        });
    }

    [Test]
    public void Markdown_SaysPerRatioWhetherTheRunsAgree()
    {
        var comparison = RepeatedEvaluation.Compare([("a", Summary(0.90, 0.95)), ("b", Summary(0.95, 0.80))]);

        var md = RepeatedEvaluation.Markdown(comparison, DateTimeOffset.UnixEpoch, ["all", "--runs", "2"]);

        Assert.That(md, Does.Contain("| (4)/(c_loop) | 64 B |").And.Contain("| yes |").And.Contain("| **no** |"));
    }

    private static JsonObject Summary(double containerRatio, double moduleRatio) => new()
    {
        ["ratios"] = new JsonObject
        {
            ["4_over_c_loop"] = new JsonObject { ["64"] = containerRatio },
            ["5_over_4"] = new JsonObject { ["64"] = moduleRatio },
            ["6_over_5"] = new JsonObject { ["64"] = null },
        },
    };
}
