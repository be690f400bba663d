using System.Text.Json.Nodes;
using NetServ.Evaluation.Latency;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Traffic;

namespace NetServ.Evaluation.Tests.Latency;

[TestFixture]
public sealed class LayerLatencyWriterTests
{
    [Test]
    public void Summary_TabulatesEveryLayerWithWhatItAdds()
    {
        var results = Results(("1", "plain forwarding", 20), ("2", "+ iptables rule", 22), ("5", "NetMonitor", 72));

        var summary = new LayerLatencyWriter(results, "unused").Summary();

        Assert.Multiple(() =>
        {
            Assert.That(summary, Does.Contain("| configuration | received | loss | median | p10 | p90 | p99 | max | added vs (1) | added vs (2) | CPUs busy before |"));
            Assert.That(summary, Does.Contain("| (1) plain forwarding | 100/100 | 0.0% | 20.0 |"));
            Assert.That(summary, Does.Contain("| (5) NetMonitor | 100/100 | 0.0% | 72.0 |"));
            Assert.That(summary, Does.Contain("| +52.0 | +50.0 |"), "(5) adds 52 µs to (1) and 50 µs to (2)");
            Assert.That(summary, Does.Contain("| (2) + iptables rule | 100/100 | 0.0% | 22.0 |").And.Contain("| +2.0 | 0.0 |"));
        });
    }

    [Test]
    public void Summary_PutsTheModulePathBesideThePapers92Microseconds()
    {
        var results = Results(("1", "plain forwarding", 20), ("2", "+ iptables rule", 22), ("5", "NetMonitor", 72));

        var summary = new LayerLatencyWriter(results, "unused").Summary();

        Assert.Multiple(() =>
        {
            Assert.That(summary, Does.Contain("| (5) NetMonitor, added vs (2) unprocessed | +50.0 µs | 92 µs ((6) KeepAlive vs (2)) |"));
            Assert.That(summary, Does.Contain("(6) KeepAlive, the paper's module bar, was not measured in this run"));
        });
    }

    [Test]
    public void Summary_WithoutTheModuleLayer_SaysSoInsteadOfANumber()
    {
        var results = Results(("1", "plain forwarding", 20));

        var summary = new LayerLatencyWriter(results, "unused").Summary();

        Assert.That(summary, Does.Contain("| (5) NetMonitor, added vs (2) unprocessed | – | 92 µs"));
    }

    [Test]
    public void Summary_LostAndBypassedPackets_AreNoted()
    {
        var results = Results(("1", "plain forwarding", 20));
        results.Layers.Add(LayerMeasurement.From(
            "C", "NFQUEUE → C loop", Run(40, lost: 10), null, Counters(0, 0), Counters(100, 97), null, 20));

        var summary = new LayerLatencyWriter(results, "unused").Summary();

        Assert.Multiple(() =>
        {
            Assert.That(summary, Does.Contain("| (C) NFQUEUE → C loop | 100/110 | 9.09% |"));
            Assert.That(summary, Does.Contain("(C): 3 packets passed the queue unprocessed"));
            Assert.That(summary, Does.Contain("(C): 9.1% of the packets were lost"));
        });
    }

    [Test]
    public void SummaryCsv_HasAHeaderAndOneRowPerLayer()
    {
        var results = Results(("1", "plain forwarding", 20), ("4", "container, no module", 60));

        var lines = new LayerLatencyWriter(results, "unused").SummaryCsv().TrimEnd().Split('\n');

        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Length.EqualTo(3));
            Assert.That(lines[0], Does.StartWith("configuration,title,sent,received,lost,loss_percent,min_us,p10_us,median_us"));
            Assert.That(lines[2], Does.StartWith("4,\"container, no module\",100,100,0,0,"));
            Assert.That(lines[2].Split(',')[^6], Is.EqualTo("40.0"), "added vs (1)");
        });
    }

    [Test]
    public void WriteAll_WritesEveryFile()
    {
        var folder = Directory.CreateTempSubdirectory("netserv-latency-writer-").FullName;
        try
        {
            var results = Results(("1", "plain forwarding", 20), ("2", "+ iptables rule", 22), ("5", "NetMonitor", 72));

            new LayerLatencyWriter(results, folder).WriteAll();

            foreach (var file in new[] { "results.json", "latency.csv", "summary.md", "latency.png", "raw/samples.csv" })
            {
                Assert.That(new FileInfo(Path.Combine(folder, file)), Has.Property(nameof(FileInfo.Length)).GreaterThan(100), file);
            }

            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "results.json")))!;
            Assert.Multiple(() =>
            {
                Assert.That(json["layers"]!.AsArray(), Has.Count.EqualTo(3));
                Assert.That(json["layers"]![2]!["latencyUs"]!["median"]!.GetValue<double>(), Is.EqualTo(72));
                Assert.That(json["layers"]![2]!["histogram"]!["bins"]!.AsArray().Sum(b => b!["count"]!.GetValue<int>()), Is.EqualTo(100));
                Assert.That(json["paper"]!["keepAliveExtraDelayUs"]!.GetValue<double>(), Is.EqualTo(92));
                Assert.That(File.ReadAllLines(Path.Combine(folder, "raw", "samples.csv")), Has.Length.EqualTo(301));
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Results with one layer per (key, title, median µs), each of 100 packets spread ±10 µs around the median.</summary>
    private static LayerLatencyResults Results(params (string Key, string Title, double MedianUs)[] layers)
    {
        var results = new LayerLatencyResults
        {
            Started = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            Finished = new DateTimeOffset(2026, 1, 2, 3, 5, 5, TimeSpan.Zero),
            Options = new LayerLatencyOptions(),
            Arguments = ["latency"],
            Machine = new JsonObject { ["cpuModel"] = "test CPU", ["cores"] = 2, ["kernel"] = "6.0", ["dotnetRuntime"] = ".NET" },
            Completed = true,
        };
        foreach (var (key, title, median) in layers)
        {
            results.Layers.Add(LayerMeasurement.From(key, title, Run(median), null, null, null, null, 20));
        }

        return results;
    }

    private static LatencyRun Run(double medianUs, int lost = 0)
    {
        const int Arrived = 100;
        var count = Arrived + lost;
        var sent = new long[count];
        var kernel = new long[count];
        var user = new long[count];
        for (var i = 0; i < Arrived; i++)
        {
            sent[i] = 1_767_000_000_000_000_000 + (i * 1_000_000L);
            kernel[i] = sent[i] + (long)((medianUs + ((i - 49.5) / 5)) * 1000);
            user[i] = kernel[i] + 8_000;
        }

        return new LatencyRun
        {
            Requested = count,
            Sent = count,
            SendFailures = 0,
            Received = Arrived,
            Duplicates = 0,
            Reordered = 0,
            Foreign = 0,
            Untimestamped = 0,
            SentNanoseconds = sent,
            KernelReceivedNanoseconds = kernel,
            UserReceivedNanoseconds = user,
            Elapsed = TimeSpan.FromSeconds(0.1),
            MaxLag = TimeSpan.Zero,
            StoppedByDeadline = false,
            Cancelled = false,
            SenderAllocatedBytes = 0,
            ReceiverAllocatedBytes = 0,
        };
    }

    private static QueueCounters Counters(long hits, long delivered) => new(hits, delivered, delivered, 0, 0, 0, new Dictionary<int, ThreadStats>());
}
