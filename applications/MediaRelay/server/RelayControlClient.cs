using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NetServ.Apps.MediaRelay.Server;

/// <summary>Speaks the module's UDP control protocol (one request per datagram), sending again when no answer comes.</summary>
internal sealed class RelayControlClient(int controlPort, TimeSpan timeout, int attempts = 3) : IRelayControl
{
    public async Task<RelayAllocation?> AllocateAsync(IPAddress relay, string callId, CancellationToken cancellationToken)
    {
        var answer = await RequestAsync(relay, $"ALLOCATE {callId}", cancellationToken).ConfigureAwait(false);
        return answer is not null && RelayAllocation.TryParse(answer, relay, out var allocation) ? allocation : null;
    }

    public async Task<bool> ReleaseAsync(IPAddress relay, string callId, CancellationToken cancellationToken) =>
        await RequestAsync(relay, $"RELEASE {callId}", cancellationToken).ConfigureAwait(false) is { } answer && answer.StartsWith("OK ", StringComparison.Ordinal);

    private async Task<string?> RequestAsync(IPAddress relay, string request, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var destination = new IPEndPoint(relay, controlPort);
        var buffer = new byte[512];
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            await socket.SendToAsync(Encoding.ASCII.GetBytes(request), destination, cancellationToken).ConfigureAwait(false);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(timeout);
            try
            {
                // ALLOCATE is idempotent per call, so a late answer to an earlier attempt is as good.
                var length = await socket.ReceiveAsync(buffer, wait.Token).ConfigureAwait(false);
                return Encoding.ASCII.GetString(buffer, 0, length);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }

        return null;
    }
}
