using System.Net;
using System.Net.Sockets;

namespace NetServ.Testbed.Linux;

/// <summary>
/// The "forward" of a node the orchestrator reaches without a tunnel (this machine, a namespace on it):
/// the node's own endpoint, connected from a socket made where the node is (<c>createSocket</c>).
/// </summary>
internal sealed class DirectPortForward(IPEndPoint endPoint, Func<AddressFamily, Socket> createSocket) : INodePortForward
{
    /// <inheritdoc />
    public IPEndPoint NodeEndPoint => endPoint;

    /// <inheritdoc />
    public IPEndPoint EndPoint => endPoint;

    /// <inheritdoc />
    public async Task<Socket> ConnectAsync(CancellationToken cancellationToken = default)
    {
        var socket = createSocket(endPoint.AddressFamily);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Nothing to end: no tunnel was opened.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
