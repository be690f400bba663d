using System.Net;
using System.Net.Sockets;

namespace NetServ.Testbed;

/// <summary>
/// A TCP port of a node made reachable from the orchestrator by <see cref="INodeSession.ForwardPortAsync"/>;
/// disposing it ends the forward (connections open through it may end with it).
/// </summary>
public interface INodePortForward : IAsyncDisposable
{
    /// <summary>The port as the node sees it.</summary>
    IPEndPoint NodeEndPoint { get; }

    /// <summary>
    /// Where the orchestrator's connections go: over SSH, a listener on the orchestrator's loopback. For a
    /// node the orchestrator enters directly (a network namespace), <see cref="NodeEndPoint"/> itself, which
    /// is reached from a socket opened inside the node: use <see cref="ConnectAsync"/>, which does that.
    /// </summary>
    IPEndPoint EndPoint { get; }

    /// <summary>Opens a TCP connection to the node's port, the way this forward reaches it; the caller owns the socket.</summary>
    /// <exception cref="SocketException">Nothing listens there, or the node did not answer.</exception>
    /// <exception cref="NodeUnreachableException">The node cannot be reached.</exception>
    Task<Socket> ConnectAsync(CancellationToken cancellationToken = default);
}
