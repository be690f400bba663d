using System.Text.Json.Nodes;
using NetServ.Evaluation.Hosting;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Traffic;

namespace NetServ.Evaluation.Latency;

/// <summary>The latency of one router configuration: the measured run, its statistics, and what the queue saw.</summary>
internal sealed record LayerMeasurement
{
    public required string Key { get; init; }

    public required string Title { get; init; }

    /// <summary>Every packet of the measured run.</summary>
    public required LatencyRun Run { get; init; }

    public required LayerLatencyStatistics Statistics { get; init; }

    public required LatencyHistogram Histogram { get; init; }

    /// <summary>Median time from the kernel's receive timestamp to the receiving thread's (µs): the receiver's own delay, outside the latency.</summary>
    public required double SocketDelayMedianUs { get; init; }

    /// <summary>Busy fraction of all CPUs from other work just before the measurement (0..1).</summary>
    public double MachineBusyBefore { get; init; }

    /// <summary>The uncounted warm-up run before the measurement, if any.</summary>
    public LatencyRun? Warmup { get; init; }

    /// <summary>Packets the configuration's NFQUEUE rule matched during the measured run (queue configurations only).</summary>
    public long? QueueMatched { get; init; }

    /// <summary>Packets the queue's reader received during the measured run (queue configurations only).</summary>
    public long? QueueDelivered { get; init; }

    /// <summary>What the configuration said about itself after the run (container counts, NetMonitor's count), or null.</summary>
    public JsonObject? Router { get; init; }

    /// <summary>Packets that passed the queue unprocessed (fail-open): their latency is not the layer's.</summary>
    public long? Bypassed => QueueMatched is { } matched && QueueDelivered is { } delivered ? Math.Max(0, matched - delivered) : null;

    /// <summary>Statistics, histogram and receiver delay of <paramref name="run"/>, with the queue's counters before and after it.</summary>
    public static LayerMeasurement From(string key, string title, LatencyRun run, LatencyRun? warmup, QueueCounters? before, QueueCounters? after, JsonObject? router, int binsPerDecade)
    {
        ArgumentNullException.ThrowIfNull(run);
        var latencies = run.LatenciesMicroseconds();
        var socketDelays = Enumerable.Range(0, run.Requested).Where(run.Arrived).Select(i => (run.UserReceivedNanoseconds[i] - run.KernelReceivedNanoseconds[i]) / 1000.0);
        return new LayerMeasurement
        {
            Key = key,
            Title = title,
            Run = run,
            Statistics = LayerLatencyStatistics.From(latencies, run.Sent),
            Histogram = LatencyHistogram.From(latencies, binsPerDecade),
            SocketDelayMedianUs = NetServ.Evaluation.Statistics.Median(socketDelays),
            Warmup = warmup,
            QueueMatched = before is { } b && after is { } a ? a.RuleHits - b.RuleHits : null,
            QueueDelivered = before is { } b2 && after is { } a2 ? a2.Delivered - b2.Delivered : null,
            Router = router,
        };
    }
}

/// <summary>Everything one latency run found, complete or not.</summary>
internal sealed class LayerLatencyResults : RunRecord
{
    public required LayerLatencyOptions Options { get; init; }

    /// <summary>The configurations measured, in order.</summary>
    public List<LayerMeasurement> Layers { get; } = [];

    public LayerMeasurement? Layer(string key) => Layers.FirstOrDefault(l => l.Key == key);

    /// <summary>What configuration <paramref name="key"/> adds to the median latency of <paramref name="baseline"/> (µs), or null when either is missing.</summary>
    public double? AddedUs(string key, string baseline = "1") =>
        Layer(key) is { Statistics.Received: > 0 } layer && Layer(baseline) is { Statistics.Received: > 0 } reference
            ? layer.Statistics.MedianUs - reference.Statistics.MedianUs
            : null;
}
