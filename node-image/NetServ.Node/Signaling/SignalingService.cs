using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetServ.Contracts.Configuration;
using NetServ.Networking;
using NetServ.Node.Control;
using NetServ.Node.Signaling.Routing;
using NetServ.Signaling.Gist;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Transport;

namespace NetServ.Node.Signaling;

/// <summary>
/// The NetServ NSLP on a node (paper sections 4.1 and 8). A request arriving from upstream in a
/// GIST Query is acted on here (after authentication) and passed on downstream; when the rest of
/// the path has answered — or no further NetServ node answered, which makes this node the last
/// one — the node puts its own result in front of the response stack and sends it upstream.
/// A TRIGGER passes through untouched until the last node, which sends the request it carries
/// back upstream toward the sender in a new flow and answers with that flow's response.
/// A node whose route to the destination has no next-hop router knows at once that it is the last
/// one. Requests passed on are sent again until answered, and a request received again is answered
/// from its first result (<see cref="AnsweredRequests"/>): a lost datagram costs a retransmission.
/// </summary>
internal sealed partial class SignalingService : IHostedService, IAsyncDisposable
{
    private readonly NodeConfiguration _options;
    private readonly Controller _controller;
    private readonly RequestAuthenticator _authenticator;
    private readonly IRouteLookup _routes;
    private readonly AnsweredRequests _answered;
    private readonly SignalingStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly ILogger<SignalingService> _logger;
    private readonly ISignalingTransportFactory _transports;
    private readonly ConcurrentDictionary<GistSessionId, TaskCompletionSource<NslpResponse?>> _waiting = new();
    private readonly ConcurrentDictionary<GistSessionId, NslpSegmentAssembler> _segments = new();
    private readonly CancellationTokenSource _stopping = new();
    private ISignalingTransport? _endpoint;
    private IDisposable? _interceptor;
    private bool _disposed;

    public SignalingService(IOptions<NodeConfiguration> options, Controller controller, RequestAuthenticator authenticator, IRouteLookup routes, SignalingStatistics statistics, ISignalingTransportFactory transports, TimeProvider time, ILogger<SignalingService> logger)
    {
        _statistics = statistics;
        _options = options.Value;
        _controller = controller;
        _authenticator = authenticator;
        _routes = routes;
        _answered = new AnsweredRequests(time, RequestAuthenticator.NonceMemory, _options.Signaling.AnsweredRequestsKept);
        _transports = transports;
        _time = time;
        _logger = logger;
    }

    private SignalingConfiguration Settings => _options.Signaling;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Settings.Enabled)
        {
            Log.Disabled(_logger);
            return Task.CompletedTask;
        }

        try
        {
            _endpoint = _transports.Start(
                new GistEndpointOptions
                {
                    Name = _options.NodeName,
                    DatagramPort = (ushort)Settings.Port,
                    QueryTimeout = TimeSpan.FromMilliseconds(Settings.QueryTimeoutMs),
                    QueryRetries = Settings.QueryRetries,
                    QueryMaxTimeout = TimeSpan.FromMilliseconds(Settings.QueryMaxTimeoutMs),
                    DestinationOnLink = Settings.OnLinkEndsPath ? IsOnLink : static _ => false,
                    RoutingStateValidity = TimeSpan.FromSeconds(Settings.RoutingStateSeconds),
                    MaxDatagramMessage = Settings.MaxDatagramBytes,
                    RouterAlertValue = (ushort)Settings.RouterAlertValue,
                },
                _time);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new InvalidOperationException($"signaling cannot start on port {Settings.Port}: {e.Message} (is another node using it? is netservd root?)", e);
        }

        _endpoint.Delivered = OnDeliveredAsync;
        _statistics.CountDropsWith(_endpoint.DiscardedFor);
        _endpoint.SessionStatus = OnSessionStatusAsync;
        if (Settings.Intercept)
        {
            try
            {
                _interceptor = _endpoint.InterceptQueries((ushort)Settings.Queue, _logger);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException($"signaling cannot intercept Queries on NFQUEUE {Settings.Queue}: {e.Message}", e);
            }
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed))
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _interceptor?.Dispose();
        _interceptor = null;
        if (_endpoint is not null)
        {
            _statistics.CountDropsWith(null);
            await _endpoint.DisposeAsync().ConfigureAwait(false);
            _endpoint = null;
        }
    }

    /// <summary>Stops and releases; safe to call more than once (the host disposes the service both as itself and as a hosted service).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (!Interlocked.Exchange(ref _disposed, true))
        {
            _stopping.Dispose();
        }
    }

    private Task OnSessionStatusAsync(SessionStatusAction status)
    {
        Log.SessionEnded(_logger, status.Session.ToString(), status.Outcome.ToString(), status.Detail);
        if (_waiting.TryRemove(status.Session, out var waiting))
        {
            waiting.TrySetResult(null);
        }

        return Task.CompletedTask;
    }

    private async Task OnDeliveredAsync(DeliverAction delivery)
    {
        try
        {
            await HandleDeliveryAsync(delivery).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Runs detached from the GIST loop: nothing else would see this.
            Log.HandlerFailed(_logger, delivery.Session.ToString(), e);
        }
    }

    private async Task HandleDeliveryAsync(DeliverAction delivery)
    {
        Log.Received(_logger, delivery.Session.ToString(), delivery.Direction.ToString(), delivery.Peer.Name, delivery.NslpData.Length);
        if (!NslpCodec.TryParsePadded(delivery.NslpData, out var message, out var error))
        {
            Log.Malformed(_logger, delivery.Peer.Name, error ?? "unknown");
            if (delivery.Direction == GistDirection.Downstream)
            {
                var refusal = new NslpResponse(NslpStatus.BadRequest);
                refusal.Headers.Add(NslpHeaderNames.Node, _options.NodeName);
                refusal.Headers.Add(NslpHeaderNames.Error, $"malformed NetServ NSLP message: {error}");
                SendUpstream(delivery, refusal);
            }

            return;
        }

        switch (message)
        {
            case NslpRequest request when delivery.Direction == GistDirection.Downstream:
                try
                {
                    var answer = _answered.GetOrStart(
                        RequestKey.Of(delivery.NslpData, delivery.Mri),
                        () => request.Method == NslpMethod.Trigger
                            ? HandleTriggerAsync(delivery, request)
                            : HandleRequestAsync(delivery.Session, delivery.Mri, request, delivery.NslpData, delivery.Peer),
                        out var repeated);
                    if (repeated && !answer.IsCompleted)
                    {
                        // The first copy is still being worked on; its answer goes upstream when ready.
                        _statistics.RepeatInProgress();
                        Log.RepeatInProgress(_logger, NslpRequest.MethodName(request.Method), request.Target, delivery.Peer.Name);
                        break;
                    }

                    if (repeated)
                    {
                        _statistics.RepeatAnswered();
                        Log.RepeatAnswered(_logger, NslpRequest.MethodName(request.Method), request.Target, delivery.Peer.Name);
                    }

                    SendUpstream(delivery, (await answer.ConfigureAwait(false)).ToMessage());
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                }

                break;
            case NslpResponse response when delivery.Direction == GistDirection.Upstream:
                if (!_segments.TryGetValue(delivery.Session, out var segments))
                {
                    break;
                }

                // A long answer comes in segments; the answer is whole with the last one.
                if (segments.Accept(response, out var segmentError) is not { } whole)
                {
                    if (segmentError is not null)
                    {
                        Log.Malformed(_logger, delivery.Peer.Name, segmentError);
                    }

                    break;
                }

                if (_waiting.TryRemove(delivery.Session, out var waiting))
                {
                    waiting.TrySetResult(whole);
                }

                break;
            default:
                Log.Unexpected(_logger, delivery.Peer.Name, delivery.Direction.ToString());
                break;
        }
    }

    /// <summary>Acts on a request here and passes it on; returns the response stack from here to the end of the path.</summary>
    private async Task<PathResponse> HandleRequestAsync(GistSessionId session, GistMessageRoutingInformation mri, NslpRequest request, byte[] wire, GistPeer upstream)
    {
        Log.Request(_logger, NslpRequest.MethodName(request.Method), request.Target, upstream.Name);
        var local = ActLocallyAsync(request, upstream);
        var downstream = await ForwardAsync(session, mri, wire).ConfigureAwait(false);
        var stack = ToStack(request, downstream);
        return stack.Prepend(await local.ConfigureAwait(false));
    }

    private async Task<PathResponse> HandleTriggerAsync(DeliverAction delivery, NslpRequest trigger)
    {
        Log.Request(_logger, "TRIGGER", trigger.Target, delivery.Peer.Name);
        var downstream = await ForwardAsync(delivery.Session, delivery.Mri, delivery.NslpData).ConfigureAwait(false);
        if (downstream is not null && PathResponse.TryParse(downstream, out var passed, out _))
        {
            // Not the last node: the TRIGGER's answer comes from further down; pass it on.
            return passed;
        }

        // The last NetServ node: the encapsulated request goes back toward the sender in a new flow.
        var me = _endpoint!.LocalAddressFor(delivery.Peer.Address).ToString();
        if (!_authenticator.TryAuthenticate(trigger, out _, out var authError))
        {
            return new PathResponse { Method = NslpMethod.Trigger, Target = trigger.Target, Nodes = [Result(me, NslpStatus.Unauthorized, authError)] };
        }

        if (!NslpCodec.TryParseWhole(trigger.Body.Span, out var inner, out var innerError) || inner is not NslpRequest { Method: NslpMethod.Setup or NslpMethod.Probe or NslpMethod.Remove } encapsulated)
        {
            return new PathResponse { Method = NslpMethod.Trigger, Target = trigger.Target, Nodes = [Result(me, NslpStatus.BadRequest, $"a TRIGGER carries a SETUP, REMOVE or PROBE in its body ({innerError ?? "it carries something else"})")] };
        }

        if (delivery.Mri is not GistPathCoupledMri flow)
        {
            return new PathResponse { Method = NslpMethod.Trigger, Target = trigger.Target, Nodes = [Result(me, NslpStatus.BadRequest, "a TRIGGER needs a path-coupled flow")] };
        }

        var reverse = new GistPathCoupledMri { SourceAddress = flow.DestinationAddress, DestinationAddress = flow.SourceAddress };
        Log.Triggered(_logger, NslpRequest.MethodName(encapsulated.Method), encapsulated.Target, flow.SourceAddress.ToString());
        var triggered = await HandleRequestAsync(GistEndpoint.NewSession(), reverse, encapsulated, NslpCodec.Encode(encapsulated), delivery.Peer).ConfigureAwait(false);
        return new PathResponse
        {
            Method = NslpMethod.Trigger,
            Target = trigger.Target,
            Nodes = [Result(me, NslpStatus.Ok, null, new JsonObject { ["triggered"] = $"{NslpRequest.MethodName(encapsulated.Method)} toward {flow.SourceAddress}" })],
            Triggered = triggered,
        };
    }

    /// <summary>
    /// Sends a request on downstream, again while no answer comes, and waits for the rest of the path;
    /// null when no further NetServ node answered (or none can be: the destination is on-link).
    /// </summary>
    private async Task<NslpResponse?> ForwardAsync(GistSessionId session, GistMessageRoutingInformation mri, byte[] wire)
    {
        var waiting = new TaskCompletionSource<NslpResponse?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[session] = waiting;
        _segments[session] = new NslpSegmentAssembler();
        var endpoint = _endpoint!;
        try
        {
            return await RequestRetransmission.SendUntilAnsweredAsync(
                waiting.Task,
                () => endpoint.Send(session, mri, GistDirection.Downstream, wire),
                Retransmission,
                TimeSpan.FromSeconds(Settings.RequestTimeoutSeconds),
                _time,
                _stopping.Token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _waiting.TryRemove(session, out _);
            var silent = new NslpResponse(NslpStatus.GatewayTimeout);
            silent.Headers.Add(NslpHeaderNames.Error, $"the next NetServ node accepted the request but did not answer within {Settings.RequestTimeoutSeconds} s");
            return silent;
        }
        finally
        {
            _segments.TryRemove(session, out _);
        }
    }

    private RetransmissionSchedule Retransmission => new()
    {
        Initial = TimeSpan.FromMilliseconds(Settings.RetransmitInitialMs),
        Max = TimeSpan.FromMilliseconds(Settings.RetransmitMaxMs),
    };

    /// <summary>Whether no router lies between this node and <paramref name="destination"/>: then it is the last NetServ node toward it.</summary>
    private bool IsOnLink(Ipv4Address destination)
    {
        if (!_routes.TryLookup(destination, out var route, out var error))
        {
            // Not knowing is not knowing it is the end: the Query decides, as before.
            Log.RouteUnknown(_logger, destination.ToString(), error ?? "unknown");
            return false;
        }

        if (route.HasNoNextHopRouter)
        {
            Log.LastByRoute(_logger, destination.ToString(), route.Kind.ToString());
        }

        return route.HasNoNextHopRouter;
    }

    /// <summary>What this node does with the request: authenticate it, then let the controller act.</summary>
    private async Task<NodeResult> ActLocallyAsync(NslpRequest request, GistPeer upstream)
    {
        var me = _endpoint!.LocalAddressFor(upstream.Address).ToString();
        if (!_authenticator.TryAuthenticate(request, out _, out var error))
        {
            Log.Refused(_logger, NslpRequest.MethodName(request.Method), request.Target, error);
            return Result(me, NslpStatus.Unauthorized, error);
        }

        var response = await _controller.HandleAsync(request, RequestOrigin.Signaling, _stopping.Token).ConfigureAwait(false);
        JsonObject? data = null;
        if (!response.Body.IsEmpty)
        {
            try
            {
                data = JsonNode.Parse(response.Body.Span) as JsonObject;
            }
            catch (JsonException)
            {
                data = new JsonObject { ["text"] = Encoding.UTF8.GetString(response.Body.Span) };
            }
        }
        else if (response.IsSuccess)
        {
            data = [];
            foreach (var (name, value) in response.Headers.Where(h => h.Key is not NslpHeaderNames.Node))
            {
                data[name] = value;
            }
        }

        return Result(me, response.StatusCode, response.Headers[NslpHeaderNames.Error], data);
    }

    private static PathResponse ToStack(NslpRequest request, NslpResponse? downstream)
    {
        if (downstream is null)
        {
            return new PathResponse { Method = request.Method, Target = request.Target };
        }

        if (PathResponse.TryParse(downstream, out var stack, out var error))
        {
            return stack;
        }

        // The next node answered, but not with a stack (an old node, or a refusal before it could act).
        return new PathResponse
        {
            Method = request.Method,
            Target = request.Target,
            Nodes = [new NodeResult { Node = downstream.Headers[NslpHeaderNames.Node] ?? "downstream", Address = string.Empty, Status = downstream.StatusCode, Error = downstream.Headers[NslpHeaderNames.Error] ?? error }],
        };
    }

    private NodeResult Result(string address, int status, string? error, JsonObject? data = null) =>
        new() { Node = _options.NodeName, Address = address, Status = status, Error = error, Data = data };

    private void SendUpstream(DeliverAction delivery, NslpResponse response)
    {
        // An answer longer than one GIST message can carry (the status of many nodes) goes in segments.
        var messages = NslpSegments.Encode(response);
        Log.Answering(_logger, delivery.Session.ToString(), response.StatusCode, delivery.Peer.Name, messages.Sum(m => m.Length), messages.Count);
        foreach (var message in messages)
        {
            _endpoint?.Send(delivery.Session, delivery.Mri, GistDirection.Upstream, message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(3101, LogLevel.Information, "Signaling is disabled in the configuration")]
        public static partial void Disabled(ILogger logger);

        [LoggerMessage(3102, LogLevel.Information, "Signaled {Method} {Target} from {Peer}")]
        public static partial void Request(ILogger logger, string method, string target, string peer);

        [LoggerMessage(3103, LogLevel.Warning, "Signaled {Method} {Target} refused: {Error}")]
        public static partial void Refused(ILogger logger, string method, string target, string? error);

        [LoggerMessage(3104, LogLevel.Warning, "Malformed NSLP message from {Peer}: {Error}")]
        public static partial void Malformed(ILogger logger, string peer, string error);

        [LoggerMessage(3105, LogLevel.Warning, "Unexpected NSLP message from {Peer} travelling {Direction}")]
        public static partial void Unexpected(ILogger logger, string peer, string direction);

        [LoggerMessage(3106, LogLevel.Information, "Last NetServ node for a TRIGGER: sending {Method} {Target} upstream toward {Sender}")]
        public static partial void Triggered(ILogger logger, string method, string target, string sender);

        [LoggerMessage(3108, LogLevel.Error, "Handling an NSLP message of session {Session} failed")]
        public static partial void HandlerFailed(ILogger logger, string session, Exception exception);

        [LoggerMessage(3109, LogLevel.Debug, "Session {Session}: NSLP message travelling {Direction} from {Peer} ({Length} bytes)")]
        public static partial void Received(ILogger logger, string session, string direction, string peer, int length);

        [LoggerMessage(3110, LogLevel.Debug, "Session {Session}: answering {Status} upstream to {Peer} ({Length} bytes in {Messages} messages)")]
        public static partial void Answering(ILogger logger, string session, int status, string peer, int length, int messages);

        [LoggerMessage(3111, LogLevel.Debug, "{Method} {Target} from {Peer} again while its first copy is being worked on: answered when that is done")]
        public static partial void RepeatInProgress(ILogger logger, string method, string target, string peer);

        [LoggerMessage(3112, LogLevel.Information, "{Method} {Target} from {Peer} again (its answer was lost): answered from the first result")]
        public static partial void RepeatAnswered(ILogger logger, string method, string target, string peer);

        [LoggerMessage(3113, LogLevel.Debug, "The route to {Destination} has no next-hop router ({Kind}): this node is the last NetServ node toward it")]
        public static partial void LastByRoute(ILogger logger, string destination, string kind);

        [LoggerMessage(3114, LogLevel.Warning, "No route look-up for {Destination} ({Error}): the Query toward it decides whether a NetServ node follows")]
        public static partial void RouteUnknown(ILogger logger, string destination, string error);

        [LoggerMessage(3107, LogLevel.Debug, "Session {Session}: {Outcome} ({Detail})")]
        public static partial void SessionEnded(ILogger logger, string session, string outcome, string detail);
    }
}
