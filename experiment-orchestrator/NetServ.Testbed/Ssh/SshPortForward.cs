using System.Net;
using System.Net.Sockets;
using Renci.SshNet;

namespace NetServ.Testbed.Ssh;

/// <summary>A local port forward of an <see cref="SshNodeSession"/>: a listener on 127.0.0.1 that the node's sshd connects onward.</summary>
internal sealed class SshPortForward(SshClient client, ForwardedPortLocal port, IPEndPoint nodeEndPoint, string nodeName) : INodePortForward
{
    /// <inheritdoc />
    public IPEndPoint NodeEndPoint => nodeEndPoint;

    /// <inheritdoc />
    public IPEndPoint EndPoint { get; } = new(IPAddress.Loopback, (int)port.BoundPort);

    /// <inheritdoc />
    public async Task<Socket> ConnectAsync(CancellationToken cancellationToken = default)
    {
        if (!port.IsStarted || !client.IsConnected)
        {
            throw new NodeUnreachableException(nodeName, "the SSH connection that carried the port forward is gone");
        }

        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(EndPoint, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Stops the listener and closes the connections through it.</summary>
    public ValueTask DisposeAsync()
    {
        try
        {
            port.Stop();
            client.RemoveForwardedPort(port);
        }
        catch (ObjectDisposedException)
        {
            // The session, and with it the forward, ended first.
        }

        port.Dispose();
        return ValueTask.CompletedTask;
    }
}
