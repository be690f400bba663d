using NetServ.Networking;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;

namespace NetServ.Signaling.Transport;

/// <summary>
/// A user's side of a request, in one place: puts the user's name on it, signs it with the user's
/// key, sends it toward a destination through a <see cref="SignalingClient"/> and reads the response
/// stack the NetServ nodes on the path send back. The CLI, the applications' servers, the testbed
/// and the benchmarks send through it. It owns neither the client nor the key.
/// </summary>
public sealed class SignedRequestClient
{
    private readonly SignalingClient _client;
    private readonly UserPrivateKey _key;
    private readonly TimeProvider _time;

    public SignedRequestClient(SignalingClient client, string user, UserPrivateKey key, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        User = user;
        _key = key;
        _time = time;
    }

    /// <summary>The NetServ user the requests are sent as.</summary>
    public string User { get; }

    /// <summary>Puts the user's name on <paramref name="request"/> and signs it (a fresh nonce and timestamp each time); returns it.</summary>
    public NslpRequest Sign(NslpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers[NslpHeaderNames.User] = User;
        NslpSignature.Sign(request, _key, _time);
        return request;
    }

    /// <summary>Signs <paramref name="request"/> and wraps it in a signed TRIGGER (<see cref="NslpRequests.Trigger"/>).</summary>
    public NslpRequest SignTrigger(NslpRequest request) => Sign(NslpRequests.Trigger(Sign(request)));

    /// <summary>Signs <paramref name="request"/> and sends it toward <paramref name="destination"/>; returns the path's answer as it came.</summary>
    /// <exception cref="SignalingException">No answer came within <paramref name="timeout"/>.</exception>
    public Task<NslpResponse> SendAsync(Ipv4Address destination, NslpRequest request, TimeSpan timeout, CancellationToken cancellationToken) =>
        _client.SendAsync(destination, Sign(request), timeout, cancellationToken);

    /// <summary>Signs and sends <paramref name="request"/>, and reads the response stack of the nodes on the path.</summary>
    /// <exception cref="SignalingException">
    /// No answer came, or the answer carries no response stack; the message says which request,
    /// toward where, and the status and error of such an answer, which <see cref="SignalingException.Response"/> holds.
    /// </exception>
    public async Task<PathResponse> SendForPathAsync(Ipv4Address destination, NslpRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var response = await SendAsync(destination, request, timeout, cancellationToken).ConfigureAwait(false);
        return PathResponse.TryParse(response, out var stack, out var error)
            ? stack
            : throw new SignalingException($"{NslpRequest.MethodName(request.Method)} toward {destination}: {response.StatusCode} {response.Reason} {response.Headers[NslpHeaderNames.Error] ?? error}")
            {
                Response = response,
            };
    }
}
