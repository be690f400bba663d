using System.Text.Json.Nodes;
using NetServ.Evaluation.NodeRuntime;
using NetServ.Evaluation.Traffic;
using NetServ.Traffic;

namespace NetServ.Evaluation.Latency;

/// <summary>Everything the latency benchmark (the paper's Figure 13) can be told; plain defaults, <see cref="Quick"/> for the short run.</summary>
internal sealed record LayerLatencyOptions
{
    /// <summary>The layers of Figure 13 that exist so far, in the order they are measured; (6) KeepAlive comes with the applications.</summary>
    public static IReadOnlyList<string> DefaultConfigurations { get; } = ["1", "2", "C", "4", "5", "6"];

    /// <summary>Router configurations, measured in this order.</summary>
    public IReadOnlyList<string> Configurations { get; init; } = DefaultConfigurations;

    /// <summary>Packets per second: low, so that no queue on the way builds up and the latency is the path's own.</summary>
    public double Rate { get; init; } = 1_000;

    /// <summary>Length of the measured run of each configuration.</summary>
    public double Seconds { get; init; } = 5;

    /// <summary>The uncounted run before each measurement (JIT tiering of the container's reader, caches), at the same rate.</summary>
    public double WarmupSeconds { get; init; } = 1;

    /// <summary>How long the receiver waits after the last send; a packet later than this counts as lost.</summary>
    public double DrainSeconds { get; init; } = 1;

    /// <summary>Frame size on the wire, FCS included: 340 bytes, the paper's SIP packets (the traffic of its KeepAlive bar).</summary>
    public int WireBytes { get; init; } = 340;

    /// <summary>The CPU of the receiving thread (its scheduling is outside the measured latency: the kernel stamps packets first).</summary>
    public int ReceiverCpu { get; init; } = Environment.ProcessorCount > 1 ? 1 : 0;

    /// <summary>recvmmsg batch of the container's reader, and nfq-accept's --batch (neither waits for a batch to fill).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>NFQUEUE maximum length for both readers (the container's default).</summary>
    public int QueueMaxLength { get; init; } = 4096;

    /// <summary>Where the work runs; the sender's thread takes the generator's CPU.</summary>
    public CpuPlacement Placement { get; init; } = CpuPlacement.Default;

    /// <summary>What <c>--generator</c> asked; the benchmark sends with its own paced socket sender whatever it says (<see cref="ClickCannot"/>).</summary>
    public TrafficGeneratorChoice Generator { get; init; } = TrafficGeneratorChoice.Paced;

    /// <summary>Why Click cannot send the latency benchmark's packets.</summary>
    public const string ClickCannot =
        "the latency benchmark's packets carry their send time, stamped by a UDP socket just before each is sent, and Click's sources send fixed data";

    /// <summary>The generator the run sends with: paced, noting why where <c>auto</c> was asked.</summary>
    /// <exception cref="ArgumentException"><c>--generator click</c>, saying why the benchmark cannot use it.</exception>
    public TrafficGeneratorUse TrafficGenerator => TrafficGeneratorUse.PacedBecause(Generator, ClickCannot);

    /// <summary>How long the CPUs are watched before each measurement to see how busy other work keeps them.</summary>
    public double BusySampleSeconds { get; init; } = 0.5;

    /// <summary>Before each measurement, wait up to this long for other work on the machine to fall below <see cref="QuietBusyFraction"/> (0: do not wait).</summary>
    public double QuietWaitSeconds { get; init; }

    /// <summary>The busy fraction of all CPUs (from other work) under which the machine counts as quiet.</summary>
    public double QuietBusyFraction { get; init; } = 0.1;

    /// <summary>Logarithmic histogram bins per factor of ten in results.json.</summary>
    public int HistogramBinsPerDecade { get; init; } = 20;

    /// <summary>The parent of the results folder; null for evaluation/results in the repository.</summary>
    public string? Output { get; init; }

    public bool IsQuick { get; init; }

    /// <summary>Packets of each measured run.</summary>
    public int Packets => (int)Math.Max(1, Math.Round(Rate * Seconds));

    /// <summary>UDP payload bytes of a frame of <see cref="WireBytes"/>.</summary>
    public int PayloadBytes => WireBytes - UdpFrame.FcsBytes - UdpFrame.EthernetHeaderBytes - UdpFrame.IpUdpHeaderBytes;

    /// <summary>The short version: 300 packets per configuration at the same rate, a short warm-up.</summary>
    public LayerLatencyOptions Quick() => this with
    {
        IsQuick = true,
        Seconds = 300 / Rate,
        WarmupSeconds = 0.2,
        DrainSeconds = 0.5,
        BusySampleSeconds = 0.2,
    };

    public void Validate()
    {
        if (Configurations.Count == 0 || Configurations.Any(c => !RouterConfiguration.AllKeys.Contains(c)) || Configurations.Distinct().Count() != Configurations.Count)
        {
            throw new ArgumentException($"--configurations: each of {string.Join(',', RouterConfiguration.AllKeys)} at most once");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(Rate, 1, "--rate");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Rate, 100_000, "--rate");
        ArgumentOutOfRangeException.ThrowIfLessThan(Seconds, 0.01, "--seconds");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Seconds, 600, "--seconds");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Packets, 1_000_000, "--rate × --seconds");
        ArgumentOutOfRangeException.ThrowIfNegative(WarmupSeconds, "--warmup-seconds");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(WarmupSeconds, 60, "--warmup-seconds");
        ArgumentOutOfRangeException.ThrowIfLessThan(DrainSeconds, 0.1, "drain");
        if (WireBytes is < UdpFrame.MinimumWireBytes or > 1518)
        {
            throw new ArgumentException("--size: frames are 64..1518 bytes on the wire");
        }

        if (ReceiverCpu < 0 || ReceiverCpu >= Environment.ProcessorCount)
        {
            throw new ArgumentException($"--receiver-cpu: CPU {ReceiverCpu} does not exist (CPUs 0-{Environment.ProcessorCount - 1})");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, "--batch");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BatchSize, 1024, "--batch");
        ArgumentOutOfRangeException.ThrowIfNegative(QuietWaitSeconds, "--quiet-wait");
        ArgumentOutOfRangeException.ThrowIfLessThan(QuietBusyFraction, 0.01, "--quiet-percent");
        ArgumentOutOfRangeException.ThrowIfLessThan(HistogramBinsPerDecade, 1, "histogram bins");
        Placement.Validate(Environment.ProcessorCount);
        _ = TrafficGenerator;
    }

    public JsonObject ToJson() => new()
    {
        ["configurations"] = new JsonArray(Configurations.Select(c => (JsonNode?)c).ToArray()),
        ["ratePps"] = Rate,
        ["seconds"] = Seconds,
        ["packetsPerConfiguration"] = Packets,
        ["warmupSeconds"] = WarmupSeconds,
        ["drainSeconds"] = DrainSeconds,
        ["sizeBytes"] = WireBytes,
        ["udpPayloadBytes"] = PayloadBytes,
        ["receiverCpu"] = ReceiverCpu,
        ["quick"] = IsQuick,
        ["queueReaders"] = new JsonObject { ["batch"] = BatchSize, ["queueMaxLength"] = QueueMaxLength, ["failOpen"] = true },
        ["histogramBinsPerDecade"] = HistogramBinsPerDecade,
        ["quiet"] = QuietWaitSeconds > 0 ? $"before each measurement, waited up to {QuietWaitSeconds:0} s for other work to use less than {QuietBusyFraction:0%} of the CPUs" : "no waiting for a quiet machine",
        ["method"] = "a UDP socket in the sender's namespace sends paced packets, each carrying its sequence number and CLOCK_REALTIME send time (taken just before send()); " +
            "a UDP socket in the receiver's namespace takes the kernel's receive timestamp of each (SO_TIMESTAMPNS through recvmsg; the kernel stamps a packet as it enters the receiver's stack); " +
            "latency = receive timestamp - send time (all namespaces share the machine's clock). Added by a layer = median(configuration) - median(1).",
    };
}
