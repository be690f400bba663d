using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NetServ.Apps.MediaRelay;
using NetServ.Networking;
using NetServ.Sdk;

[assembly: NetServModule(typeof(MediaRelayModule))]

namespace NetServ.Apps.MediaRelay;

/// <summary>
/// Media Relay (paper section 6.3, Figure 9): a server module that relays RTP and RTCP between two
/// user agents behind NATs, on the NetServ node nearest one of them, so the ITSP needs no managed
/// relay of its own. The SIP server allocates a session per call over a small UDP control channel
/// (<see cref="ControlRequest"/>) and points both user agents' SDP at the returned ports.
/// </summary>
/// <remarks>
/// Each call gets two port pairs from the configured range (RTP even, RTCP next), one facing each
/// user agent. The first packet on a port latches its sender's address (symmetric latching, so
/// NATs need no configuration); media is relayed to the far side's latched address from the far
/// side's port. Sessions idle for <c>session-timeout</c> are closed and their sockets released;
/// removing the module closes every socket.
/// </remarks>
public sealed partial class MediaRelayModule : NetServModule, IModuleStatus
{
    /// <summary>Larger than any RTP packet on an Ethernet path; longer datagrams are malformed for a relay.</summary>
    private const int MaxDatagram = 2048;

    /// <summary>Sessions listed one by one in the status; beyond this only counted.</summary>
    private const int StatusSessionLimit = 32;

    private MediaRelayOptions _options = new();
    private SessionTable? _sessions;
    private IServerSockets? _serverSockets;
    private Socket? _control;
    private Task _controlLoop = Task.CompletedTask;
    private ITimer? _sweeper;
    private volatile bool _stopped;
    private long _controlRequests;
    private long _controlMalformed;
    private long _controlRefused;
    private long _allocationFailures;

    internal MediaRelayOptions Options => _options;

    internal SessionTable Sessions => _sessions ?? throw new InvalidOperationException("The module has not been started yet.");

    /// <inheritdoc />
    public JsonObject GetStatus()
    {
        var sessions = _sessions;
        var status = new JsonObject
        {
            ["controlPort"] = _options.ControlPort,
            ["portRange"] = $"{_options.PortMin}-{_options.PortMax}",
            ["sessionTimeoutSeconds"] = _options.SessionTimeout.TotalSeconds,
            ["sessionsActive"] = sessions?.Active ?? 0,
            ["sessionsClosed"] = sessions?.Closed ?? 0,
            ["portPairsFree"] = sessions?.PortPairsFree ?? 0,
            ["controlRequests"] = Interlocked.Read(ref _controlRequests),
            ["controlMalformed"] = Interlocked.Read(ref _controlMalformed),
            ["controlRefused"] = Interlocked.Read(ref _controlRefused),
            ["allocationFailures"] = Interlocked.Read(ref _allocationFailures),
        };
        if (sessions is not null)
        {
            sessions.Totals.AddTo(status);
            status["sessions"] = new JsonArray([.. sessions.Snapshot().Take(StatusSessionLimit).Select(s => (JsonNode)s.GetStatus())]);
        }

        return status;
    }

    /// <summary>Handles one control request from <paramref name="source"/> and returns the answer; never throws for bad input.</summary>
    internal byte[]? HandleControl(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        Interlocked.Increment(ref _controlRequests);
        if (!_options.Controller.Contains(Ipv4Address.FromIPAddress(source.Address)))
        {
            // Silently: a scan of the control port learns nothing.
            Interlocked.Increment(ref _controlRefused);
            return null;
        }

        if (!ControlRequest.TryParse(datagram, out var command, out var rawCallId))
        {
            Interlocked.Increment(ref _controlMalformed);
            return ControlRequest.Error("malformed request");
        }

        var callId = Encoding.ASCII.GetString(rawCallId);
        return command == ControlCommand.Allocate ? Allocate(callId) : Release(callId);
    }

    /// <inheritdoc />
    protected override Task OnStartAsync(CancellationToken cancellationToken)
    {
        _options = MediaRelayOptions.FromProperties(Context.Properties);
        var ports = new PortAllocator(_options.PortMin, _options.PortMax, Context.AllowedPorts);
        if (ports.Capacity < 2)
        {
            throw new FormatException($"the media range {_options.PortMin}-{_options.PortMax} holds {ports.Capacity} allowed RTP/RTCP port pair(s); a call needs two");
        }

        _sessions = new SessionTable(ports, _options.SessionTimeout, Context.TimeProvider);
        _serverSockets = Context.BuildingBlocks.Require<IServerSockets>();
        _control = _serverSockets.BindUdp(_options.ControlPort);
        _controlLoop = Task.Run(() => ControlLoopAsync(_control), CancellationToken.None);

        var period = TimeSpan.FromTicks(Math.Clamp(_options.SessionTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond * 5));
        _sweeper = Context.TimeProvider.CreateTimer(_ => CloseIdleSessions(), null, period, period);
        Log.Started(Context.Logger, _options.ControlPort, _options.PortMin, _options.PortMax, ports.Capacity, (int)_options.SessionTimeout.TotalSeconds);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override async Task OnStopAsync(CancellationToken cancellationToken)
    {
        _stopped = true;
        if (_sweeper is not null)
        {
            await _sweeper.DisposeAsync().ConfigureAwait(false);
        }

        _control?.Dispose();
        await _controlLoop.ConfigureAwait(false);
        foreach (var session in _sessions?.RemoveAll() ?? [])
        {
            session.Transport?.Dispose();
        }

        Log.Stopped(Context.Logger);
    }

    private byte[] Allocate(string callId)
    {
        if (_stopped)
        {
            return ControlRequest.Error("stopping");
        }

        var sessions = Sessions;
        if (!sessions.TryGetOrAdd(callId, out var session, out var created))
        {
            Interlocked.Increment(ref _allocationFailures);
            Log.PortsExhausted(Context.Logger, callId);
            return ControlRequest.Error("no free ports");
        }

        if (!created)
        {
            // A retransmitted request: the same answer.
            return ControlRequest.Allocated(session);
        }

        SessionSockets sockets;
        try
        {
            sockets = SessionSockets.Bind(_serverSockets!, session);
        }
        catch (Exception e) when (e is SocketException or ModulePolicyException)
        {
            sessions.TryRemove(callId, out _);
            Interlocked.Increment(ref _allocationFailures);
            Log.BindFailed(Context.Logger, callId, e.Message);
            return ControlRequest.Error("cannot bind ports");
        }

        session.Transport = sockets;
        foreach (var leg in (ReadOnlySpan<RelayLegId>)[RelayLegId.A, RelayLegId.B])
        {
            foreach (var channel in (ReadOnlySpan<MediaChannel>)[MediaChannel.Rtp, MediaChannel.Rtcp])
            {
                _ = Task.Run(() => RelayLoopAsync(session, sockets, leg, channel), CancellationToken.None);
            }
        }

        Log.SessionOpened(Context.Logger, callId, session.A.RtpPort, session.B.RtpPort);
        return ControlRequest.Allocated(session);
    }

    private byte[] Release(string callId)
    {
        if (!Sessions.TryRemove(callId, out var session))
        {
            return ControlRequest.Error("unknown call");
        }

        Close(session, "released");
        return ControlRequest.Released(callId);
    }

    private void CloseIdleSessions()
    {
        try
        {
            foreach (var session in Sessions.RemoveIdle())
            {
                Close(session, "timed out");
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A timer callback must not throw into the container.
            Log.SweepFailed(Context.Logger, e);
        }
    }

    private void Close(RelaySession session, string reason)
    {
        session.Transport?.Dispose();
        var counters = session.Counters;
        Log.SessionClosed(Context.Logger, session.CallId, reason, counters.PacketsAToB, counters.PacketsBToA, counters.Malformed, counters.Dropped);
    }

    private async Task ControlLoopAsync(Socket socket)
    {
        var buffer = new byte[MaxDatagram];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stopped)
        {
            try
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, Context.ModuleStopping).ConfigureAwait(false);
                var source = (IPEndPoint)received.RemoteEndPoint;
                byte[]? answer;
                try
                {
                    answer = HandleControl(buffer.AsSpan(0, received.ReceivedBytes), source);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // One request gone wrong must not end the control channel.
                    Log.ControlFailed(Context.Logger, e);
                    answer = ControlRequest.Error("internal error");
                }

                if (answer is not null)
                {
                    await socket.SendToAsync(answer, SocketFlags.None, source, Context.ModuleStopping).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException
                || (e is SocketException s && s.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted))
            {
                return;
            }
            catch (SocketException e)
            {
                // An oversized datagram or an unreachable controller: the next request may be fine.
                Interlocked.Increment(ref _controlMalformed);
                Log.ControlError(Context.Logger, e.SocketErrorCode.ToString());
            }
        }
    }

    private async Task RelayLoopAsync(RelaySession session, SessionSockets sockets, RelayLegId leg, MediaChannel channel)
    {
        var socket = sockets.For(leg, channel);
        var far = sockets.For(leg == RelayLegId.A ? RelayLegId.B : RelayLegId.A, channel);
        var buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram);
        var source = new SocketAddress(AddressFamily.InterNetwork);
        var time = Context.TimeProvider;
        while (!sockets.IsDisposed)
        {
            int length;
            try
            {
                length = await socket.ReceiveFromAsync(buffer, SocketFlags.None, source, Context.ModuleStopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException
                || (e is SocketException s && s.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted))
            {
                return;
            }
            catch (SocketException)
            {
                // Larger than any RTP packet we relay (MessageSize), or a transient error.
                session.Counters.CountMalformed();
                Sessions.Totals.CountMalformed();
                continue;
            }

            var datagram = buffer.AsSpan(0, length);
            if (session.Route(leg, channel, source, datagram, time.GetTimestamp(), out var destination) != RelayDecision.Forward)
            {
                continue;
            }

            try
            {
                far.SendTo(datagram, SocketFlags.None, destination!);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // A full send buffer or an unreachable peer loses this packet only, as the network would.
                Log.SendFailed(Context.Logger, session.CallId, e.SocketErrorCode.ToString());
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Media relay listening for control requests on UDP {ControlPort}; media ports {PortMin}-{PortMax} ({Pairs} RTP/RTCP pairs); sessions time out after {TimeoutSeconds} s")]
        public static partial void Started(ILogger logger, int controlPort, int portMin, int portMax, int pairs, int timeoutSeconds);

        [LoggerMessage(2, LogLevel.Information, "Media relay stopped; every session closed")]
        public static partial void Stopped(ILogger logger);

        [LoggerMessage(3, LogLevel.Information, "Session {CallId} opened: leg A on {PortA}, leg B on {PortB}")]
        public static partial void SessionOpened(ILogger logger, string callId, int portA, int portB);

        [LoggerMessage(4, LogLevel.Information, "Session {CallId} closed ({Reason}): {AToB} packets A→B, {BToA} B→A, {Malformed} malformed, {Dropped} dropped")]
        public static partial void SessionClosed(ILogger logger, string callId, string reason, long aToB, long bToA, long malformed, long dropped);

        [LoggerMessage(5, LogLevel.Warning, "No free media ports for call {CallId}")]
        public static partial void PortsExhausted(ILogger logger, string callId);

        [LoggerMessage(6, LogLevel.Warning, "Cannot bind the media ports of call {CallId}: {Error}")]
        public static partial void BindFailed(ILogger logger, string callId, string error);

        [LoggerMessage(7, LogLevel.Debug, "Relaying a packet of call {CallId} failed: {Error}")]
        public static partial void SendFailed(ILogger logger, string callId, string error);

        [LoggerMessage(8, LogLevel.Debug, "Control channel receive failed: {Error}")]
        public static partial void ControlError(ILogger logger, string error);

        [LoggerMessage(9, LogLevel.Error, "Closing idle sessions failed")]
        public static partial void SweepFailed(ILogger logger, Exception exception);

        [LoggerMessage(10, LogLevel.Error, "Handling a control request failed")]
        public static partial void ControlFailed(ILogger logger, Exception exception);
    }
}
