using System.Diagnostics;
using System.Runtime.InteropServices;
using NetServ.Testbed.Linux;

namespace NetServ.Traffic;

/// <summary>How the generator waits for the next packet's time.</summary>
public enum PacingMode
{
    /// <summary>Busy-wait to each packet's exact time (yielding the CPU while more than 5 µs ahead). Exact to the packet; occupies its CPU.</summary>
    Spin,

    /// <summary>
    /// Sleep (a high-resolution timer, no slack) while nothing is due, at least <see cref="GeneratorRequest.SleepQuantum"/>,
    /// then send every packet that became due in one call: the same average rate with bursts of about
    /// rate × quantum packets, leaving the CPU to what shares it (a queue reader) whenever the generator has nothing to send.
    /// </summary>
    Sleep,
}

/// <summary>One bounded run of the <see cref="PacedPacketGenerator"/>.</summary>
/// <param name="PacketsPerSecond">The rate; 0 or less sends as fast as the socket takes packets.</param>
/// <param name="Packets">Exactly how many packets to offer.</param>
/// <param name="MaxDuration">The run stops at this deadline even if not all packets were offered (then <see cref="GeneratorResult.StoppedByDeadline"/>).</param>
public sealed record GeneratorRequest(double PacketsPerSecond, long Packets, TimeSpan MaxDuration)
{
    /// <summary>The CPU the sending thread is pinned to, or null to leave it unpinned.</summary>
    public int? Cpu { get; init; }

    /// <summary>The most packets handed to the kernel in one sendmmsg call (the generator batches only when it is behind its schedule).</summary>
    public int MaxBatch { get; init; } = 32;

    /// <summary>
    /// Whether the waiting loop gives the CPU away (sched_yield) while it is ahead of schedule, so a
    /// process sharing its CPU (a queue reader) runs; with nothing else runnable it is a pure busy-wait.
    /// </summary>
    public bool YieldWhileWaiting { get; init; } = true;

    /// <summary>How the generator waits between packets.</summary>
    public PacingMode Pacing { get; init; } = PacingMode.Spin;

    /// <summary>In <see cref="PacingMode.Sleep"/>, the shortest sleep.</summary>
    public TimeSpan SleepQuantum { get; init; } = TimeSpan.FromMicroseconds(50);

    /// <summary>
    /// The nice value of the sending thread, or null to keep the process's. A positive value lets a
    /// queue reader sharing the generator's CPU run first whenever it has work.
    /// </summary>
    public int? Nice { get; init; }

    /// <summary>A run of <paramref name="seconds"/> at <paramref name="packetsPerSecond"/>, with a deadline of twice that plus a second.</summary>
    public static GeneratorRequest ForDuration(double packetsPerSecond, double seconds, int? cpu = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(packetsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seconds);
        return new GeneratorRequest(packetsPerSecond, Math.Max(1, (long)Math.Round(packetsPerSecond * seconds)), TimeSpan.FromSeconds((seconds * 2) + 1)) { Cpu = cpu };
    }
}

/// <summary>What a generator run offered. Every packet the kernel refused counts as offered and lost; none is retried.</summary>
public sealed record GeneratorResult
{
    /// <summary>The requested rate (0: unpaced).</summary>
    public required double RequestedRate { get; init; }

    /// <summary>Packets requested.</summary>
    public required long Requested { get; init; }

    /// <summary>Packets offered: handed to the kernel, whether it took them or not.</summary>
    public required long Offered { get; init; }

    /// <summary>Packets the kernel took.</summary>
    public required long Sent { get; init; }

    /// <summary>Sends refused with ENOBUFS (a full queue on the way: the router's input backlog through veth).</summary>
    public required long FailedNoBuffers { get; init; }

    /// <summary>Sends refused with EAGAIN (the socket's own send buffer was full).</summary>
    public required long FailedAgain { get; init; }

    /// <summary>Sends refused inside a sendmmsg that had already sent earlier packets (the kernel then reports no errno).</summary>
    public required long FailedInBatch { get; init; }

    /// <summary>From the first send to the return of the last.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>sendmmsg calls made.</summary>
    public required long Calls { get; init; }

    /// <summary>The largest delay of a packet behind its scheduled time.</summary>
    public required TimeSpan MaxLag { get; init; }

    /// <summary>Whether the deadline ended the run before all packets were offered.</summary>
    public required bool StoppedByDeadline { get; init; }

    /// <summary>Whether cancellation ended the run early.</summary>
    public required bool Cancelled { get; init; }

    /// <summary>Time the sending thread spent on its CPU (from its schedstat).</summary>
    public TimeSpan CpuTime { get; init; }

    /// <summary>Time the sending thread was runnable but waited for its CPU: another task (a queue reader, other work) held it.</summary>
    public TimeSpan RunQueueWait { get; init; }

    /// <summary>The CPU the sending thread ran on (null: unpinned).</summary>
    public int? Cpu { get; init; }

    /// <summary>How the generator paced.</summary>
    public PacingMode Pacing { get; init; }

    /// <summary>Packets offered but refused by the kernel.</summary>
    public long Failed => FailedNoBuffers + FailedAgain + FailedInBatch;

    /// <summary>The rate at which packets were offered.</summary>
    public double OfferedRate => Elapsed > TimeSpan.Zero ? Offered / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// A paced UDP traffic generator on a raw packet socket (AF_PACKET), for zero-loss searches where
/// every offered packet must be counted: busy-wait pacing to an exact schedule, exact packet counts,
/// a very large send buffer so the socket itself never throttles, and a send the kernel refuses
/// counted as offered and lost, never retried. The sending runs on a dedicated thread pinned to
/// one CPU. When it falls behind schedule it catches up with batches of up to
/// <see cref="GeneratorRequest.MaxBatch"/> packets per sendmmsg. One run sends one frame, or cycles
/// through a <see cref="UdpFrameSet"/> (traffic spread over many flows), all prepared before the
/// first packet: nothing is built or allocated per packet.
/// </summary>
/// <remarks>
/// Why not a UDP socket: the IP stack's per-packet cost in the sender and its own flow control
/// would limit and hide; trafgen and Click either burst or retry (see the project notes on
/// measuring forwarding here). The socket is created inside the sender's namespace and stays there.
/// </remarks>
public sealed unsafe class PacedPacketGenerator : IDisposable
{
    /// <summary>The send buffer asked for by default: through veth a packet stays charged to it until the receiver frees it.</summary>
    public const int DefaultSendBufferBytes = 64 << 20;

    private readonly int _fd;
    private readonly int _ifindex;
    private int _disposed;

    private PacedPacketGenerator(int fd, int ifindex, string interfaceName, int sendBufferBytes)
    {
        _fd = fd;
        _ifindex = ifindex;
        InterfaceName = interfaceName;
        SendBufferBytes = sendBufferBytes;
    }

    /// <summary>The interface the frames leave through.</summary>
    public string InterfaceName { get; }

    /// <summary>The socket's send buffer as the kernel reports it.</summary>
    public int SendBufferBytes { get; }

    /// <summary>Opens a raw packet socket on <paramref name="interfaceName"/> inside <paramref name="ns"/>.</summary>
    public static PacedPacketGenerator Open(NetworkNamespace ns, string interfaceName, int sendBufferBytes = DefaultSendBufferBytes)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        return ns.Run(() => Open(interfaceName, sendBufferBytes));
    }

    /// <summary>Opens a raw packet socket on <paramref name="interfaceName"/> in the calling thread's namespace.</summary>
    public static PacedPacketGenerator Open(string interfaceName, int sendBufferBytes = DefaultSendBufferBytes)
    {
        var ifindex = (int)Interop.IfNameToIndex(interfaceName);
        if (ifindex == 0)
        {
            throw Interop.ErrorFor($"if_nametoindex({interfaceName})");
        }

        // Protocol 0: the socket only sends, so no received packet is ever queued on (or charged to) it.
        var fd = Interop.Socket(Interop.AF_PACKET, Interop.SOCK_RAW | Interop.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw Interop.ErrorFor("socket(AF_PACKET, SOCK_RAW)");
        }

        try
        {
            var size = sendBufferBytes;
            if (Interop.SetSockOpt(fd, Interop.SOL_SOCKET, Interop.SO_SNDBUFFORCE, &size, sizeof(int)) != 0)
            {
                throw Interop.ErrorFor($"setsockopt(SO_SNDBUFFORCE, {sendBufferBytes})");
            }

            // Straight to the driver: veth has no queue to bypass, but the qdisc layer's locking and checks cost per packet.
            var one = 1;
            if (Interop.SetSockOpt(fd, Interop.SOL_PACKET, Interop.PACKET_QDISC_BYPASS, &one, sizeof(int)) != 0)
            {
                throw Interop.ErrorFor("setsockopt(PACKET_QDISC_BYPASS)");
            }

            int actual;
            var length = (uint)sizeof(int);
            if (Interop.GetSockOpt(fd, Interop.SOL_SOCKET, Interop.SO_SNDBUF, &actual, &length) != 0)
            {
                throw Interop.ErrorFor("getsockopt(SO_SNDBUF)");
            }

            return new PacedPacketGenerator(fd, ifindex, interfaceName, actual);
        }
        catch
        {
            Interop.Close(fd);
            throw;
        }
    }

    /// <summary>
    /// Offers <see cref="GeneratorRequest.Packets"/> copies of <paramref name="frame"/> at the requested rate,
    /// on a new thread pinned to <see cref="GeneratorRequest.Cpu"/>, and returns when done, at the deadline, or on cancellation.
    /// </summary>
    public GeneratorResult Run(UdpFrame frame, GeneratorRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return Run(UdpFrameSet.Of(frame), request, cancellationToken);
    }

    /// <summary>
    /// Offers <see cref="GeneratorRequest.Packets"/> packets at the requested rate, packet <c>i</c> carrying
    /// frame <c>i mod Count</c> of <paramref name="frames"/>, on a new thread pinned to
    /// <see cref="GeneratorRequest.Cpu"/>, and returns when done, at the deadline, or on cancellation.
    /// </summary>
    public GeneratorResult Run(UdpFrameSet frames, GeneratorRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Packets);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MaxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.MaxBatch, 1024);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        GeneratorResult? result = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (request.Cpu is { } cpu)
                {
                    Interop.PinCurrentThread(cpu);
                }

                if (request.Nice is { } nice)
                {
                    Interop.SetCurrentThreadNice(nice);
                }

                if (request.Pacing == PacingMode.Sleep)
                {
                    Interop.SetCurrentThreadTimerSlack(1);
                }

                var before = ReadSchedStat();
                result = Send(frames, request, cancellationToken);
                var after = ReadSchedStat();
                result = result with
                {
                    CpuTime = TimeSpan.FromTicks((after.RunNs - before.RunNs) / 100),
                    RunQueueWait = TimeSpan.FromTicks((after.WaitNs - before.WaitNs) / 100),
                };
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "paced generator",
            Priority = ThreadPriority.Normal,
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException($"the generator failed: {failure.Message}", failure);
        }

        return result!;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Interop.Close(_fd);
        }
    }

    /// <summary>This thread's time on the CPU and waiting for it, in nanoseconds (0 where the kernel lacks schedstats).</summary>
    private static (long RunNs, long WaitNs) ReadSchedStat()
    {
        try
        {
            var fields = File.ReadAllText("/proc/thread-self/schedstat").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return (long.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return (0, 0);
        }
    }

    private GeneratorResult Send(UdpFrameSet frames, GeneratorRequest request, CancellationToken cancellationToken)
    {
        var batch = request.MaxBatch;
        var count = frames.Count;

        // Every frame in one buffer, each on its own cache lines.
        var stride = (frames.Frames.Max(f => f.Bytes.Length) + 63) & ~63;
        var frameBuffer = (byte*)NativeMemory.AlignedAlloc((nuint)(stride * count), 64);
        var address = (Interop.SockAddrLl*)NativeMemory.AllocZeroed((nuint)sizeof(Interop.SockAddrLl));

        // Message j sends frame j mod count: a send starting at packet i takes the messages from i mod count on,
        // so count + batch - 1 messages serve every start without touching a descriptor per packet.
        var messageCount = count + batch - 1;
        var vectors = (NetServ.Netfilter.Native.Interop.IoVec*)NativeMemory.AllocZeroed((nuint)messageCount, (nuint)sizeof(NetServ.Netfilter.Native.Interop.IoVec));
        var messages = (NetServ.Netfilter.Native.Interop.MMsgHdr*)NativeMemory.AllocZeroed((nuint)messageCount, (nuint)sizeof(NetServ.Netfilter.Native.Interop.MMsgHdr));
        try
        {
            for (var f = 0; f < count; f++)
            {
                frames.Frames[f].Bytes.CopyTo(new Span<byte>(frameBuffer + (f * stride), frames.Frames[f].Bytes.Length));
            }

            var first = frames.Frames[0].Bytes;
            address->sll_family = Interop.AF_PACKET;
            address->sll_protocol = (ushort)System.Net.IPAddress.HostToNetworkOrder((short)Interop.ETH_P_IP);
            address->sll_ifindex = _ifindex;
            address->sll_halen = 6;
            for (var i = 0; i < 6; i++)
            {
                address->sll_addr[i] = first[i];
            }

            for (var j = 0; j < messageCount; j++)
            {
                var f = j % count;
                vectors[j].iov_base = frameBuffer + (f * stride);
                vectors[j].iov_len = (nuint)frames.Frames[f].Bytes.Length;
                messages[j].msg_hdr.msg_name = address;
                messages[j].msg_hdr.msg_namelen = (uint)sizeof(Interop.SockAddrLl);
                messages[j].msg_hdr.msg_iov = &vectors[j];
                messages[j].msg_hdr.msg_iovlen = 1;
            }

            return Loop(messages, count, request, cancellationToken);
        }
        finally
        {
            NativeMemory.AlignedFree(frameBuffer);
            NativeMemory.Free(address);
            NativeMemory.Free(vectors);
            NativeMemory.Free(messages);
        }
    }

    private GeneratorResult Loop(NetServ.Netfilter.Native.Interop.MMsgHdr* messages, int frames, GeneratorRequest request, CancellationToken cancellationToken)
    {
        var count = request.Packets;
        var paced = request.PacketsPerSecond > 0;
        var ticksPerPacket = paced ? Stopwatch.Frequency / request.PacketsPerSecond : 0;

        // Waiting for more than this gives the CPU away once instead of spinning.
        var yieldTicks = Stopwatch.Frequency / 200_000;
        var quantumTicks = (long)(request.SleepQuantum.TotalSeconds * Stopwatch.Frequency);
        long offered = 0, sent = 0, noBuffers = 0, again = 0, inBatch = 0, calls = 0, maxLag = 0;
        var stoppedByDeadline = false;
        var cancelled = false;
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(request.MaxDuration.TotalSeconds * Stopwatch.Frequency);
        var end = start;
        var iterations = 0;
        while (offered < count)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= deadline)
            {
                stoppedByDeadline = true;
                break;
            }

            // Checking the token costs a little; every 4096 turns is often enough to stop within a millisecond.
            if ((++iterations & 0xFFF) == 0 && cancellationToken.IsCancellationRequested)
            {
                cancelled = true;
                break;
            }

            long due;
            if (paced)
            {
                // The packet with index i is due at start + i * ticksPerPacket.
                due = Math.Min(count, (long)((now - start) / ticksPerPacket) + 1);
                if (due <= offered)
                {
                    var next = start + (long)(offered * ticksPerPacket);
                    if (request.Pacing == PacingMode.Sleep)
                    {
                        Interop.SleepUntil(Math.Max(next, now + quantumTicks));
                    }
                    else if (request.YieldWhileWaiting && next - now > yieldTicks)
                    {
                        _ = Interop.SchedYield();
                    }

                    continue;
                }

                var lag = now - (start + (long)(offered * ticksPerPacket));
                if (lag > maxLag)
                {
                    maxLag = lag;
                }
            }
            else
            {
                due = count;
            }

            // Packet i carries frame i mod frames, refused or not: the next send starts at the next frame.
            var n = (int)Math.Min(due - offered, request.MaxBatch);
            var result = Interop.SendMMsg(_fd, messages + (frames == 1 ? 0 : (int)(offered % frames)), (uint)n, Interop.MSG_DONTWAIT);
            calls++;
            if (result >= 0)
            {
                sent += result;
                offered += result;
                if (result < n)
                {
                    // sendmmsg stops at the first message the kernel refuses and reports only the count before it.
                    offered++;
                    inBatch++;
                }
            }
            else
            {
                var errno = Marshal.GetLastPInvokeError();
                switch (errno)
                {
                    case Interop.EINTR:
                        break;
                    case Interop.ENOBUFS:
                        offered++;
                        noBuffers++;
                        break;
                    case Interop.EAGAIN:
                        offered++;
                        again++;
                        break;
                    default:
                        throw new System.ComponentModel.Win32Exception(errno, $"sendmmsg on {InterfaceName} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
                }
            }

            end = Stopwatch.GetTimestamp();
        }

        return new GeneratorResult
        {
            RequestedRate = paced ? request.PacketsPerSecond : 0,
            Requested = count,
            Offered = offered,
            Sent = sent,
            FailedNoBuffers = noBuffers,
            FailedAgain = again,
            FailedInBatch = inBatch,
            Elapsed = Stopwatch.GetElapsedTime(start, end),
            Calls = calls,
            MaxLag = TimeSpan.FromSeconds(maxLag / (double)Stopwatch.Frequency),
            StoppedByDeadline = stoppedByDeadline,
            Cancelled = cancelled,
            Cpu = request.Cpu,
            Pacing = request.Pacing,
        };
    }
}
