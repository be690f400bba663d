using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NetServ.Networking;
using NetServ.Signaling.Gist;
using NetServ.Signaling.Nslp;

namespace NetServ.Signaling.Transport;

/// <summary>Why a signaled request got no answer.</summary>
public sealed class SignalingException : Exception
{
    public SignalingException()
    {
    }

    public SignalingException(string message)
        : base(message)
    {
    }

    public SignalingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>No NetServ node answered on the path at all (as opposed to an answer that was too slow).</summary>
    public bool NoNodeOnPath { get; init; }

    /// <summary>The answer, when one came but carried no response stack (a node refused the request before it could build one).</summary>
    public NslpResponse? Response { get; init; }
}

/// <summary>How a <see cref="SignalingClient"/> discovers the first node and retransmits its requests.</summary>
public sealed record SignalingClientOptions
{
    /// <summary>The client's identity in signaling.</summary>
    public required string Name { get; init; }

    /// <summary>How long the first Query waits for a Response before it is sent again (doubling each time).</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the Query is sent again before the client concludes no NetServ node is on the path.</summary>
    public int QueryRetries { get; init; } = 2;

    /// <summary>The doubling of the Query timeout stops here.</summary>
    public TimeSpan QueryMaxTimeout { get; init; } = TimeSpan.FromSeconds(64);

    /// <summary>When a request whose answer has not come is sent again.</summary>
    public RetransmissionSchedule Retransmission { get; init; } = new();

    /// <summary>The IPv4 Router Alert value the Queries carry (RFC 5971 5.3.2: the NSLP's own); NetServ's by default.</summary>
    public ushort RouterAlertValue { get; init; } = GistConstants.NetServRouterAlertValue;
}

/// <summary>
/// The sender's side of signaling (a content provider, the netserv CLI): sends a request toward a
/// destination in a GIST Query and waits for the response stack the path sends back. It answers
/// no Queries itself. Its sockets live in the network namespace of the process that starts it.
/// </summary>
public sealed class SignalingClient : IAsyncDisposable
{
    private readonly GistEndpoint _endpoint;
    private readonly RetransmissionSchedule _retransmission;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<GistSessionId, TaskCompletionSource<NslpResponse>> _waiting = new();
    private readonly ConcurrentDictionary<GistSessionId, NslpSegmentAssembler> _segments = new();

    private SignalingClient(GistEndpoint endpoint, RetransmissionSchedule retransmission, TimeProvider time)
    {
        _endpoint = endpoint;
        _retransmission = retransmission;
        _time = time;
        _endpoint.Delivered = OnDeliveredAsync;
        _endpoint.SessionStatus = OnStatusAsync;
    }

    /// <summary>Opens a client endpoint on a free UDP port.</summary>
    public static SignalingClient Start(string name, ILogger logger, TimeProvider time, TimeSpan? queryTimeout = null, int queryRetries = 2) =>
        Start(new SignalingClientOptions { Name = name, QueryTimeout = queryTimeout ?? TimeSpan.FromMilliseconds(500), QueryRetries = queryRetries }, logger, time);

    /// <summary>Opens a client endpoint on a free UDP port, with its Query and retransmission timing.</summary>
    public static SignalingClient Start(SignalingClientOptions options, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Retransmission.Validate();
        return new(
            GistEndpoint.Start(
                new GistEndpointOptions
                {
                    Name = options.Name,
                    DatagramPort = 0,
                    AcceptStreams = false,
                    Responder = false,
                    QueryTimeout = options.QueryTimeout,
                    QueryRetries = options.QueryRetries,
                    QueryMaxTimeout = options.QueryMaxTimeout,
                    RouterAlertValue = options.RouterAlertValue,
                },
                logger,
                time),
            options.Retransmission,
            time);
    }

    /// <summary>The local address the path toward <paramref name="destination"/> sees this client at.</summary>
    public Ipv4Address LocalAddressFor(Ipv4Address destination) => _endpoint.LocalAddressFor(destination);

    /// <summary>
    /// Sends <paramref name="request"/> toward <paramref name="destination"/> and waits for the response,
    /// sending the same bytes again in the same session while none comes (a lost datagram costs one
    /// retransmission interval; the nodes answer a repeated request from their first result).
    /// </summary>
    /// <exception cref="SignalingException">No NetServ node is on the path, or the path did not answer in time.</exception>
    public async Task<NslpResponse> SendAsync(Ipv4Address destination, NslpRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var session = GistEndpoint.NewSession();
        var mri = new GistPathCoupledMri { SourceAddress = _endpoint.LocalAddressFor(destination), DestinationAddress = destination };
        var waiting = new TaskCompletionSource<NslpResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[session] = waiting;
        _segments[session] = new NslpSegmentAssembler();
        var bytes = NslpCodec.Encode(request);
        try
        {
            return await RequestRetransmission.SendUntilAnsweredAsync(waiting.Task, () => _endpoint.Send(session, mri, GistDirection.Downstream, bytes), _retransmission, timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new SignalingException($"the path toward {destination} did not answer within {timeout.TotalSeconds:0.#} s", e);
        }
        finally
        {
            _waiting.TryRemove(session, out _);
            _segments.TryRemove(session, out _);
        }
    }

    public ValueTask DisposeAsync() => _endpoint.DisposeAsync();

    private Task OnDeliveredAsync(DeliverAction delivery)
    {
        if (_waiting.TryGetValue(delivery.Session, out var waiting) && _segments.TryGetValue(delivery.Session, out var segments))
        {
            if (NslpCodec.TryParsePadded(delivery.NslpData, out var message, out var error) && message is NslpResponse response)
            {
                // A long answer comes in segments; the answer is whole with the last one.
                if (segments.Accept(response, out var segmentError) is { } whole)
                {
                    waiting.TrySetResult(whole);
                }
                else if (segmentError is not null)
                {
                    waiting.TrySetException(new SignalingException($"{delivery.Peer.Name} answered with a broken segmented response: {segmentError}"));
                }
            }
            else
            {
                waiting.TrySetException(new SignalingException($"{delivery.Peer.Name} answered with something that is not a NetServ response: {error ?? "a request"}"));
            }
        }

        return Task.CompletedTask;
    }

    private Task OnStatusAsync(SessionStatusAction status)
    {
        if (_waiting.TryGetValue(status.Session, out var waiting))
        {
            waiting.TrySetException(status.Outcome == GistSessionOutcome.NoPeerFound
                ? new SignalingException($"no NetServ node on the path answered ({status.Detail})") { NoNodeOnPath = true }
                : new SignalingException(status.Detail));
        }

        return Task.CompletedTask;
    }
}
