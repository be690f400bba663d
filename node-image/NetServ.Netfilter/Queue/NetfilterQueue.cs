using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Netfilter.Native;
using static NetServ.Netfilter.Native.Interop;
using static NetServ.Netfilter.Native.Interop.Netlink;
using static NetServ.Netfilter.Native.Interop.NfnetlinkQueue;

namespace NetServ.Netfilter.Queue;

/// <summary>
/// One NFQUEUE bound by this process: receives queued packets in batches and sends their verdicts.
/// </summary>
/// <remarks>
/// We talk to nfnetlink_queue over a raw NETLINK_NETFILTER socket rather than P/Invoking
/// libnetfilter_queue, because
/// (1) <c>recvmmsg</c> receives a whole batch of queued packets in one syscall, and one <c>sendmsg</c>
///     carries all verdicts of a batch (individual verdicts for drops and modified packets, then one
///     NFQNL_MSG_VERDICT_BATCH for the plain accepts);
/// (2) packets are parsed as spans over our own pinned receive buffers, with no per-packet callback
///     trampoline and no allocation;
/// (3) the container has no native library dependency.
/// <para>
/// Receive and SendVerdicts are meant for one reading thread (<see cref="QueueReader"/>). Dispose may come from another thread:
/// the descriptor is closed once a receive in progress returns (at most <see cref="NetfilterQueueOptions.ReceiveTimeout"/>).
/// Unbinding makes the kernel drop the packets still waiting for a verdict, so give them one first.
/// </para>
/// </remarks>
internal sealed partial class NetfilterQueue : IPacketQueue, IDisposable
{
    private const int EPERM = 1;
    private const int EBUSY = 16;

    // The kernel refuses a datagram larger than the send buffer less this (netlink_sendmsg).
    private const int SendBufferOverhead = 32;

    private const uint BindSequence = 1;
    private const uint ParametersSequence = 2;
    private const uint MaxLengthSequence = 3;
    private const uint FlagsSequence = 4;

    private static readonly TimeSpan ConfigurationTimeout = TimeSpan.FromSeconds(5);

    private readonly SafeNetlinkSocketHandle _socket;
    private readonly ILogger _logger;
    private int _sendLimit;
    private int _disposed;

    private NetfilterQueue(ushort queueNumber, NetfilterQueueOptions options, SafeNetlinkSocketHandle socket, ILogger logger)
    {
        QueueNumber = queueNumber;
        Options = options;
        _socket = socket;
        _logger = logger;
    }

    /// <summary>The queue number (iptables' --queue-num).</summary>
    public ushort QueueNumber { get; }

    /// <summary>The settings the queue was opened with.</summary>
    public NetfilterQueueOptions Options { get; }

    /// <summary>Datagrams sent to the kernel (verdicts and configuration): one per <see cref="SendVerdicts"/> unless modified packets overflow the send buffer.</summary>
    public long DatagramsSent { get; private set; }

    /// <summary>Times a verdict datagram met ENOBUFS and was sent again.</summary>
    public long SendNoBufferRetries { get; private set; }

    /// <summary>Times a receive reported ENOBUFS (the socket buffer overflowed; only without NETLINK_NO_ENOBUFS).</summary>
    public long ReceiveOverruns { get; private set; }

    /// <summary>Packets that arrived while the queue was being configured and were accepted then.</summary>
    public long PacketsAcceptedWhileOpening { get; private set; }

    /// <summary>
    /// Binds queue <paramref name="queueNumber"/> in the calling thread's network namespace: copy mode
    /// packet, the options' maximum length and fail-open flag, each acknowledged by the kernel.
    /// </summary>
    /// <exception cref="Win32Exception">A call or a configuration command failed; the message names it.</exception>
    public static NetfilterQueue Open(ushort queueNumber, NetfilterQueueOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
        if (fd < 0)
        {
            throw Interop.ErrorFor("socket(AF_NETLINK, NETLINK_NETFILTER)");
        }

        var handle = new SafeNetlinkSocketHandle(fd);
        try
        {
            var queue = new NetfilterQueue(queueNumber, options, handle, logger ?? NullLogger.Instance);
            queue.ConfigureSocket();
            queue.Bind();
            return queue;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Creates a receive batch sized by this queue's options.</summary>
    public PacketBatch CreatePacketBatch() => new(Options);

    /// <summary>Creates an empty verdict batch for this queue.</summary>
    public VerdictBatch CreateVerdictBatch() => new(QueueNumber);

    /// <summary>
    /// Waits up to the receive timeout for queued packets and takes as many as <paramref name="batch"/>
    /// holds in one <c>recvmmsg</c>. Returns the number of packets (0 on timeout or interruption);
    /// they stay valid in the batch until its next receive.
    /// </summary>
    public unsafe int Receive(PacketBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Reset();
        var received = recvmmsg(_socket, batch.Messages, (uint)batch.Capacity, MSG_WAITFORONE, null);
        if (received < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case Interop.Errno.EAGAIN:
                case Interop.Errno.EINTR:
                    return 0;
                case Interop.Errno.ENOBUFS:
                    ReceiveOverruns++;
                    return 0;
                default:
                    throw ErrorFrom($"recvmmsg(NFQUEUE {QueueNumber})", errno);
            }
        }

        return batch.Parse(received);
    }

    /// <summary>
    /// Sends the verdicts of <paramref name="verdicts"/> in one datagram: its individual verdicts, then
    /// one NFQNL_MSG_VERDICT_BATCH accepting up to the highest plain accept. (Only verdicts carrying
    /// more packet bytes than the send buffer holds are split over several datagrams.)
    /// The batch is left as it is; clear it before the next packets.
    /// </summary>
    public unsafe void SendVerdicts(VerdictBatch verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        if (verdicts.QueueNumber != QueueNumber)
        {
            throw new ArgumentException($"the verdicts are for queue {verdicts.QueueNumber}, this is queue {QueueNumber}", nameof(verdicts));
        }

        var individual = verdicts.IndividualMessages;
        Span<byte> batchVerdict = stackalloc byte[QueueMessageWriter.VerdictLength];
        var batchLength = verdicts.TryGetHighestAccept(out var highest)
            ? QueueMessageWriter.WriteVerdict(batchVerdict, QueueNumber, NF_ACCEPT, highest, default, batch: true)
            : 0;
        if (individual.IsEmpty && batchLength == 0)
        {
            return;
        }

        fixed (byte* messages = individual)
        fixed (byte* batchMessage = batchVerdict)
        {
            var start = 0;
            if (individual.Length + batchLength > _sendLimit)
            {
                // Cut between messages so that no datagram exceeds the send buffer.
                var offset = 0;
                while (offset < individual.Length)
                {
                    var length = (int)MemoryMarshal.Read<uint>(individual[offset..]);
                    if (offset + length - start > _sendLimit && offset > start)
                    {
                        Send(messages + start, offset - start, null, 0);
                        start = offset;
                    }

                    offset += length;
                }

                if (individual.Length - start + batchLength > _sendLimit)
                {
                    Send(messages + start, individual.Length - start, null, 0);
                    start = individual.Length;
                }
            }

            Send(messages + start, individual.Length - start, batchMessage, batchLength);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Closing the socket would destroy the binding too; the explicit unbind makes it immediate and visible.
        try
        {
            Span<byte> unbind = stackalloc byte[64];
            var length = QueueMessageWriter.WriteConfigCommand(unbind, QueueNumber, 0, NFQNL_CFG_CMD_UNBIND, ack: false);
            SendOnce(unbind[..length]);
            Log.Unbound(_logger, QueueNumber);
        }
        catch (Exception e) when (e is Win32Exception or ObjectDisposedException)
        {
            Log.UnbindFailed(_logger, QueueNumber, e.Message);
        }

        _socket.Dispose();
    }

    private void ConfigureSocket()
    {
        var errno = TrySetOption(_socket, SOL_SOCKET, SO_RCVBUFFORCE, Options.ReceiveBufferBytes);
        if (errno == EPERM)
        {
            // Without CAP_NET_ADMIN the buffer is capped by net.core.rmem_max.
            SetOption(_socket, SOL_SOCKET, SO_RCVBUF, Options.ReceiveBufferBytes, "SO_RCVBUF");
            Log.ReceiveBufferCapped(_logger, QueueNumber, GetOption(_socket, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF"), Options.ReceiveBufferBytes);
        }
        else if (errno != 0)
        {
            throw ErrorFrom("setsockopt(SO_RCVBUFFORCE)", errno);
        }

        if (TrySetOption(_socket, SOL_SOCKET, SO_SNDBUFFORCE, Options.SendBufferBytes) == EPERM)
        {
            SetOption(_socket, SOL_SOCKET, SO_SNDBUF, Options.SendBufferBytes, "SO_SNDBUF");
        }

        _sendLimit = GetOption(_socket, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF") - SendBufferOverhead;

        // An overflowing socket buffer is handled by fail-open; an ENOBUFS error on the next receive would only disturb the loop.
        SetOption(_socket, SOL_NETLINK, NETLINK_NO_ENOBUFS, 1, "NETLINK_NO_ENOBUFS");

        // Errors then echo only the failed request's header, not a whole modified packet. Older kernels lack it: harmless.
        _ = TrySetOption(_socket, SOL_NETLINK, NETLINK_CAP_ACK, 1);

        SetReceiveTimeout(Options.ReceiveTimeout);

        var address = new SockAddrNl { nl_family = AF_NETLINK };
        unsafe
        {
            if (bind(_socket, &address, (uint)sizeof(SockAddrNl)) != 0)
            {
                throw Interop.ErrorFor("bind(AF_NETLINK)");
            }
        }
    }

    private unsafe void SetReceiveTimeout(TimeSpan timeout)
    {
        var microseconds = (long)(timeout.Ticks / TimeSpan.TicksPerMicrosecond);
        var value = new TimeVal { tv_sec = (nint)(microseconds / 1_000_000), tv_usec = (nint)(microseconds % 1_000_000) };
        if (setsockopt(_socket, SOL_SOCKET, SO_RCVTIMEO, &value, (uint)sizeof(TimeVal)) != 0)
        {
            throw Interop.ErrorFor("setsockopt(SO_RCVTIMEO)");
        }
    }

    /// <summary>
    /// Binds the queue and configures it with one datagram of four acknowledged requests, so the
    /// kernel applies them back to back (the obsolete NFQNL_CFG_CMD_PF_[UN]BIND are no-ops since Linux 3.8 and are not sent).
    /// </summary>
    private unsafe void Bind()
    {
        Span<byte> request = stackalloc byte[256];
        var length = QueueMessageWriter.WriteConfigCommand(request, QueueNumber, BindSequence, NFQNL_CFG_CMD_BIND, ack: true);
        length += QueueMessageWriter.WriteConfigParameters(request[length..], QueueNumber, ParametersSequence, NFQNL_COPY_PACKET, (uint)Options.MaxPacketBytes);
        length += QueueMessageWriter.WriteConfigMaxLength(request[length..], QueueNumber, MaxLengthSequence, Options.MaxLength);
        length += QueueMessageWriter.WriteConfigFlags(
            request[length..], QueueNumber, FlagsSequence, Options.FailOpen ? NFQA_CFG_F_FAIL_OPEN : 0, NFQA_CFG_F_FAIL_OPEN);
        SendOnce(request[..length]);

        var answers = new ConfigurationAnswers(QueueNumber);
        var buffer = new byte[Options.MaxPacketBytes + PacketBatch.Headroom];
        var started = Stopwatch.GetTimestamp();
        fixed (byte* pointer = buffer)
        {
            while (!answers.Complete)
            {
                var received = recv(_socket, pointer, (nuint)buffer.Length, 0);
                if (received < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is not (Interop.Errno.EAGAIN or Interop.Errno.EINTR))
                    {
                        throw ErrorFrom($"recv(NFQUEUE {QueueNumber} configuration)", errno);
                    }

                    if (Stopwatch.GetElapsedTime(started) > ConfigurationTimeout)
                    {
                        throw new TimeoutException($"nfnetlink_queue did not answer the configuration of NFQUEUE {QueueNumber} within {ConfigurationTimeout.TotalSeconds:0} s");
                    }

                    continue;
                }

                QueueMessageParser.ParseDatagram(buffer, (int)received, ref answers);

                // The queue is live from the bind on: a packet queued before all answers came is let through rather than held.
                if (!answers.EarlyPackets.IsEmpty)
                {
                    SendVerdicts(answers.EarlyPackets);
                    PacketsAcceptedWhileOpening += answers.EarlyPackets.AcceptCount;
                    answers.EarlyPackets.Clear();
                }
            }
        }

        answers.ThrowIfFailed();
        if (PacketsAcceptedWhileOpening > 0)
        {
            Log.AcceptedWhileOpening(_logger, PacketsAcceptedWhileOpening, QueueNumber);
        }

        Log.Bound(_logger, QueueNumber, Options.MaxPacketBytes, Options.MaxLength, Options.FailOpen);
    }

    private unsafe void SendOnce(ReadOnlySpan<byte> datagram)
    {
        fixed (byte* pointer = datagram)
        {
            Send(pointer, datagram.Length, null, 0);
        }
    }

    private unsafe void Send(byte* first, int firstLength, byte* second, int secondLength)
    {
        var vectors = stackalloc IoVec[2];
        var count = 0;
        if (firstLength > 0)
        {
            vectors[count++] = new IoVec { iov_base = first, iov_len = (nuint)firstLength };
        }

        if (secondLength > 0)
        {
            vectors[count++] = new IoVec { iov_base = second, iov_len = (nuint)secondLength };
        }

        if (count == 0)
        {
            return;
        }

        // msg_name NULL: to the kernel (netlink port 0).
        var message = new MsgHdr { msg_iov = vectors, msg_iovlen = (nuint)count };
        var retried = false;
        while (sendmsg(_socket, &message, 0) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Interop.Errno.EINTR)
            {
                continue;
            }

            if (errno == Interop.Errno.ENOBUFS && !retried)
            {
                retried = true;
                SendNoBufferRetries++;
                Log.SendNoBuffer(_logger, QueueNumber);
                continue;
            }

            throw ErrorFrom($"sendmsg(NFQUEUE {QueueNumber} verdicts)", errno);
        }

        DatagramsSent++;
    }

    /// <summary>Collects the acknowledgements of the configuration requests, and packets that came meanwhile.</summary>
    private struct ConfigurationAnswers : IQueueMessageHandler
    {
        private readonly ushort _queueNumber;
        private int _bind;
        private int _parameters;
        private int _maxLength;
        private int _flags;
        private int _answered;

        public ConfigurationAnswers(ushort queueNumber)
        {
            _queueNumber = queueNumber;
            EarlyPackets = new VerdictBatch(queueNumber);
        }

        public readonly VerdictBatch EarlyPackets { get; }

        public readonly bool Complete => _answered == 0b1111;

        public void OnPacket(in QueuedPacketInfo packet) => EarlyPackets.Accept(packet.PacketId);

        public void OnError(int errno, uint sequence)
        {
            switch (sequence)
            {
                case BindSequence: _bind = errno; break;
                case ParametersSequence: _parameters = errno; break;
                case MaxLengthSequence: _maxLength = errno; break;
                case FlagsSequence: _flags = errno; break;
                default: return;
            }

            _answered |= 1 << (int)(sequence - 1);
        }

        public readonly void OnOther(ushort type)
        {
        }

        /// <summary>Throws for the first failed request: a failed bind makes the others fail too.</summary>
        public readonly void ThrowIfFailed()
        {
            if (_bind != 0)
            {
                var hint = _bind is EPERM or EBUSY ? " (is another process bound to it?)" : string.Empty;
                throw new Win32Exception(_bind, $"binding NFQUEUE {_queueNumber} failed: {Marshal.GetPInvokeErrorMessage(_bind)}{hint}");
            }

            if (_parameters != 0)
            {
                throw new Win32Exception(_parameters, $"setting copy mode 'packet' on NFQUEUE {_queueNumber} failed: {Marshal.GetPInvokeErrorMessage(_parameters)}");
            }

            if (_maxLength != 0)
            {
                throw new Win32Exception(_maxLength, $"setting the maximum length of NFQUEUE {_queueNumber} failed: {Marshal.GetPInvokeErrorMessage(_maxLength)}");
            }

            if (_flags != 0)
            {
                throw new Win32Exception(_flags, $"setting the fail-open flag on NFQUEUE {_queueNumber} failed: {Marshal.GetPInvokeErrorMessage(_flags)}");
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Bound NFQUEUE {Queue}: copy range {CopyRange}, maximum length {MaxLength}, fail-open {FailOpen}")]
        public static partial void Bound(ILogger logger, ushort queue, int copyRange, uint maxLength, bool failOpen);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "NFQUEUE {Queue}: SO_RCVBUFFORCE is not permitted; the receive buffer is {Actual} bytes instead of {Requested} (net.core.rmem_max)")]
        public static partial void ReceiveBufferCapped(ILogger logger, ushort queue, int actual, int requested);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Accepted {Count} packets that reached NFQUEUE {Queue} while it was being configured")]
        public static partial void AcceptedWhileOpening(ILogger logger, long count, ushort queue);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Sending verdicts of NFQUEUE {Queue} met ENOBUFS; sending once more")]
        public static partial void SendNoBuffer(ILogger logger, ushort queue);

        [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Unbound NFQUEUE {Queue}")]
        public static partial void Unbound(ILogger logger, ushort queue);

        [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Unbinding NFQUEUE {Queue} failed: {Reason}; closing the socket releases it")]
        public static partial void UnbindFailed(ILogger logger, ushort queue, string reason);
    }
}
