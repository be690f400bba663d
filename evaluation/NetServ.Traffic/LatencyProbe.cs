using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using NetServ.Testbed.Linux;

namespace NetServ.Traffic;

/// <summary>One bounded run of the <see cref="LatencyProbe"/>.</summary>
/// <param name="PacketsPerSecond">The paced rate.</param>
/// <param name="Packets">Exactly how many packets to send (sequence numbers 0..Packets-1).</param>
/// <param name="MaxDuration">The sender stops at this deadline even if not all packets were sent.</param>
public sealed record LatencyRequest(double PacketsPerSecond, int Packets, TimeSpan MaxDuration)
{
    /// <summary>UDP payload bytes of every packet, the stamp included.</summary>
    public int PayloadBytes { get; init; } = LatencyStamp.Length;

    /// <summary>
    /// What every payload holds besides the stamp (exactly <see cref="PayloadBytes"/> bytes), or null for a
    /// letter pattern; the stamp is written over it at <see cref="StampOffset"/>. A SIP NOTIFY keep-alive
    /// with the stamp as its body reaches a module that answers keep-alives as one.
    /// </summary>
    public byte[]? PayloadTemplate { get; init; }

    /// <summary>Where in the payload the stamp goes (and is read from at the receiver).</summary>
    public int StampOffset { get; init; }

    /// <summary>The CPU the sending thread is pinned to, or null to leave it unpinned.</summary>
    public int? SenderCpu { get; init; }

    /// <summary>The CPU the receiving thread is pinned to, or null to leave it unpinned.</summary>
    public int? ReceiverCpu { get; init; }

    /// <summary>How long the receiver waits for stragglers after the last send: a packet later than this counts as lost.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A run of <paramref name="seconds"/> at <paramref name="packetsPerSecond"/>, with a deadline of one and a half times that plus a second.</summary>
    public static LatencyRequest ForDuration(double packetsPerSecond, double seconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(packetsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seconds);
        return new LatencyRequest(packetsPerSecond, (int)Math.Max(1, Math.Round(packetsPerSecond * seconds)), TimeSpan.FromSeconds((seconds * 1.5) + 1));
    }
}

/// <summary>
/// What a <see cref="LatencyProbe"/> run saw, per packet by sequence number: when it was sent (from
/// its payload) and when the receiver's kernel and the receiving thread got it, all CLOCK_REALTIME
/// nanoseconds; 0 where the packet never arrived.
/// </summary>
public sealed class LatencyRun
{
    /// <summary>Packets requested.</summary>
    public required int Requested { get; init; }

    /// <summary>Packets handed to send(), whether the kernel took them or not.</summary>
    public required int Sent { get; init; }

    /// <summary>Sends the kernel refused: counted as sent and lost, never retried.</summary>
    public required int SendFailures { get; init; }

    /// <summary>Distinct packets of the run that arrived with a kernel timestamp.</summary>
    public required int Received { get; init; }

    /// <summary>Copies of packets that had arrived already.</summary>
    public required int Duplicates { get; init; }

    /// <summary>Packets that arrived after one with a higher sequence number.</summary>
    public required int Reordered { get; init; }

    /// <summary>Datagrams that were not this run's (no stamp, a sequence number out of range, sent before the run, truncated).</summary>
    public required int Foreign { get; init; }

    /// <summary>Packets of the run that arrived without a kernel timestamp (not counted as received).</summary>
    public required int Untimestamped { get; init; }

    /// <summary>Send time of each packet, from its payload.</summary>
    public required long[] SentNanoseconds { get; init; }

    /// <summary>The receiver kernel's timestamp of each packet (SO_TIMESTAMPNS).</summary>
    public required long[] KernelReceivedNanoseconds { get; init; }

    /// <summary>When recvmsg returned the packet to the receiving thread.</summary>
    public required long[] UserReceivedNanoseconds { get; init; }

    /// <summary>From the first send to the last.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The largest delay of a send behind its scheduled time.</summary>
    public required TimeSpan MaxLag { get; init; }

    /// <summary>Whether the deadline ended the sending early.</summary>
    public required bool StoppedByDeadline { get; init; }

    /// <summary>Whether cancellation ended the run early.</summary>
    public required bool Cancelled { get; init; }

    /// <summary>Managed bytes the sending loop allocated (the loop allocates nothing per packet).</summary>
    public required long SenderAllocatedBytes { get; init; }

    /// <summary>Managed bytes the receiving loop allocated (the loop allocates nothing per packet).</summary>
    public required long ReceiverAllocatedBytes { get; init; }

    /// <summary>Sent packets that did not arrive (with a timestamp) before the drain ended.</summary>
    public int Lost => Sent - Received;

    /// <summary>Whether packet <paramref name="sequence"/> arrived.</summary>
    public bool Arrived(int sequence) => KernelReceivedNanoseconds[sequence] != 0;

    /// <summary>One-way latency of each packet that arrived, kernel receive time minus send time, in microseconds, in sequence order.</summary>
    public double[] LatenciesMicroseconds()
    {
        var latencies = new List<double>(Received);
        for (var i = 0; i < KernelReceivedNanoseconds.Length; i++)
        {
            if (Arrived(i))
            {
                latencies.Add((KernelReceivedNanoseconds[i] - SentNanoseconds[i]) / 1000.0);
            }
        }

        return [.. latencies];
    }
}

/// <summary>
/// Measures one-way latency through a path: a UDP socket in the sender's namespace sends paced
/// packets, each stamped with its sequence number and CLOCK_REALTIME send time, to a UDP socket in
/// the receiver's namespace that takes the kernel's receive timestamp of each (SO_TIMESTAMPNS,
/// read from recvmsg's control messages). Namespaces share the machine's clock, so receive minus
/// send is the packet's time on the way. Neither loop allocates per packet: buffers are native and
/// the samples go into arrays sized before the run.
/// </summary>
/// <remarks>
/// The kernel stamps a datagram when it enters the receiver's network stack (netif_rx, before RPS
/// queues it to a CPU; a packet crossing into another namespace loses any earlier stamp), so the
/// receiving thread's scheduling is not part of the latency. Its own receive time is kept beside it.
/// </remarks>
public sealed unsafe class LatencyProbe : IDisposable
{
    private const int ReceiveBufferBytes = 4 << 20;
    private const int MaxPayloadBytes = 65_507;
    private const int ControlBytes = 128;

    private readonly Socket _sender;
    private readonly Socket _receiver;
    private long _sent;
    private long _received;
    private long _senderFinished;
    private int _disposed;

    private LatencyProbe(Socket sender, Socket receiver)
    {
        _sender = sender;
        _receiver = receiver;
    }

    /// <summary>Where the packets go: the receiver's bound address.</summary>
    public IPEndPoint Destination => (IPEndPoint)_receiver.LocalEndPoint!;

    /// <summary>Packets sent so far in the current run (for progress displays).</summary>
    public long SentSoFar => Interlocked.Read(ref _sent);

    /// <summary>Packets received so far in the current run.</summary>
    public long ReceivedSoFar => Interlocked.Read(ref _received);

    /// <summary>
    /// Binds a receiving socket to <paramref name="destination"/> (port 0: any) in
    /// <paramref name="receiverNamespace"/> and a sending socket to <paramref name="source"/> in
    /// <paramref name="senderNamespace"/>, connected to the receiver; a null namespace is the caller's.
    /// </summary>
    public static LatencyProbe Open(IPEndPoint source, IPEndPoint destination, NetworkNamespace? senderNamespace = null, NetworkNamespace? receiverNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        Socket? sender = null;
        var receiver = CreateUdpSocket(receiverNamespace);
        try
        {
            receiver.Bind(destination);
            var fd = (int)receiver.SafeHandle.DangerousGetHandle();
            SetIntOption(fd, Interop.SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
            SetIntOption(fd, Interop.SO_RCVBUFFORCE, ReceiveBufferBytes, "SO_RCVBUFFORCE");

            // recvmsg returns every 20 ms without a packet, so the loop sees the end of the run and cancellation.
            var timeout = new Interop.TimeVal { tv_sec = 0, tv_usec = 20_000 };
            if (Interop.SetSockOpt(fd, Interop.SOL_SOCKET, Interop.SO_RCVTIMEO, &timeout, (uint)sizeof(Interop.TimeVal)) != 0)
            {
                throw Interop.ErrorFor("setsockopt(SO_RCVTIMEO)");
            }

            sender = CreateUdpSocket(senderNamespace);
            sender.Bind(source);
            sender.Connect((IPEndPoint)receiver.LocalEndPoint!);
            return new LatencyProbe(sender, receiver);
        }
        catch
        {
            sender?.Dispose();
            receiver.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends <see cref="LatencyRequest.Packets"/> stamped packets at the requested rate and collects
    /// their receive timestamps; returns when every packet arrived or the drain after the last send
    /// ended, at the deadline, or on cancellation.
    /// </summary>
    public LatencyRun Run(LatencyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.PacketsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.Packets);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.PayloadBytes, LatencyStamp.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.PayloadBytes, MaxPayloadBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(request.StampOffset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.StampOffset, request.PayloadBytes - LatencyStamp.Length);
        if (request.PayloadTemplate is { } template && template.Length != request.PayloadBytes)
        {
            throw new ArgumentException($"the payload template has {template.Length} bytes, not {request.PayloadBytes}", nameof(request));
        }
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        Interlocked.Exchange(ref _sent, 0);
        Interlocked.Exchange(ref _received, 0);
        Interlocked.Exchange(ref _senderFinished, 0);
        Drain();

        var samples = new Samples(request.Packets);
        SendOutcome? sent = null;
        ReceiveOutcome? received = null;
        Exception? failure = null;
        var hardDeadline = Stopwatch.GetTimestamp() + (long)((request.MaxDuration + request.Drain + TimeSpan.FromSeconds(1)).TotalSeconds * Stopwatch.Frequency);

        // A straggler of an earlier run still on its way carries a sequence number of this one, but an older send time.
        var runStart = Interop.RealtimeNanoseconds();
        var receiving = StartThread("latency receiver", request.ReceiverCpu, () => received = Receive(samples, request, runStart, hardDeadline, cancellationToken), e => Interlocked.CompareExchange(ref failure, e, null));
        var sending = StartThread("latency sender", request.SenderCpu, () => sent = Send(request, cancellationToken), e => Interlocked.CompareExchange(ref failure, e, null));
        sending.Join();
        Interlocked.Exchange(ref _senderFinished, Stopwatch.GetTimestamp());
        receiving.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException($"the latency probe failed: {failure.Message}", failure);
        }

        var s = sent!.Value;
        var r = received!.Value;
        return new LatencyRun
        {
            Requested = request.Packets,
            Sent = s.Sent,
            SendFailures = s.Failures,
            Received = r.Received,
            Duplicates = r.Duplicates,
            Reordered = r.Reordered,
            Foreign = r.Foreign,
            Untimestamped = r.Untimestamped,
            SentNanoseconds = samples.Sent,
            KernelReceivedNanoseconds = samples.Kernel,
            UserReceivedNanoseconds = samples.User,
            Elapsed = s.Elapsed,
            MaxLag = s.MaxLag,
            StoppedByDeadline = s.StoppedByDeadline,
            Cancelled = s.Cancelled || cancellationToken.IsCancellationRequested,
            SenderAllocatedBytes = s.AllocatedBytes,
            ReceiverAllocatedBytes = r.AllocatedBytes,
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _sender.Dispose();
            _receiver.Dispose();
        }
    }

    private static Socket CreateUdpSocket(NetworkNamespace? ns) =>
        ns?.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) ?? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    private static void SetIntOption(int fd, int name, int value, string call)
    {
        if (Interop.SetSockOpt(fd, Interop.SOL_SOCKET, name, &value, sizeof(int)) != 0)
        {
            throw Interop.ErrorFor($"setsockopt({call})");
        }
    }

    private static Thread StartThread(string name, int? cpu, Action body, Action<Exception> failed)
    {
        var thread = new Thread(() =>
        {
            try
            {
                if (cpu is { } c)
                {
                    Interop.PinCurrentThread(c);
                }

                body();
            }
            catch (Exception e)
            {
                failed(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return thread;
    }

    /// <summary>Discards whatever a previous run left in the receiving socket (late stragglers).</summary>
    private void Drain()
    {
        var buffer = stackalloc byte[256];
        var fd = (int)_receiver.SafeHandle.DangerousGetHandle();
        while (Interop.Recv(fd, buffer, 256, Interop.MSG_DONTWAIT) >= 0)
        {
        }
    }

    private SendOutcome Send(LatencyRequest request, CancellationToken cancellationToken)
    {
        Interop.SetCurrentThreadTimerSlack(1);
        var fd = (int)_sender.SafeHandle.DangerousGetHandle();
        var length = request.PayloadBytes;
        var payload = (byte*)NativeMemory.AllocZeroed((nuint)length);
        try
        {
            var span = new Span<byte>(payload, length);
            if (request.PayloadTemplate is { } template)
            {
                template.CopyTo(span);
            }
            else
            {
                for (var i = 0; i < length; i++)
                {
                    span[i] = (byte)('a' + (i % 26));
                }
            }

            var stampSpan = span.Slice(request.StampOffset, LatencyStamp.Length);

            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var ticksPerPacket = Stopwatch.Frequency / request.PacketsPerSecond;
            long maxLag = 0;
            int sent = 0, failures = 0;
            var stoppedByDeadline = false;
            var cancelled = false;
            var start = Stopwatch.GetTimestamp();
            var deadline = start + (long)(request.MaxDuration.TotalSeconds * Stopwatch.Frequency);
            var last = start;
            for (var i = 0; i < request.Packets; i++)
            {
                var due = start + (long)(i * ticksPerPacket);
                var now = Stopwatch.GetTimestamp();
                while (now < due && !cancellationToken.IsCancellationRequested)
                {
                    Interop.SleepUntil(due);
                    now = Stopwatch.GetTimestamp();
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    cancelled = true;
                    break;
                }

                if (now >= deadline)
                {
                    stoppedByDeadline = true;
                    break;
                }

                maxLag = Math.Max(maxLag, now - due);
                new LatencyStamp((uint)i, Interop.RealtimeNanoseconds()).TryWrite(stampSpan);

                // A send the kernel refuses is lost, never retried: it would shift every later packet.
                if (Interop.Send(fd, payload, (nuint)length, Interop.MSG_DONTWAIT) < 0)
                {
                    failures++;
                }

                sent++;
                last = Stopwatch.GetTimestamp();
                Interlocked.Exchange(ref _sent, sent);
            }

            return new SendOutcome(
                sent,
                failures,
                Stopwatch.GetElapsedTime(start, last),
                TimeSpan.FromSeconds(maxLag / (double)Stopwatch.Frequency),
                stoppedByDeadline,
                cancelled,
                GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
        }
        finally
        {
            NativeMemory.Free(payload);
        }
    }

    private ReceiveOutcome Receive(Samples samples, LatencyRequest request, long runStart, long hardDeadline, CancellationToken cancellationToken)
    {
        var fd = (int)_receiver.SafeHandle.DangerousGetHandle();
        var buffer = (byte*)NativeMemory.Alloc(MaxPayloadBytes);
        var control = (byte*)NativeMemory.AllocZeroed(ControlBytes);
        var vector = (NetServ.Netfilter.Native.Interop.IoVec*)NativeMemory.AllocZeroed((nuint)sizeof(NetServ.Netfilter.Native.Interop.IoVec));
        var message = (NetServ.Netfilter.Native.Interop.MsgHdr*)NativeMemory.AllocZeroed((nuint)sizeof(NetServ.Netfilter.Native.Interop.MsgHdr));
        try
        {
            vector->iov_base = buffer;
            vector->iov_len = MaxPayloadBytes;
            var drainTicks = (long)(request.Drain.TotalSeconds * Stopwatch.Frequency);
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            int received = 0, duplicates = 0, reordered = 0, foreign = 0, untimestamped = 0;
            long highest = -1;
            while (received < samples.Count && !cancellationToken.IsCancellationRequested)
            {
                var now = Stopwatch.GetTimestamp();
                var finished = Interlocked.Read(ref _senderFinished);
                if (now > hardDeadline || (finished != 0 && now - finished > drainTicks))
                {
                    break;
                }

                message->msg_iov = vector;
                message->msg_iovlen = 1;
                message->msg_control = control;
                message->msg_controllen = ControlBytes;
                message->msg_flags = 0;
                var length = Interop.RecvMsg(fd, message, 0);
                var user = Interop.RealtimeNanoseconds();
                if (length < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is Interop.EAGAIN or Interop.EINTR)
                    {
                        continue;
                    }

                    throw new System.ComponentModel.Win32Exception(errno, $"recvmsg failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
                }

                if ((message->msg_flags & Interop.MSG_TRUNC) != 0
                    || length < request.StampOffset + LatencyStamp.Length
                    || !LatencyStamp.TryRead(new ReadOnlySpan<byte>(buffer + request.StampOffset, (int)length - request.StampOffset), out var stamp)
                    || stamp.Sequence >= (uint)samples.Count
                    || stamp.SentNanoseconds < runStart)
                {
                    foreign++;
                    continue;
                }

                var sequence = (int)stamp.Sequence;
                if (samples.Kernel[sequence] != 0)
                {
                    duplicates++;
                    continue;
                }

                var kernel = (message->msg_flags & Interop.MSG_CTRUNC) != 0 ? 0 : Interop.ReceiveTimestamp(control, message->msg_controllen);
                if (kernel == 0)
                {
                    untimestamped++;
                    continue;
                }

                samples.Sent[sequence] = stamp.SentNanoseconds;
                samples.Kernel[sequence] = kernel;
                samples.User[sequence] = user;
                received++;
                Interlocked.Exchange(ref _received, received);
                if (sequence < highest)
                {
                    reordered++;
                }
                else
                {
                    highest = sequence;
                }
            }

            return new ReceiveOutcome(received, duplicates, reordered, foreign, untimestamped, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
        }
        finally
        {
            NativeMemory.Free(buffer);
            NativeMemory.Free(control);
            NativeMemory.Free(vector);
            NativeMemory.Free(message);
        }
    }

    private readonly record struct SendOutcome(int Sent, int Failures, TimeSpan Elapsed, TimeSpan MaxLag, bool StoppedByDeadline, bool Cancelled, long AllocatedBytes);

    private readonly record struct ReceiveOutcome(int Received, int Duplicates, int Reordered, int Foreign, int Untimestamped, long AllocatedBytes);

    /// <summary>The per-packet arrays of one run, allocated before it starts.</summary>
    private sealed class Samples(int count)
    {
        public int Count { get; } = count;

        public long[] Sent { get; } = new long[count];

        public long[] Kernel { get; } = new long[count];

        public long[] User { get; } = new long[count];
    }
}
