using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using NetServ.Apps.Signaling;
using NetServ.Networking;
using NetServ.Sip;
using NetServ.Sip.Transport;

namespace NetServ.Apps.OverloadControl.Server;

/// <summary>
/// The server's sockets and timers: answers every SIP request over UDP with 200 OK (ACK with
/// nothing), measures the rate of requests with <see cref="LoadMeter"/>, and every tick lets
/// <see cref="OverloadController"/> decide whether to install the module toward the user agent that
/// sent the latest request, or to send feedback to the nodes that installed it (their signaling
/// address, the module's <c>feedback-port</c>).
/// </summary>
internal sealed partial class OverloadSipServer(
    OverloadController controller,
    LoadMeter meter,
    ModuleSignaler? signaler,
    int feedbackPort,
    TimeSpan tick,
    ILogger logger,
    TimeProvider time)
{
    private readonly SipToTags _toTags = new();
    private readonly List<IPEndPoint> _feedbackTargets = [];
    private IPEndPoint? _lastAgent;

    public async Task RunAsync(IPEndPoint listen, CancellationToken cancellationToken)
    {
        using var server = SipUdpServer.Bind(listen, logger);
        Log.Listening(logger, listen.ToString(), signaler?.ModuleName ?? "nothing");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ticking = TickAsync(server, stop.Token);
        try
        {
            await server.RunAsync(HandleAsync, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await ticking.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private ValueTask HandleAsync(SipUdpServer server, SipUdpDatagram datagram, CancellationToken cancellationToken)
    {
        var length = Answer(datagram.Payload.Span, datagram.Source, server.ReplyBuffer, out var sendTo);
        if (length == 0)
        {
            return ValueTask.CompletedTask;
        }

        Volatile.Write(ref _lastAgent, datagram.Agent);
        return server.ReplyAsync(length, sendTo, cancellationToken);
    }

    /// <summary>Counts a request and writes its answer, which goes to <paramref name="sendTo"/>; 0 when there is none to send.</summary>
    private int Answer(ReadOnlySpan<byte> datagram, SipEndpoint source, Span<byte> response, out SipEndpoint sendTo)
    {
        sendTo = default;
        if (!SipParser.TryParseRequestLine(datagram, out var line, out _) || line.Method.SequenceEqual("ACK"u8))
        {
            return 0;
        }

        meter.Record();
        return SipResponseWriter.TryWriteResponse(response, datagram, source, 200, "OK"u8, _toTags, [], out var written, out sendTo) ? written : 0;
    }

    private async Task TickAsync(SipUdpServer server, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var datagram = new byte[128];
        using var timer = new PeriodicTimer(tick, time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var load = meter.Rate;
            var action = controller.Tick(load);
            Log.Tick(logger, Stopwatch.GetElapsedTime(started).TotalSeconds, load, meter.Total, controller.Overloaded);
            switch (action)
            {
                case OverloadAction.Signal:
                    await SignalAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case OverloadAction.SendRate or OverloadAction.SendOff:
                    var feedback = controller.Feedback(action);
                    if (feedback.TryFormat(datagram, out var length))
                    {
                        foreach (var target in _feedbackTargets)
                        {
                            await server.SendAsync(datagram.AsMemory(0, length), target, cancellationToken).ConfigureAwait(false);
                        }

                        Log.Feedback(logger, feedback.Kind.ToString(), feedback.Value, feedback.Sequence, _feedbackTargets.Count);
                    }

                    break;
            }
        }
    }

    private async Task SignalAsync(CancellationToken cancellationToken)
    {
        if (signaler is null || Volatile.Read(ref _lastAgent) is not { } agent || !Ipv4Address.TryParse(agent.Address.ToString(), out var address))
        {
            controller.Signaled(installed: false);
            return;
        }

        var result = await signaler.SetupAsync(address, cancellationToken).ConfigureAwait(false);
        foreach (var node in result.NodeAddresses)
        {
            if (IPAddress.TryParse(node, out var nodeAddress))
            {
                var target = new IPEndPoint(nodeAddress, feedbackPort);
                if (!_feedbackTargets.Contains(target))
                {
                    _feedbackTargets.Add(target);
                }
            }
        }

        controller.Signaled(result.Succeeded && _feedbackTargets.Count > 0);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "SIP server on udp {Listen}; installs {Module} near its user agents when overloaded")]
        public static partial void Listening(ILogger logger, string listen, string module);

        [LoggerMessage(2, LogLevel.Information, "tick {Elapsed:F3} s: load {Load:F1} req/s, {Total} received, overloaded {Overloaded}")]
        public static partial void Tick(ILogger logger, double elapsed, double load, long total, bool overloaded);

        [LoggerMessage(3, LogLevel.Information, "feedback {Kind} {Value} seq {Sequence} to {Nodes} node(s)")]
        public static partial void Feedback(ILogger logger, string kind, double value, long sequence, int nodes);
    }
}
