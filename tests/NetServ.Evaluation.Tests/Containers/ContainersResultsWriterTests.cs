using System.Diagnostics;
using NetServ.Evaluation.Containers;
using NetServ.Evaluation.Mlffr;
using NetServ.Evaluation.NodeRuntime;

namespace NetServ.Evaluation.Tests.Containers;

[TestFixture]
public sealed class ContainersResultsWriterTests
{
    [Test]
    public void Table_MeasuredCounts_OneRowEachWithPeakSaturationAndMemory()
    {
        var results = Results(Count(1, [150_000], [120_000], pssMb: [18, 18]), Count(100, [90_000, 100_000, 110_000], [70_000, 80_000, 75_000], pssMb: [12, 19.5]));

        var table = ContainersResultsWriter.Table(results).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Multiple(() =>
        {
            Assert.That(table, Has.Length.EqualTo(4), "header, rule, two counts");
            Assert.That(table[2], Does.StartWith("| 1 | 150.0 | 120.0 | 600.0 | 18.0 | 18.0 |"));
            Assert.That(table[3], Does.StartWith("| 100 | 100.0 [90.0–110.0] | 75.0 [70.0–80.0] | 600.0 | 15.8 | 19.5 |"), "median [min–max] over the repetitions");
            Assert.That(table[3], Does.Contain("| ~110 |"), "the paper's JVM containers beside ours");
        });
    }

    [Test]
    public void Summary_LargestCountWithinTheTarget_SaysTheTargetIsMet()
    {
        var results = Results(Count(1, [150_000], [120_000], pssMb: [18]), Count(100, [100_000], [80_000], pssMb: [12, 19.5]));

        var summary = new ContainersResultsWriter(results, "unused").Summary();

        Assert.Multiple(() =>
        {
            Assert.That(summary, Does.StartWith("# Container-count benchmark (paper Figure 14)"));
            Assert.That(summary, Does.Contain("Memory target ≤ 20 MB per container at 100 containers: max 19.5 MB, mean 15.8 MB — **met**"));
            Assert.That(summary, Does.Contain("about 110 MB per JVM container"));
            Assert.That(ContainersResultsWriter.MemoryTargetMet(results), Is.True);
        });
    }

    [Test]
    public void Summary_LargestCountAboveTheTarget_SaysNotMetAndWhichCountItIs()
    {
        var results = Results(Count(50, [100_000], [80_000], pssMb: [22, 25]));

        var summary = new ContainersResultsWriter(results, "unused").Summary();

        Assert.Multiple(() =>
        {
            Assert.That(summary, Does.Contain("at 50 containers (the largest count measured; the target is stated for 100)"));
            Assert.That(summary, Does.Contain("**not met**"));
            Assert.That(ContainersResultsWriter.MemoryTargetMet(results), Is.False);
        });
    }

    [Test]
    public void SaturationText_QueuesNeverOverflowed_IsALowerBound()
    {
        var count = Count(100, [100_000], [80_000], pssMb: [15]);
        count.Saturations[0] = count.Saturations[0] with { Trial = count.Saturations[0].Trial with { Bypassed = 0 } };

        Assert.That(ContainersResultsWriter.SaturationText(count), Is.EqualTo("80.0 ≥ (queues never full)"), "the containers kept up with what the generator offered");
    }

    [Test]
    public void Summary_CountWithModuleFailures_IsMarkedIncompleteWithTheReason()
    {
        var failed = Count(100, [100_000], [80_000], pssMb: [15]);
        failed.ModuleFailures.Add("u091 NetServ.Apps.NetMonitor_1.0.0 hung");
        failed.Error = "the node reported 1 module or container failure(s) by the end of repetition 2";
        var results = Results(Count(1, [150_000], [120_000], pssMb: [18]), failed);

        var summary = new ContainersResultsWriter(results, "unused").Summary();
        var json = new ContainersResultsWriter(results, "unused").ToJson()["counts"]![1]!;

        Assert.Multiple(() =>
        {
            Assert.That(summary, Does.Contain("| 100 (incomplete) | 100.0 |"));
            Assert.That(summary, Does.Contain("**100 containers incomplete**: the node reported 1 module or container failure(s) by the end of repetition 2"));
            Assert.That(json["complete"]!.GetValue<bool>(), Is.False);
            Assert.That(json["module_failures"]!.AsArray(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void ToJson_EveryCount_CarriesPeakSaturationAndMemoryPerContainer()
    {
        var results = Results(Count(3, [150_000], [120_000], pssMb: [10, 11, 12]));

        var count = new ContainersResultsWriter(results, "unused").ToJson()["counts"]![0]!;

        Assert.Multiple(() =>
        {
            Assert.That(count["containers"]!.GetValue<int>(), Is.EqualTo(3));
            Assert.That(count["peak_kpps"]!.GetValue<double>(), Is.EqualTo(150));
            Assert.That(count["saturation_kpps"]!.GetValue<double>(), Is.EqualTo(120));
            Assert.That(count["memory_mb_per_container"]!["mean"]!.GetValue<double>(), Is.EqualTo(11));
            Assert.That(count["memory_mb_per_container"]!["max"]!.GetValue<double>(), Is.EqualTo(12));
            Assert.That(count["complete"]!.GetValue<bool>(), Is.True);
        });
    }

    [Test]
    public void SaturationSample_WindowOfOneSecond_RatesAreTheCountersGrowth()
    {
        var second = Stopwatch.Frequency;
        var sample = new SaturationSample(
            1,
            Trial(300_000),
            new WindowCounters(10 * second, HandedToReaders: 900, Waiting: 400, Received: 800),
            new WindowCounters(11 * second, HandedToReaders: 121_400, Waiting: 900, Received: 300_800));

        Assert.Multiple(() =>
        {
            Assert.That(sample.WindowSeconds, Is.EqualTo(1.0).Within(1e-9));
            Assert.That(sample.ProcessedRate, Is.EqualTo(120_000).Within(1e-6), "verdicts: handed to the readers and no longer waiting");
            Assert.That(sample.ReceivedRate, Is.EqualTo(300_000).Within(1e-6), "unprocessed packets past full queues arrive too");
        });
    }

    [TestCase("NFQUEUE    udp  --  *      *       0.0.0.0/0            198.19.0.0/24        udp dpt:5061 /* netserv user=u001 */ NFQUEUE num 101 bypass", (ushort)101)]
    [TestCase("NFQUEUE    udp  --  *      *       0.0.0.0/0            0.0.0.0/0            NFQUEUE num 10", (ushort)10)]
    public void QueueOfRule_NfqueueRule_IsItsQueueNumber(string rule, ushort queue) =>
        Assert.That(KernelQueueProbe.QueueOfRule(rule), Is.EqualTo(queue));

    [Test]
    public void QueueOfRule_OtherRule_IsNull() =>
        Assert.That(KernelQueueProbe.QueueOfRule("ACCEPT     udp  --  *      *       0.0.0.0/0            0.0.0.0/0"), Is.Null);

    private static ContainersResults Results(params ContainerCountResult[] counts)
    {
        var results = new ContainersResults
        {
            Options = new ContainersOptions { Counts = counts.Select(c => c.Containers).ToArray() },
            Arguments = ["containers"],
            Completed = true,
        };
        results.Finished = results.Started.AddMinutes(3);
        results.Counts.AddRange(counts);
        return results;
    }

    private static ContainerCountResult Count(int containers, double[] peaks, double[] saturations, double[] pssMb)
    {
        var result = new ContainerCountResult(containers) { HighRate = 600_000 };
        for (var i = 0; i < peaks.Length; i++)
        {
            var steps = new[] { new SearchStep(1, Trial(peaks[i]), TrialOutcome.Pass) };
            result.Searches.Add(new SearchRecord("5", 64, i + 1, 600_000, new MlffrResult(peaks[i], peaks[i] + 1000, steps), TimeSpan.FromSeconds(30), 0));
        }

        var second = Stopwatch.Frequency;
        for (var i = 0; i < saturations.Length; i++)
        {
            var processed = (long)saturations[i];
            // Saturated: the queues overflowed, some packets passed them unprocessed.
            result.Saturations.Add(new SaturationSample(i + 1, Trial(600_000) with { Bypassed = 1_000 }, new WindowCounters(0, 0, 0, 0), new WindowCounters(second, processed, 0, processed)));
        }

        // Every container's memory: the values given, the last repeated for the rest.
        var memory = Enumerable.Range(0, containers)
            .Select(i => new ContainerMemory($"u{i:D3}", 1000 + i, (long)(pssMb[Math.Min(i, pssMb.Length - 1)] * 1048576), 0, 0, 0, 0, -1, -1, -1, 0))
            .ToArray();
        if (pssMb.Length < containers)
        {
            // Keep the mean a round figure for the table: the given values, then their mean.
            var mean = pssMb.Average();
            memory = memory.Select((m, i) => i < pssMb.Length ? m : m with { PssBytes = (long)(mean * 1048576) }).ToArray();
        }

        result.Memory = new MemorySample(MemoryVariant.Baseline, containers, memory, TimeSpan.FromSeconds(10));
        return result;
    }

    private static TrialResult Trial(double rate) => new()
    {
        Rate = rate,
        Requested = (long)rate,
        Offered = (long)rate,
        Received = (long)rate,
        OfferedRate = rate,
        Duration = TimeSpan.FromSeconds(1),
    };
}
