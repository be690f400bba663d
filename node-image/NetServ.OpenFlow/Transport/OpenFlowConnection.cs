using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NetServ.OpenFlow.Transport;

/// <summary>
/// One OpenFlow 1.3 channel over TCP, controller side: frames the stream by the header's length, exchanges
/// HELLOs, answers ECHO_REQUESTs, hands out transaction ids and matches replies to requests. Everything the
/// switch sends unasked (PACKET_IN, FLOW_REMOVED, PORT_STATUS, errors without a waiting request) comes out of
/// <see cref="Messages"/>. Malformed input ends the connection: the peer gets an ERROR, then the socket closes.
/// The bytes are the codec's business; this class only moves them.
/// </summary>
public sealed partial class OpenFlowConnection : IAsyncDisposable
{
    private const int ErrorDataLength = 64;

    private readonly Stream _stream;
    private readonly OpenFlowConnectionOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Channel<OpenFlowMessage> _received;
    private readonly ConcurrentDictionary<uint, PendingRequest> _pending = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<OpenFlowConnectionClosed> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _buffer;
    private Task? _receiveLoop;
    private int _nextXid;
    private int _started;

    /// <summary>A connection over <paramref name="stream"/>, which it owns; <see cref="StartAsync"/> begins the handshake.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public OpenFlowConnection(Stream stream, IOptions<OpenFlowConnectionOptions> options, TimeProvider timeProvider, ILogger<OpenFlowConnection> logger, string? peer = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        _options.Validate();
        _stream = stream;
        _timeProvider = timeProvider;
        _logger = logger;
        Peer = peer ?? "peer";
        _buffer = ArrayPool<byte>.Shared.Rent(_options.MaxMessageLength);
        _received = Channel.CreateBounded<OpenFlowMessage>(new BoundedChannelOptions(_options.ReceiveQueueCapacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Who is at the other end, for logs.</summary>
    public string Peer { get; }

    /// <summary>The negotiated version once <see cref="StartAsync"/> has succeeded (always 1.3).</summary>
    public byte Version { get; private set; }

    /// <summary>Messages from the switch that answer no pending request; completes when the connection ends.</summary>
    public ChannelReader<OpenFlowMessage> Messages => _received.Reader;

    /// <summary>Completes, never faults, when the connection has ended, saying why.</summary>
    public Task<OpenFlowConnectionClosed> Completion => _completion.Task;

    /// <summary>Connects to a switch listening at <paramref name="endPoint"/> (ovs-vswitchd's <c>ptcp:</c>) and completes the handshake.</summary>
    /// <exception cref="OpenFlowConnectionException">The handshake failed.</exception>
    /// <exception cref="SocketException">The TCP connection failed.</exception>
    public static async Task<OpenFlowConnection> ConnectAsync(
        IPEndPoint endPoint, IOptions<OpenFlowConnectionOptions> options, TimeProvider timeProvider, ILogger<OpenFlowConnection> logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new OpenFlowConnection(new NetworkStream(socket, ownsSocket: true), options, timeProvider, logger, endPoint.ToString());
        try
        {
            await connection.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return connection;
    }

    /// <summary>
    /// Sends this side's HELLO, waits for the peer's and negotiates OpenFlow 1.3; then starts receiving. A peer that
    /// does not speak 1.3 gets an ERROR of type HELLO_FAILED and the connection closes.
    /// </summary>
    /// <exception cref="OpenFlowConnectionException">The handshake failed; <see cref="Completion"/> says why as well.</exception>
    /// <exception cref="InvalidOperationException">The connection was started before.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The connection has been started already.");
        }

        using var timeout = new CancellationTokenSource(_options.HelloTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, _stop.Token);
        OpenFlowConnectionClosed? failure;
        try
        {
            await SendAsync(OpenFlowVersion.Hello(NextXid()), linked.Token).ConfigureAwait(false);
            failure = await ReceiveHelloAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            failure = new(OpenFlowCloseReason.HandshakeFailed, $"no HELLO within {_options.HelloTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            failure = new(OpenFlowCloseReason.TransportError, e.Message);
        }
        catch (OperationCanceledException)
        {
            await CloseAsync(new(OpenFlowCloseReason.Closed, "the handshake was cancelled")).ConfigureAwait(false);
            throw;
        }

        if (failure is not null)
        {
            await CloseAsync(failure).ConfigureAwait(false);
            throw new OpenFlowConnectionException(failure);
        }

        Log.Connected(_logger, Peer, Version);
        _receiveLoop = Task.Run(ReceiveLoopAsync, CancellationToken.None);
    }

    /// <summary>A fresh transaction id: every request this side sends should carry its own.</summary>
    public uint NextXid() => unchecked((uint)Interlocked.Increment(ref _nextXid));

    /// <summary>Sends <paramref name="message"/> as it is, xid included.</summary>
    /// <exception cref="OpenFlowConnectionException">The connection has ended.</exception>
    /// <exception cref="ArgumentException">The message cannot be encoded.</exception>
    public async ValueTask SendAsync(OpenFlowMessage message, CancellationToken cancellationToken)
    {
        var bytes = OpenFlowCodec.Encode(message);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_completion.Task.IsCompleted)
            {
                throw new OpenFlowConnectionException(_completion.Task.Result);
            }

            await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            var closed = new OpenFlowConnectionClosed(OpenFlowCloseReason.TransportError, e.Message);
            _ = CloseAsync(closed);
            throw new OpenFlowConnectionException(closed);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Sends the request <paramref name="build"/> makes with a fresh xid and returns the switch's answer: the reply,
    /// or an <see cref="ErrorMessage"/> with that xid. Multipart replies sent in several parts come back as one.
    /// </summary>
    /// <exception cref="OpenFlowConnectionException">The connection ended before the answer.</exception>
    public async Task<OpenFlowMessage> RequestAsync(Func<uint, OpenFlowMessage> build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        var xid = NextXid();
        var pending = new PendingRequest();
        _pending[xid] = pending;
        try
        {
            await SendAsync(build(xid), cancellationToken).ConfigureAwait(false);
            if (_completion.Task.IsCompleted)
            {
                throw new OpenFlowConnectionException(_completion.Task.Result);
            }

            return await pending.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(xid, out _);
        }
    }

    /// <summary>Sends a BARRIER_REQUEST and waits for its reply: every earlier message has then been processed.</summary>
    /// <exception cref="OpenFlowConnectionException">The connection ended, or the switch answered with an error.</exception>
    public async Task BarrierAsync(CancellationToken cancellationToken)
    {
        var answer = await RequestAsync(xid => new BarrierRequestMessage(xid), cancellationToken).ConfigureAwait(false);
        if (answer is not BarrierReplyMessage)
        {
            throw new OpenFlowConnectionException($"the switch answered a BARRIER_REQUEST with {answer}");
        }
    }

    /// <summary>Closes the connection; <see cref="Completion"/> then says <see cref="OpenFlowCloseReason.Closed"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync(new(OpenFlowCloseReason.Closed, "closed by this side")).ConfigureAwait(false);
        if (_receiveLoop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }

        ArrayPool<byte>.Shared.Return(_buffer);
        _writeLock.Dispose();
        _stop.Dispose();
    }

    private async Task<OpenFlowConnectionClosed?> ReceiveHelloAsync(CancellationToken cancellationToken)
    {
        var (message, failure) = await ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        if (message is not HelloMessage hello)
        {
            await TrySendErrorAsync(OpenFlowErrorType.HelloFailed, (ushort)OpenFlowHelloFailedCode.Incompatible, message!.Xid, "expected HELLO"u8.ToArray()).ConfigureAwait(false);
            return new(OpenFlowCloseReason.HandshakeFailed, $"the peer's first message is {message.Type}, not HELLO");
        }

        if (!OpenFlowVersion.TryNegotiate(hello, out var version, out var error))
        {
            Log.IncompatibleVersion(_logger, Peer, error.Reason);
            await TrySendErrorAsync(OpenFlowErrorType.HelloFailed, (ushort)OpenFlowHelloFailedCode.Incompatible, hello.Xid, System.Text.Encoding.ASCII.GetBytes(error.Reason)).ConfigureAwait(false);
            return new(OpenFlowCloseReason.IncompatibleVersion, error.Reason, error);
        }

        Version = version;
        return null;
    }

    private async Task ReceiveLoopAsync()
    {
        OpenFlowConnectionClosed closed;
        try
        {
            while (true)
            {
                var (message, failure) = await ReadMessageAsync(_stop.Token).ConfigureAwait(false);
                if (failure is not null)
                {
                    closed = failure;
                    break;
                }

                await DispatchAsync(message!).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            closed = new(OpenFlowCloseReason.Closed, "closed by this side");
        }
        catch (OpenFlowConnectionException e)
        {
            closed = e.Closed;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            closed = _stop.IsCancellationRequested ? new(OpenFlowCloseReason.Closed, "closed by this side") : new(OpenFlowCloseReason.TransportError, e.Message);
        }

        await CloseAsync(closed).ConfigureAwait(false);
    }

    private async ValueTask DispatchAsync(OpenFlowMessage message)
    {
        switch (message)
        {
            case EchoRequestMessage echo:
                await SendAsync(new EchoReplyMessage(echo.Xid, echo.Data), _stop.Token).ConfigureAwait(false);
                return;
            case HelloMessage:
                return;
        }

        if (IsAnswer(message) && _pending.TryGetValue(message.Xid, out var pending))
        {
            pending.Add(message);
            return;
        }

        await _received.Writer.WriteAsync(message, _stop.Token).ConfigureAwait(false);
    }

    private static bool IsAnswer(OpenFlowMessage message) => message.Type is OpenFlowMessageType.Error or OpenFlowMessageType.EchoReply
        or OpenFlowMessageType.FeaturesReply or OpenFlowMessageType.GetConfigReply or OpenFlowMessageType.MultipartReply
        or OpenFlowMessageType.BarrierReply or OpenFlowMessageType.QueueGetConfigReply or OpenFlowMessageType.RoleReply
        or OpenFlowMessageType.GetAsyncReply;

    /// <summary>Reads one whole message; a failure (peer closed, malformed input) instead of a message ends the connection.</summary>
    private async ValueTask<(OpenFlowMessage? Message, OpenFlowConnectionClosed? Failure)> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var header = _buffer.AsMemory(0, OpenFlowConstants.HeaderLength);
        var got = await _stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            return (null, new(OpenFlowCloseReason.PeerClosed, "the peer closed the connection"));
        }

        if (got < header.Length)
        {
            return (null, await MalformedAsync(new(OpenFlowErrorKind.Truncated, $"the stream ends {got} bytes into a header", 0), got).ConfigureAwait(false));
        }

        OpenFlowCodec.TryReadHeader(header.Span, out var parsed);
        if (parsed.Length < OpenFlowConstants.HeaderLength || parsed.Length > _options.MaxMessageLength)
        {
            var error = new OpenFlowError(OpenFlowErrorKind.BadMessageLength, $"a message of {parsed.Length} bytes (at least {OpenFlowConstants.HeaderLength}, at most {_options.MaxMessageLength})", 2);
            return (null, await MalformedAsync(error, OpenFlowConstants.HeaderLength).ConfigureAwait(false));
        }

        var rest = _buffer.AsMemory(OpenFlowConstants.HeaderLength, parsed.Length - OpenFlowConstants.HeaderLength);
        got = await _stream.ReadAtLeastAsync(rest, rest.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (got < rest.Length)
        {
            return (null, await MalformedAsync(new(OpenFlowErrorKind.Truncated, $"the stream ends {got} bytes into a {parsed.Length}-byte message", 0), OpenFlowConstants.HeaderLength + got).ConfigureAwait(false));
        }

        if (!OpenFlowCodec.TryDecode(_buffer.AsSpan(0, parsed.Length), out var message, out var decodeError))
        {
            return (null, await MalformedAsync(decodeError, parsed.Length).ConfigureAwait(false));
        }

        return (message, null);
    }

    private async Task<OpenFlowConnectionClosed> MalformedAsync(OpenFlowError error, int received)
    {
        Log.Malformed(_logger, Peer, error.ToString());
        if (error.ToErrorCode() is var (type, code))
        {
            OpenFlowCodec.TryReadHeader(_buffer, out var header);
            await TrySendErrorAsync(type, code, received >= OpenFlowConstants.HeaderLength ? header.Xid : 0, _buffer.AsSpan(0, Math.Min(received, ErrorDataLength)).ToArray()).ConfigureAwait(false);
        }

        return new(OpenFlowCloseReason.Malformed, error.ToString(), error);
    }

    /// <summary>Tells the peer why the connection is about to close; it may be gone already, which is no error.</summary>
    private async Task TrySendErrorAsync(OpenFlowErrorType type, ushort code, uint xid, byte[] data)
    {
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1), _timeProvider);
            await SendAsync(new ErrorMessage(xid, type, code, data), deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OpenFlowConnectionException or OperationCanceledException)
        {
            Log.ErrorNotSent(_logger, Peer, e.Message);
        }
    }

    private async Task CloseAsync(OpenFlowConnectionClosed closed)
    {
        if (!_completion.TrySetResult(closed))
        {
            return;
        }

        Log.Closed(_logger, Peer, closed.Reason, closed.Detail);
        await _stop.CancelAsync().ConfigureAwait(false);
        _received.Writer.TryComplete();
        foreach (var pending in _pending.Values)
        {
            pending.Answer.TrySetException(new OpenFlowConnectionException(closed));
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A request waiting for its answer; multipart reply parts are gathered until the last.</summary>
    private sealed class PendingRequest
    {
        private readonly List<MultipartReplyMessage> _parts = [];

        public TaskCompletionSource<OpenFlowMessage> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Add(OpenFlowMessage message)
        {
            if (message is not MultipartReplyMessage part)
            {
                Answer.TrySetResult(message);
                return;
            }

            _parts.Add(part);
            if (!part.Flags.HasFlag(MultipartOptions.More))
            {
                Answer.TrySetResult(_parts.Count == 1 ? part : Merge(_parts));
            }
        }

        private static MultipartReplyMessage Merge(List<MultipartReplyMessage> parts)
        {
            var last = parts[^1];
            return last switch
            {
                FlowStatsReplyMessage => new FlowStatsReplyMessage(last.Xid, new ValueList<FlowStats>([.. parts.OfType<FlowStatsReplyMessage>().SelectMany(p => p.Flows)])),
                PortStatsReplyMessage => new PortStatsReplyMessage(last.Xid, new ValueList<PortStats>([.. parts.OfType<PortStatsReplyMessage>().SelectMany(p => p.Ports)])),
                PortDescriptionReplyMessage => new PortDescriptionReplyMessage(last.Xid, new ValueList<PortDescription>([.. parts.OfType<PortDescriptionReplyMessage>().SelectMany(p => p.Ports)])),
                UnparsedMultipartReplyMessage u => new UnparsedMultipartReplyMessage(
                    last.Xid, u.Kind, MultipartOptions.None, new OpenFlowBytes([.. parts.OfType<UnparsedMultipartReplyMessage>().SelectMany(p => p.Body.Memory.ToArray())])),
                _ => last,
            };
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3601, Level = LogLevel.Information, Message = "OpenFlow connection with {Peer} up, version 0x{Version:x2}")]
        public static partial void Connected(ILogger logger, string peer, byte version);

        [LoggerMessage(EventId = 3602, Level = LogLevel.Warning, Message = "OpenFlow peer {Peer} speaks no common version: {Reason}")]
        public static partial void IncompatibleVersion(ILogger logger, string peer, string reason);

        [LoggerMessage(EventId = 3603, Level = LogLevel.Warning, Message = "Malformed OpenFlow input from {Peer}, closing the connection: {Error}")]
        public static partial void Malformed(ILogger logger, string peer, string error);

        [LoggerMessage(EventId = 3604, Level = LogLevel.Information, Message = "OpenFlow connection with {Peer} closed ({Reason}): {Detail}")]
        public static partial void Closed(ILogger logger, string peer, OpenFlowCloseReason reason, string detail);

        [LoggerMessage(EventId = 3605, Level = LogLevel.Debug, Message = "Could not tell OpenFlow peer {Peer} about the error: {Reason}")]
        public static partial void ErrorNotSent(ILogger logger, string peer, string reason);
    }
}
