using System.Diagnostics;
using System.Globalization;
using System.Net.NetworkInformation;
using NetServ.Evaluation.Mlffr;
using NetServ.Evaluation.Traffic;
using NetServ.Networking;
using NetServ.Testbed.Linux;
using NetServ.Traffic;

namespace NetServ.Evaluation.NodeRuntime;

/// <summary>
/// The MLFFR measurement on the <see cref="BenchPath"/>: the paced generator (or Click, see
/// <see cref="UseGenerator"/>) on the sender's eth0, and an exact count at the receiver (an iptables
/// rule in its INPUT chain that counts and drops UDP to 5060, or to a range of ports from 5060 where
/// traffic is spread over flows). Disposing removes it all, the path included.
/// </summary>
internal sealed class ForwardingBench : IDisposable
{
    private const string CounterComment = "netserv-eval receiver count";

    /// <summary>The sender's interface every generator sends out of.</summary>
    private const string SenderDevice = "eth0";

    private readonly Dictionary<(int, UdpPayloadKind), UdpFrame> _frames = [];
    private readonly Dictionary<(int, string), UdpFrameSet> _frameSets = [];

    private ForwardingBench(BenchPath path, PacedPacketGenerator generator, IptablesCounter counter)
    {
        Path = path;
        Generator = generator;
        ReceiverCounter = counter;
    }

    public BenchPath Path { get; }

    public CpuPlacement Placement => Path.Placement;

    public PacedPacketGenerator Generator { get; }

    /// <summary>Click on the sender, once <see cref="UseGenerator"/> chose it: every trial is then Click's.</summary>
    public ClickTrafficGenerator? Click { get; private set; }

    public IptablesCounter ReceiverCounter { get; }

    public NetworkNamespace Router => Path.Router;

    /// <summary>The most packets one sendmmsg of the generator carries.</summary>
    public int GeneratorBatch { get; init; } = 32;

    /// <summary>How long a trial waits at most for the path to fall quiet (many full queues take seconds to drain).</summary>
    public TimeSpan QuietTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The path, counting UDP to <see cref="BenchPath.Port"/> up to <paramref name="lastPort"/> at the receiver.</summary>
    public static ForwardingBench Create(CpuPlacement placement, ushort lastPort = BenchPath.Port)
    {
        var path = BenchPath.Create(placement);
        PacedPacketGenerator? generator = null;
        IptablesCounter? counter = null;
        try
        {
            counter = IptablesCounter.InstallUdp(path.Receiver, BenchPath.Port, lastPort, "INPUT", "DROP", CounterComment);
            generator = PacedPacketGenerator.Open(path.Sender, SenderDevice);
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

    /// <summary>Whether a payload of <paramref name="payload"/> fits a frame of <paramref name="wireBytes"/> bytes on the wire.</summary>
    public static bool Fits(UdpPayloadKind payload, int wireBytes) =>
        payload != UdpPayloadKind.SipKeepAlive || wireBytes - UdpFrame.FcsBytes - UdpFrame.EthernetHeaderBytes - UdpFrame.IpUdpHeaderBytes >= SipKeepAliveMessage.MinimumLengthAnyEndpoints;

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

    /// <summary>
    /// Frames of <paramref name="wireBytes"/> from 198.18.0.1:5060 to 198.19.0.1, one to each of
    /// <paramref name="destinationPorts"/>, sent in turn: traffic spread evenly over as many flows.
    /// </summary>
    public UdpFrameSet Frames(int wireBytes, IReadOnlyList<ushort> destinationPorts)
    {
        ArgumentNullException.ThrowIfNull(destinationPorts);
        var key = (wireBytes, string.Join(',', destinationPorts));
        if (!_frameSets.TryGetValue(key, out var set))
        {
            set = CreateFrames(wireBytes, Path.SenderMac, Path.RouterMac, destinationPorts);
            _frameSets[key] = set;
        }

        return set;
    }

    /// <summary>The frames of <see cref="Frames"/>, from <paramref name="senderMac"/> to <paramref name="routerMac"/>.</summary>
    public static UdpFrameSet CreateFrames(int wireBytes, PhysicalAddress senderMac, PhysicalAddress routerMac, IReadOnlyList<ushort> destinationPorts)
    {
        ArgumentNullException.ThrowIfNull(destinationPorts);
        return UdpFrameSet.Of(destinationPorts.Select(port => UdpFrame.Create(
            wireBytes, senderMac, routerMac, Ipv4Address.Parse(BenchPath.SenderAddress), Ipv4Address.Parse(BenchPath.ReceiverAddress), BenchPath.SourcePort, port)).ToArray());
    }

    /// <summary>Offers <paramref name="rate"/> packets per second of <paramref name="frame"/> for <paramref name="seconds"/> and counts what arrived.</summary>
    public TrialResult RunTrial(UdpFrame frame, double rate, double seconds, IQueueProbe? queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return RunTrial(UdpFrameSet.Of(frame), rate, seconds, queue, cancellationToken);
    }

    /// <summary>
    /// Offers <paramref name="rate"/> packets per second for <paramref name="seconds"/>, cycling through
    /// <paramref name="frames"/>, with the bench's generator (Click once <see cref="UseGenerator"/> chose it, the
    /// paced generator otherwise), and counts what arrived. <paramref name="whileSending"/>, when given,
    /// runs on a thread of its own from the moment the generator starts (to sample the router under
    /// load); the trial returns once both are done.
    /// </summary>
    /// <exception cref="InvalidOperationException">Click sends and <paramref name="frames"/> hold more than one flow.</exception>
    public TrialResult RunTrial(UdpFrameSet frames, double rate, double seconds, IQueueProbe? queue, CancellationToken cancellationToken, Action<CancellationToken>? whileSending = null)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (Click is not { } click)
        {
            return Measure(rate, queue, () => SendPaced(frames, rate, seconds, cancellationToken), whileSending, cancellationToken).Trial;
        }

        if (frames.Count != 1)
        {
            throw new InvalidOperationException($"Click sends one flow a run; this trial spreads over {frames.Count}");
        }

        return Measure(rate, queue, () => CountedTrafficRun.Run(click, Spec(frames[0]).ForDuration(rate, seconds), ReceiverCounter, cancellationToken).Generator, whileSending, cancellationToken).Trial;
    }

    /// <summary>A trial of the paced generator whatever the bench's generator, without a queue: its own account beside the trial.</summary>
    public (TrialResult Trial, GeneratorResult Generator) RunPacedTrial(UdpFrameSet frames, double rate, double seconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var (trial, sent) = Measure(rate, null, () => SendPaced(frames, rate, seconds, cancellationToken), null, cancellationToken);
        return (trial, sent.Paced!);
    }

    /// <summary>What the sender sends <paramref name="frame"/> with: its flow, out of eth0, for another generator than the paced one.</summary>
    public static TrafficSpec Spec(UdpFrame frame) => TrafficSpec.Of(frame, SenderDevice);

    /// <summary>
    /// Makes <paramref name="choice"/> the generator of every <see cref="RunTrial(UdpFrameSet, double, double, IQueueProbe?, CancellationToken, Action{CancellationToken}?)"/>:
    /// Click (found with <see cref="GeneratorOption.ClickOptions"/>, on the generator's CPU with its nice value) where it is asked
    /// for or auto finds it on the sender, the paced generator otherwise.
    /// </summary>
    /// <exception cref="ClickNotInstalledException">Click asked for, and the sender has none: the message names it.</exception>
    public TrafficGeneratorUse UseGenerator(TrafficGeneratorChoice choice, CancellationToken cancellationToken)
    {
        if (choice == TrafficGeneratorChoice.Paced)
        {
            return TrafficGeneratorUse.Paced;
        }

        var options = GeneratorOption.ClickOptions();
        options.Cpu = Placement.GeneratorCpu;
        options.Nice = Placement.GeneratorNice;
        var click = new ClickTrafficGenerator(new NamespaceShell(Path.Sender), options);
        var use = TrafficGeneratorUse.Resolve(choice, click.Installation);
        if (use.IsClick)
        {
            // One packet first: Click's first run also pays for the router's neighbour lookup.
            CountedTrafficRun.Run(click, Spec(Frame(UdpFrame.MinimumWireBytes)), ReceiverCounter, cancellationToken);
            Click = click;
        }

        return use;
    }

    /// <summary>
    /// One trial: the path quiet, the receiver's counter zeroed and the queue read, <paramref name="send"/> (with
    /// <paramref name="whileSending"/> beside it), the path quiet again, then what arrived and what the queue saw.
    /// </summary>
    private (TrialResult Trial, TrafficResult Sent) Measure(double rate, IQueueProbe? queue, Func<TrafficResult> send, Action<CancellationToken>? whileSending, CancellationToken cancellationToken)
    {
        WaitUntilQuiet(queue, cancellationToken);
        ReceiverCounter.Zero();
        var before = queue?.Read();

        // A thread of its own, started with the generator's: a pool thread may start only after the trial
        // (the pool adds threads slowly while this one blocks in the generator).
        Exception? samplerFailure = null;
        var sampler = whileSending is null ? null : new Thread(() =>
        {
            try
            {
                whileSending(cancellationToken);
            }
            catch (Exception e)
            {
                samplerFailure = e;
            }
        })
        {
            IsBackground = true,
            Name = "trial sampler",
        };
        sampler?.Start();
        TrafficResult sent;
        try
        {
            sent = send();
        }
        finally
        {
            // Click throws when cancelled; the sampler ends on the same token.
            sampler?.Join();
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (samplerFailure is not null)
        {
            throw new InvalidOperationException($"reading the router during the trial failed: {samplerFailure.Message}", samplerFailure);
        }

        WaitUntilQuiet(queue, cancellationToken);
        var received = ReceiverCounter.Read();
        var after = queue?.Read();

        long bypassed = 0;
        string? details = null;
        var diagnostics = new TrialDiagnostics { GeneratorOnCpu = sent.Paced?.CpuTime, GeneratorWaiting = sent.Paced?.RunQueueWait };
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

        details += sent.Paced is { } p
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"generator: {p.Calls} sendmmsg, {p.CpuTime.TotalMilliseconds:0} ms on CPU, {p.RunQueueWait.TotalMilliseconds:0} ms waiting for it, max lag {p.MaxLag.TotalMilliseconds:0.###} ms, ENOBUFS {p.FailedNoBuffers}, EAGAIN {p.FailedAgain}, refused in batch {p.FailedInBatch}")
            : string.Create(
                CultureInfo.InvariantCulture,
                $"generator: {sent.Driver}, offered {sent.Offered} at {sent.OfferedRate:0} pps by its counters, the kernel took {sent.Sent}, gave up on {sent.FailedSends}, in {sent.Elapsed.TotalMilliseconds:0} ms");
        var trial = new TrialResult
        {
            Rate = rate,
            Requested = sent.Requested,
            Offered = sent.Offered,
            FailedSends = sent.FailedSends,
            Received = received,
            Bypassed = bypassed,
            OfferedRate = sent.OfferedRate,
            GeneratorLimited = sent.GeneratorLimited,
            Duration = sent.Elapsed,
            Details = details,
            Diagnostics = diagnostics,
        };
        return (trial, sent);
    }

    /// <summary>The paced generator for <paramref name="seconds"/> at <paramref name="rate"/>: bounded in packets (the count) and in time (the deadline), whatever happens on the way.</summary>
    private TrafficResult SendPaced(UdpFrameSet frames, double rate, double seconds, CancellationToken cancellationToken)
    {
        var request = new GeneratorRequest(rate, Math.Max(1, (long)Math.Round(rate * seconds)), TimeSpan.FromSeconds((seconds * 1.5) + 1))
        {
            Cpu = Placement.GeneratorCpu,
            Nice = Placement.GeneratorNice,
            Pacing = Placement.GeneratorPacing,
            MaxBatch = GeneratorBatch,
        };
        return TrafficResult.FromPaced(Generator.Run(frames, request, cancellationToken));
    }

    /// <summary>
    /// The generator's own limits through this path (plain forwarding when the router holds nothing):
    /// the best of three unpaced runs of <paramref name="seconds"/>, then a paced run well below that.
    /// <paramref name="beforeEachRun"/> lets the caller wait for a quiet machine first.
    /// </summary>
    public GeneratorCheck CheckGenerator(UdpFrameSet frames, int size, double seconds, Action beforeEachRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(beforeEachRun);

        // The best of three unpaced runs: a burst of other work during one must not lower every search's high bound.
        GeneratorResult? unpaced = null;
        long unpacedReceived = 0;
        for (var run = 0; run < 3; run++)
        {
            beforeEachRun();
            WaitUntilQuiet(null, cancellationToken);
            ReceiverCounter.Zero();
            var result = Generator.Run(
                frames,
                new GeneratorRequest(0, (long)(3_000_000 * seconds), TimeSpan.FromSeconds(seconds)) { Cpu = Placement.GeneratorCpu, Nice = Placement.GeneratorNice, Pacing = Placement.GeneratorPacing, MaxBatch = GeneratorBatch },
                cancellationToken);
            WaitUntilQuiet(null, cancellationToken);
            var received = ReceiverCounter.Read();
            if (unpaced is null || result.OfferedRate > unpaced.OfferedRate)
            {
                unpaced = result;
                unpacedReceived = received;
            }
        }

        ArgumentNullException.ThrowIfNull(unpaced);

        // The pacing check runs where plain forwarding loses nothing, well below the generator's maximum.
        beforeEachRun();
        var rate = Math.Round(Math.Min(200_000, unpaced.OfferedRate / 2) / 1000) * 1000;
        var (trial, paced) = RunPacedTrial(frames, rate, seconds, cancellationToken);
        return new GeneratorCheck(size, unpaced, unpacedReceived, rate, paced, trial.Received);
    }

    /// <summary>Waits until the receiver's interface counter stops moving and the queue (if any) holds nothing.</summary>
    public void WaitUntilQuiet(IQueueProbe? queue, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var last = ReceivedOnInterface();
        var stable = 0;
        while (watch.Elapsed < QuietTimeout)
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
        Click?.Dispose();
        Generator.Dispose();
        ReceiverCounter.Dispose();
        Path.Dispose();
    }
}
