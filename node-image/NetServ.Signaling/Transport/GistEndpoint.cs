using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NetServ.Networking;
using NetServ.Signaling.Gist;

namespace NetServ.Signaling.Transport;

/// <summary>How a <see cref="GistEndpoint"/> listens and sends.</summary>
public sealed record GistEndpointOptions
{
    /// <summary>This node's identity in signaling (NetServ nodes use their name).</summary>
    public required string Name { get; init; }

    /// <summary>The NSLP this endpoint serves.</summary>
    public ushort NslpId { get; init; } = GistConstants.NetServNslpId;

    /// <summary>
    /// The IPv4 Router Alert value this endpoint's Queries carry. RFC 5971 5.3.2 ties the value to the NSLP, so it
    /// is set with <see cref="NslpId"/>; NetServ's is <see cref="GistConstants.NetServRouterAlertValue"/>. Queries
    /// passing through are taken whatever value they carry.
    /// </summary>
    public ushort RouterAlertValue { get; init; } = GistConstants.NetServRouterAlertValue;

    /// <summary>The UDP port; 270 on nodes, 0 (any free port) on a client.</summary>
    public ushort DatagramPort { get; init; } = GistConstants.UdpPort;

    /// <summary>Whether to accept TCP messaging associations on the same port number (nodes do).</summary>
    public bool AcceptStreams { get; init; } = true;

    /// <summary>Whether this endpoint answers Queries (nodes) or only sends them (clients).</summary>
    public bool Responder { get; init; } = true;

    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    public int QueryRetries { get; init; } = 2;

    /// <summary>The longest wait between two Queries (the doubling stops here).</summary>
    public TimeSpan QueryMaxTimeout { get; init; } = TimeSpan.FromSeconds(64);

    /// <summary>Whether a destination is on-link from here; a node that knows sets it, see <see cref="GistStateMachineOptions.DestinationOnLink"/>.</summary>
    public Func<Ipv4Address, bool>? DestinationOnLink { get; init; }

    public TimeSpan RoutingStateValidity { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaHoldTime { get; init; } = TimeSpan.FromSeconds(30);

    public int MaxDatagramMessage { get; init; } = 1400;
}

/// <summary>
/// GIST over real sockets: one UDP socket for D-mode and for Q-mode Queries (the Router Alert
/// option is set on it only while a Query is sent), and TCP for messaging associations. Queries
/// passing through a node are taken off the forwarding path by the node (an NFQUEUE rule on
/// udp/270) and handed in with <see cref="TryTakeQuery"/>. It only moves bytes: a
/// <see cref="GistStateMachine"/> decides everything, on one loop, one event at a time.
/// </summary>
/// <remarks>
/// Why not a raw socket with IP_ROUTER_ALERT: Linux gives a router-alert socket only packets whose
/// Router Alert value is 0 (ip_options_compile sets router_alert for 0 alone), and NetServ Queries
/// carry an experimental value (65503 by default, <see cref="GistEndpointOptions.RouterAlertValue"/>),
/// while peers may mark ours with another. The NFQUEUE rule matches the port alone, so interception
/// does not depend on the value.
/// </remarks>
public sealed partial class GistEndpoint : IAsyncDisposable
{
    private const int IpOptions = 4;

    private readonly GistEndpointOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<Func<DateTimeOffset, IReadOnlyList<GistAction>>> _events = Channel.CreateUnbounded<Func<DateTimeOffset, IReadOnlyList<GistAction>>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Socket _udp;
    private readonly Socket? _listener;
    private readonly Dictionary<int, GistConnection> _streams = [];
    private readonly Dictionary<Ipv4Address, Ipv4Address> _localAddresses = [];
    private readonly byte[] _routerAlertOption = new byte[Ipv4RouterAlert.OptionLength];
    private readonly List<Task> _tasks = [];
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle? _namespace;
    private const int DiscardWarningsPerWindow = 20;
    private static readonly TimeSpan DiscardWindow = TimeSpan.FromSeconds(10);
    private readonly long[] _discarded = new long[Enum.GetValues<GistDiscardReason>().Length];
    private DateTimeOffset _discardWindow;
    private int _discardWarnings;
    private long _discardsSuppressed;
    private GistStateMachine _machine = null!;

    private GistEndpoint(GistEndpointOptions options, ILogger logger, TimeProvider time)
    {
        _options = options;
        _logger = logger;
        _time = time;
        Ipv4RouterAlert.TryWriteOption(_routerAlertOption, options.RouterAlertValue);
        _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Remember the network namespace the endpoint was made in: route look-ups later run there,
            // whichever thread asks (a test or a lab may start an endpoint inside a namespace).
            _namespace = File.Exists("/proc/thread-self/ns/net") ? File.OpenHandle("/proc/thread-self/ns/net") : null;
            _udp.Bind(new IPEndPoint(IPAddress.Any, options.DatagramPort));
            if (options.AcceptStreams)
            {
                _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                _listener.Bind(new IPEndPoint(IPAddress.Any, ((IPEndPoint)_udp.LocalEndPoint!).Port));
                _listener.Listen(64);
            }
        }
        catch
        {
            DisposeSockets();
            throw;
        }
    }

    /// <summary>A peer sent an NSLP message. Called on the thread pool, never on the endpoint's loop.</summary>
    public Func<DeliverAction, Task>? Delivered { get; set; }

    /// <summary>A session ended without an answer (no peer downstream, a peer's error). Called on the thread pool.</summary>
    public Func<SessionStatusAction, Task>? SessionStatus { get; set; }

    /// <summary>The UDP port (and TCP port, when accepting) this endpoint uses.</summary>
    public ushort Port => (ushort)((IPEndPoint)_udp.LocalEndPoint!).Port;

    /// <summary>Opens the sockets and starts the loop.</summary>
    /// <exception cref="SocketException">A socket could not be opened (the port is taken, or no permission for the raw socket).</exception>
    public static GistEndpoint Start(GistEndpointOptions options, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = new GistEndpoint(options, logger, time);
        endpoint._machine = new GistStateMachine(new GistStateMachineOptions
        {
            PeerIdentity = System.Text.Encoding.UTF8.GetBytes(options.Name),
            NslpId = options.NslpId,
            DatagramPort = endpoint.Port,
            StreamPort = options.AcceptStreams ? endpoint.Port : null,
            Responder = options.Responder,
            QueryTimeout = options.QueryTimeout,
            QueryRetries = options.QueryRetries,
            QueryMaxTimeout = options.QueryMaxTimeout,
            DestinationOnLink = options.DestinationOnLink ?? (_ => false),
            RoutingStateValidity = options.RoutingStateValidity,
            MaHoldTime = options.MaHoldTime,
            MaxDatagramMessage = options.MaxDatagramMessage,
            LocalAddressFor = endpoint.LocalAddressFor,
        });
        endpoint._tasks.Add(Task.Run(endpoint.LoopAsync));
        endpoint._tasks.Add(Task.Run(endpoint.ReceiveDatagramsAsync));
        if (endpoint._listener is not null)
        {
            endpoint._tasks.Add(Task.Run(endpoint.AcceptStreamsAsync));
        }

        Log.Started(logger, options.Name, endpoint.Port, options.AcceptStreams);
        return endpoint;
    }

    /// <summary>A new random session.</summary>
    public static GistSessionId NewSession() => GistStateMachine.NewSession();

    /// <summary>Sends an NSLP message for a session, downstream (discovering the next peer) or upstream (to the peer the session came from).</summary>
    public void Send(GistSessionId session, GistMessageRoutingInformation mri, GistDirection direction, byte[] nslpMessage) =>
        Post(now => _machine.Send(session, mri, direction, nslpMessage, now));

    /// <summary>Keeps a session's downstream routing state refreshed, or stops doing so.</summary>
    public void KeepAlive(GistSessionId session, bool keepAlive) =>
        Post(_ =>
        {
            _machine.KeepAlive(session, keepAlive);
            return [];
        });

    /// <summary>The local address a peer toward <paramref name="destination"/> sees this node at.</summary>
    public Ipv4Address LocalAddressFor(Ipv4Address destination)
    {
        lock (_localAddresses)
        {
            if (_localAddresses.TryGetValue(destination, out var cached))
            {
                return cached;
            }
        }

        // Connecting a UDP socket sends nothing but makes the kernel pick the route and source address.
        var local = InNamespace(() =>
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                probe.Connect(new IPEndPoint(destination.ToIPAddress(), 9));
                return Ipv4Address.FromIPAddress(((IPEndPoint)probe.LocalEndPoint!).Address);
            }
            catch (SocketException)
            {
                return Ipv4Address.Any;
            }
        });
        if (local == Ipv4Address.Any)
        {
            return local;
        }

        lock (_localAddresses)
        {
            _localAddresses[destination] = local;
        }

        return local;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _events.Writer.TryComplete();
        DisposeSockets();
        lock (_streams)
        {
            foreach (var stream in _streams.Values)
            {
                stream.Dispose();
            }

            _streams.Clear();
        }

        Task[] tasks;
        lock (_tasks)
        {
            tasks = [.. _tasks];
        }

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private void Post(Func<DateTimeOffset, IReadOnlyList<GistAction>> work) => _events.Writer.TryWrite(work);

    private T InNamespace<T>(Func<T> action)
    {
        if (_namespace is null)
        {
            return action();
        }

        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (SetNs(_namespace.DangerousGetHandle().ToInt32(), 0x40000000) != 0)
                {
                    throw new SocketException(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
                }

                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        { IsBackground = true };
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new InvalidOperationException($"route look-up failed: {failure.Message}", failure);
    }

    /// <summary>Removes the IP options from a socket. The managed API passes a null pointer for an empty value, which Linux refuses (EFAULT).</summary>
    private static unsafe void ClearIpOptions(Socket socket)
    {
        byte none = 0;
        if (SetSockOpt((int)socket.Handle, (int)SocketOptionLevel.IP, IpOptions, &none, 0) != 0)
        {
            throw new SocketException(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static unsafe partial int SetSockOpt(int socket, int level, int name, byte* value, uint length);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);

    private async Task LoopAsync()
    {
        var reader = _events.Reader;

        // One wait for events at a time, kept across timer wake-ups: a single-reader channel signals
        // only its latest waiter, so an abandoned wait would swallow the signal and leave events queued.
        Task<bool>? incoming = null;
        while (!_stop.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            if (_machine.NextDeadline is { } due && due <= now)
            {
                Execute(_machine.OnTimer(now));
                continue;
            }

            incoming ??= reader.WaitToReadAsync(_stop.Token).AsTask();
            if (_machine.NextDeadline is { } next)
            {
                var delay = next - now;
                using var timer = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var sleep = Task.Delay(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, _time, timer.Token);
                await Task.WhenAny(incoming, sleep).ConfigureAwait(false);
                await timer.CancelAsync().ConfigureAwait(false);
            }
            else
            {
                await Task.WhenAny(incoming).ConfigureAwait(false);
            }

            if (!incoming.IsCompleted)
            {
                continue;
            }

            try
            {
                if (!await incoming.ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            incoming = null;
            while (reader.TryRead(out var work))
            {
                try
                {
                    Execute(work(_time.GetUtcNow()));
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                    Log.EventFailed(_logger, e.Message);
                }
            }
        }
    }

    private void Execute(IReadOnlyList<GistAction> actions)
    {
        foreach (var action in actions)
        {
            switch (action)
            {
                case SendDatagramAction send:
                    SendDatagram(send);
                    break;
                case OpenStreamAction open:
                    OpenStream(open);
                    break;
                case SendStreamAction send:
                    SendOnStream(send.StreamId, send.Message);
                    break;
                case CloseStreamAction close:
                    CloseStream(close.StreamId);
                    break;
                case DeliverAction deliver when Delivered is { } delivered:
                    _ = Task.Run(() => delivered(deliver));
                    break;
                case SessionStatusAction status when SessionStatus is { } callback:
                    _ = Task.Run(() => callback(status));
                    break;
                case TraceAction { Discarded: { } reason } discard:
                    OnDiscarded(reason, discard.Text);
                    break;
                case TraceAction { PeerFault: true } fault:
                    Log.PeerFault(_logger, fault.Text);
                    break;
                case TraceAction trace:
                    Log.Trace(_logger, trace.Text);
                    break;
            }
        }
    }

    /// <summary>Malformed or misplaced messages dropped since the endpoint started.</summary>
    public long DiscardedMessages => Enum.GetValues<GistDiscardReason>().Sum(DiscardedFor);

    /// <summary>Messages dropped for <paramref name="reason"/> since the endpoint started.</summary>
    public long DiscardedFor(GistDiscardReason reason) => Interlocked.Read(ref _discarded[(int)reason]);

    /// <summary>A warning per dropped message, at most <see cref="DiscardWarningsPerWindow"/> per ten seconds so a flood cannot drown the log.</summary>
    private void OnDiscarded(GistDiscardReason reason, string text)
    {
        Interlocked.Increment(ref _discarded[(int)reason]);
        var now = _time.GetUtcNow();
        if (now - _discardWindow >= DiscardWindow)
        {
            if (_discardsSuppressed > 0)
            {
                Log.DiscardsSuppressed(_logger, _discardsSuppressed, DiscardWindow.TotalSeconds);
            }

            _discardWindow = now;
            _discardWarnings = 0;
            _discardsSuppressed = 0;
        }

        if (_discardWarnings++ < DiscardWarningsPerWindow)
        {
            Log.Discarded(_logger, text);
        }
        else
        {
            _discardsSuppressed++;
        }
    }

    private void SendDatagram(SendDatagramAction send)
    {
        var destination = new IPEndPoint(send.Address.ToIPAddress(), send.Port);
        try
        {
            if (send.QueryMode)
            {
                // The option goes on the socket for this one datagram: D-mode messages carry none.
                _udp.SetRawSocketOption((int)SocketOptionLevel.IP, IpOptions, _routerAlertOption);
                try
                {
                    _udp.SendTo(send.Datagram, destination);
                }
                finally
                {
                    ClearIpOptions(_udp);
                }
            }
            else
            {
                _udp.SendTo(send.Datagram, destination);
            }

            Log.DatagramSent(_logger, send.Datagram.Length, destination, send.QueryMode);
        }
        catch (SocketException e)
        {
            Log.SendFailed(_logger, destination.ToString(), e.Message);
        }
    }

    private async Task ReceiveDatagramsAsync()
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable)
            {
                // An ICMP error for an earlier datagram (a Query that reached a host without GIST): the retransmission timer decides.
                continue;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var from = (IPEndPoint)result.RemoteEndPoint;
            Log.DatagramReceived(_logger, result.ReceivedBytes, from);
            var datagram = buffer.AsSpan(0, result.ReceivedBytes).ToArray();
            var address = Ipv4Address.FromIPAddress(from.Address);
            var port = (ushort)from.Port;
            Post(now => _machine.OnDatagram(datagram, address, port, now));
        }
    }

    /// <summary>
    /// A packet taken off the forwarding path (a whole IPv4 packet for udp/270): if it is a Q-mode message of
    /// our NSLP — see <see cref="IsQueryToTake"/> — it is processed and true says to drop it from the path;
    /// anything else must be forwarded unchanged.
    /// </summary>
    public bool TryTakeQuery(ReadOnlySpan<byte> ipv4Packet)
    {
        if (!IsQueryToTake(ipv4Packet, _options.NslpId, out var info))
        {
            return false;
        }

        var datagram = info.PayloadOf(ipv4Packet).ToArray();
        Post(now => _machine.OnDatagram(datagram, info.Source, info.SourcePort, now));
        return true;
    }

    /// <summary>
    /// Whether a packet on its way through is a Q-mode message for <paramref name="nslpId"/>: a Router Alert
    /// option of any value (RFC 5971 5.3.2 lets each NSLP have its own, and a peer may use it for ours), UDP
    /// to the GIST port, the magic number, the C flag (Q-mode encapsulated, RFC 5971 A.1: D-mode datagrams
    /// carry the magic number too and pass) and the NSLPID.
    /// </summary>
    internal static bool IsQueryToTake(ReadOnlySpan<byte> packet, ushort nslpId, out Ipv4UdpPacketInfo info)
    {
        const byte CFlag = 0x80;
        if (!Ipv4RouterAlert.TryReadUdpPacket(packet, out info, out _)
            || info.DestinationPort != GistConstants.UdpPort
            || info.RouterAlertValue is null)
        {
            return false;
        }

        var payload = info.PayloadOf(packet);
        return payload.Length >= GistConstants.MagicNumberLength + GistConstants.CommonHeaderLength
            && BinaryPrimitives.ReadUInt32BigEndian(payload) == GistConstants.MagicNumber
            && BinaryPrimitives.ReadUInt16BigEndian(payload[(GistConstants.MagicNumberLength + 4)..]) == nslpId
            && (payload[GistConstants.MagicNumberLength + 6] & CFlag) != 0;
    }

    private async Task AcceptStreamsAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener!.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var peer = Ipv4Address.FromIPAddress(((IPEndPoint)connection.RemoteEndPoint!).Address);
            var accepted = GistConnection.Accepted(connection);
            Post(now =>
            {
                var id = _machine.AcceptStream(peer, now);
                lock (_streams)
                {
                    _streams[id] = accepted;
                }

                Track(ReadStreamAsync(id, accepted));
                return [];
            });
        }
    }

    private void OpenStream(OpenStreamAction open)
    {
        // The socket belongs to the endpoint's namespace, whichever thread runs the loop.
        var connection = InNamespace(GistConnection.Connecting);
        lock (_streams)
        {
            _streams[open.StreamId] = connection;
        }

        Track(Task.Run(async () =>
        {
            try
            {
                await connection.ConnectAsync(new IPEndPoint(open.Address.ToIPAddress(), open.Port), TimeSpan.FromSeconds(5), _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
            {
                Log.StreamFailed(_logger, open.Address.ToString(), open.Port, e.Message);
                CloseStream(open.StreamId);
                Post(_ => _machine.OnStreamClosed(open.StreamId));
                return;
            }

            await ReadStreamAsync(open.StreamId, connection).ConfigureAwait(false);
        }));
    }

    private void SendOnStream(int streamId, byte[] message)
    {
        GistConnection? connection;
        lock (_streams)
        {
            _streams.TryGetValue(streamId, out connection);
        }

        if (connection is null || !connection.TrySend(message))
        {
            Log.SendFailed(_logger, $"association {streamId}", "it is closed");
        }
    }

    private async Task ReadStreamAsync(int streamId, GistConnection connection)
    {
        var buffer = new byte[GistConstants.CommonHeaderLength + GistConstants.MaxMessageBodyLength];
        var filled = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var read = await connection.ReadAsync(buffer.AsMemory(filled), _stop.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                filled += read;

                // C-mode messages follow each other on the stream; the common header says how long each is.
                while (GistCodec.TryReadMessageLength(buffer.AsSpan(0, filled), out var length) && filled >= length)
                {
                    var message = buffer.AsSpan(0, length).ToArray();
                    buffer.AsSpan(length, filled - length).CopyTo(buffer);
                    filled -= length;
                    Post(now => _machine.OnStreamMessage(streamId, message, now));
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
        }

        CloseStream(streamId);
        Post(_ => _machine.OnStreamClosed(streamId));
    }

    private void Track(Task task)
    {
        lock (_tasks)
        {
            _tasks.RemoveAll(t => t.IsCompleted);
            _tasks.Add(task);
        }
    }

    private void CloseStream(int streamId)
    {
        lock (_streams)
        {
            if (_streams.Remove(streamId, out var stream))
            {
                stream.Dispose();
            }
        }
    }

    private void DisposeSockets()
    {
        _namespace?.Dispose();
        _udp.Dispose();
        _listener?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(3001, LogLevel.Information, "GIST endpoint {Name} on port {Port} (accepting associations: {Streams})")]
        public static partial void Started(ILogger logger, string name, ushort port, bool streams);

        [LoggerMessage(3002, LogLevel.Debug, "GIST: {Text}")]
        public static partial void Trace(ILogger logger, string text);

        [LoggerMessage(3003, LogLevel.Warning, "GIST: sending to {Destination} failed: {Error}")]
        public static partial void SendFailed(ILogger logger, string destination, string error);

        [LoggerMessage(3004, LogLevel.Warning, "GIST: messaging association to {Address}:{Port} failed: {Error}")]
        public static partial void StreamFailed(ILogger logger, string address, ushort port, string error);

        [LoggerMessage(3008, LogLevel.Trace, "GIST: received {Length} bytes from {Source}")]
        public static partial void DatagramReceived(ILogger logger, int length, IPEndPoint source);

        [LoggerMessage(3009, LogLevel.Trace, "GIST: sent {Length} bytes to {Destination} (Q-mode: {QueryMode})")]
        public static partial void DatagramSent(ILogger logger, int length, IPEndPoint destination, bool queryMode);

        [LoggerMessage(3006, LogLevel.Warning, "GIST: {Text}")]
        public static partial void Discarded(ILogger logger, string text);

        [LoggerMessage(3007, LogLevel.Warning, "GIST: {Count} more malformed or misplaced messages dropped in the last {Seconds} s without a log line each")]
        public static partial void DiscardsSuppressed(ILogger logger, long count, double seconds);

        [LoggerMessage(3010, LogLevel.Warning, "GIST: {Text}")]
        public static partial void PeerFault(ILogger logger, string text);

        [LoggerMessage(3005, LogLevel.Warning, "GIST: an event failed: {Error}")]
        public static partial void EventFailed(ILogger logger, string error);
    }
}
