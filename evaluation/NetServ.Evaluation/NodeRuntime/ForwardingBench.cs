using System.Diagnostics;
using System.Globalization;
using NetServ.Evaluation.Mlffr;
using NetServ.Sdk;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Traffic;

namespace NetServ.Evaluation.NodeRuntime;

/// <summary>
/// The MLFFR measurement on the <see cref="BenchPath"/>: the paced generator on the sender's eth0,
/// and an exact count at the receiver (an iptables rule in its INPUT chain that counts and drops
/// UDP to 5060). Disposing removes it all, the path included.
/// </summary>
internal sealed class ForwardingBench : IDisposable
{
    private const string CounterComment = "netserv-eval receiver count";

    private readonly Dictionary<(int, UdpPayloadKind), UdpFrame> _frames = [];

    private ForwardingBench(BenchPath path, PacedPacketGenerator generator, IptablesCounter counter)
    {
        Path = path;
        Generator = generator;
        ReceiverCounter = counter;
    }

    public BenchPath Path { get; }

    public CpuPlacement Placement => Path.Placement;

    public PacedPacketGenerator Generator { get; }

    public IptablesCounter ReceiverCounter { get; }

    public NetworkNamespace Router => Path.Router;

    /// <summary>The most packets one sendmmsg of the generator carries.</summary>
    public int GeneratorBatch { get; init; } = 32;

    public static ForwardingBench Create(CpuPlacement placement)
    {
        var path = BenchPath.Create(placement);
        PacedPacketGenerator? generator = null;
        IptablesCounter? counter = null;
        try
        {
            counter = IptablesCounter.InstallUdp(path.Receiver, BenchPath.Port, "INPUT", "DROP", CounterComment);
            generator = PacedPacketGenerator.Open(path.Sender, "eth0");
            return new ForwardingBench(path, generator, counter);
        }
        catch
        {
            generator?.Dispose();
            counter?.Dispose();
            path.Dispose();
            throw;
        }
    }

    /// <summary>A frame of <paramref name="wireBytes"/> on the wire from 198.18.0.1:5060 to 198.19.0.1:5060.</summary>
    public UdpFrame Frame(int wireBytes, UdpPayloadKind payload = UdpPayloadKind.Pattern)
    {
        if (!_frames.TryGetValue((wireBytes, payload), out var frame))
        {
            frame = UdpFrame.Create(
                wireBytes, Path.SenderMac, Path.RouterMac, Ipv4Address.Parse(BenchPath.SenderAddress), Ipv4Address.Parse(BenchPath.ReceiverAddress), BenchPath.SourcePort, BenchPath.Port, payload);
            _frames[(wireBytes, payload)] = frame;
        }

        return frame;
    }

    /// <summary>Offers <paramref name="rate"/> packets per second for <paramref name="seconds"/> and counts what arrived.</summary>
    public (TrialResult Trial, GeneratorResult Generator) RunTrial(UdpFrame frame, double rate, double seconds, IQueueProbe? queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var count = Math.Max(1, (long)Math.Round(rate * seconds));

        // Bounded in packets (count) and in time (the deadline), whatever happens on the way.
        var request = new GeneratorRequest(rate, count, TimeSpan.FromSeconds((seconds * 1.5) + 1))
        {
            Cpu = Placement.GeneratorCpu,
            Nice = Placement.GeneratorNice,
            Pacing = Placement.GeneratorPacing,
            MaxBatch = GeneratorBatch,
        };

        WaitUntilQuiet(queue, cancellationToken);
        ReceiverCounter.Zero();
        var before = queue?.Read();
        var sent = Generator.Run(frame, request, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        WaitUntilQuiet(queue, cancellationToken);
        var received = ReceiverCounter.Read();
        var after = queue?.Read();

        long bypassed = 0;
        string? details = null;
        var diagnostics = new TrialDiagnostics { GeneratorOnCpu = sent.CpuTime, GeneratorWaiting = sent.RunQueueWait };
        if (before is { } b && after is { } a)
        {
            var matched = a.RuleHits - b.RuleHits;
            var delivered = a.Delivered - b.Delivered;
            bypassed = Math.Max(0, matched - delivered);
            details = string.Create(
                CultureInfo.InvariantCulture,
                $"queue: matched {matched}, delivered to reader {delivered}, kernel id_sequence +{a.IdSequence - b.IdSequence}, dropped +{a.Dropped - b.Dropped}, user-dropped +{a.UserDropped - b.UserDropped}; ");
            if (a.Batches > b.Batches)
            {
                details += string.Create(CultureInfo.InvariantCulture, $"reader batches {a.Batches - b.Batches} ({delivered / (double)(a.Batches - b.Batches):0.0} packets each); ");
                diagnostics = diagnostics with { ReaderPacketsPerBatch = delivered / (double)(a.Batches - b.Batches) };
            }

            if (ThreadStats.Busiest(a.ReaderThreads, b.ReaderThreads) is { } d && delivered > 0)
            {
                diagnostics = diagnostics with
                {
                    ReaderMicrosecondsPerPacket = d.RunNs / 1000.0 / delivered,
                    ReaderOnCpu = TimeSpan.FromTicks(d.RunNs / 100),
                    ReaderWaiting = TimeSpan.FromTicks(d.WaitNs / 100),
                };
                details += string.Create(
                    CultureInfo.InvariantCulture,
                    $"reader thread: {d.RunNs / 1000.0 / delivered:0.00} µs CPU per packet, {d.RunNs / 1e6:0} ms on CPU, {d.WaitNs / 1e6:0} ms waiting for its CPU, {d.VoluntarySwitches} sleeps, {d.InvoluntarySwitches} preemptions; ");
            }
        }

        details += string.Create(
            CultureInfo.InvariantCulture,
            $"generator: {sent.Calls} sendmmsg, {sent.CpuTime.TotalMilliseconds:0} ms on CPU, {sent.RunQueueWait.TotalMilliseconds:0} ms waiting for it, max lag {sent.MaxLag.TotalMilliseconds:0.###} ms, ENOBUFS {sent.FailedNoBuffers}, EAGAIN {sent.FailedAgain}, refused in batch {sent.FailedInBatch}");
        var trial = new TrialResult
        {
            Rate = rate,
            Requested = count,
            Offered = sent.Offered,
            FailedSends = sent.Failed,
            Received = received,
            Bypassed = bypassed,
            OfferedRate = sent.OfferedRate,
            Duration = sent.Elapsed,
            Details = details,
            Diagnostics = diagnostics,
        };
        return (trial, sent);
    }

    /// <summary>Waits until the receiver's interface counter stops moving and the queue (if any) holds nothing.</summary>
    public void WaitUntilQuiet(IQueueProbe? queue, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var last = ReceivedOnInterface();
        var stable = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            cancellationToken.ThrowIfCancellationRequested();
            Thread.Sleep(20);
            var now = ReceivedOnInterface();
            var waiting = queue?.Waiting() ?? 0;
            stable = now == last && waiting == 0 ? stable + 1 : 0;
            last = now;
            if (stable >= 3)
            {
                return;
            }
        }
    }

    /// <summary>Packets received by the receiver's eth0 (from its /proc/net/dev).</summary>
    public long ReceivedOnInterface() => InterfacePackets(Path.Receiver, "eth0").Received;

    /// <summary>Received and dropped counts of <paramref name="interfaceName"/> in <paramref name="ns"/>.</summary>
    public static (long Received, long Dropped) InterfacePackets(NetworkNamespace ns, string interfaceName)
    {
        ArgumentNullException.ThrowIfNull(ns);
        foreach (var line in ns.ReadProcNet("dev").Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == interfaceName)
            {
                var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return (long.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[3], CultureInfo.InvariantCulture));
            }
        }

        throw new InvalidOperationException($"{interfaceName} is not in /proc/net/dev of {ns.Name}");
    }

    public void Dispose()
    {
        Generator.Dispose();
        ReceiverCounter.Dispose();
        Path.Dispose();
    }
}
