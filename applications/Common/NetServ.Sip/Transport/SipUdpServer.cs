using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetServ.Networking;

namespace NetServ.Sip.Transport;

/// <summary>Handles one datagram a <see cref="SipUdpServer"/> received; it answers through the server.</summary>
/// <param name="server">The server: its reply buffer, and the socket to answer and send from.</param>
/// <param name="datagram">What came, valid until the returned task completes (the server reuses its buffer).</param>
/// <param name="cancellationToken">Set when the server stops.</param>
public delegate ValueTask SipUdpHandler(SipUdpServer server, SipUdpDatagram datagram, CancellationToken cancellationToken);

/// <summary>A datagram a SIP server received, and from where.</summary>
/// <param name="Payload">The datagram's bytes, in the server's receive buffer.</param>
/// <param name="Agent">The source address and port.</param>
public readonly record struct SipUdpDatagram(ReadOnlyMemory<byte> Payload, IPEndPoint Agent)
{
    /// <summary>The source as SIP's transport sees it, what <see cref="SipResponseWriter"/> takes.</summary>
    public SipEndpoint Source => new(Ipv4Address.FromIPAddress(Agent.Address), (ushort)Agent.Port);
}

/// <summary>
/// The UDP socket loop of the SIP application servers (keepalive-server, overload-server,
/// mediarelay-server): receives one datagram at a time, hands it to a <see cref="SipUdpHandler"/>,
/// and sends what the handler answers. The SIP logic stays in the handler; the loop only moves bytes,
/// and keeps serving whatever one datagram, one handler call or one send does.
/// </summary>
public sealed partial class SipUdpServer : IDisposable
{
    /// <summary>Room for any UDP datagram, received or answered.</summary>
    private const int BufferSize = 65536;

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly byte[] _receive = new byte[BufferSize];
    private readonly byte[] _reply = new byte[BufferSize];
    private readonly List<Task> _background = [];

    private SipUdpServer(Socket socket, ILogger logger)
    {
        _socket = socket;
        _logger = logger;
    }

    /// <summary>Where the server listens (the port chosen when it was bound to port 0).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Where a handler writes its reply before <see cref="ReplyAsync"/>; one reply at a time, as the loop handles one datagram at a time.</summary>
    public Span<byte> ReplyBuffer => _reply;

    /// <summary>Binds a UDP socket to <paramref name="listen"/>.</summary>
    public static SipUdpServer Bind(IPEndPoint listen, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(listen);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new SipUdpServer(socket, logger);
    }

    /// <summary>
    /// Hands every datagram to <paramref name="handler"/>, one at a time, until <paramref name="cancellationToken"/>
    /// is set; then waits for the work passed to <see cref="RunInBackground"/>.
    /// </summary>
    public async Task RunAsync(SipUdpHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(_receive, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException)
            {
                // An ICMP error for something sent to an agent or node that is gone: the socket is still good.
                continue;
            }

            var agent = (IPEndPoint)received.RemoteEndPoint;
            try
            {
                await handler(this, new SipUdpDatagram(_receive.AsMemory(0, received.ReceivedBytes), agent), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // One message gone wrong must not end the server.
                Log.HandlerFailed(_logger, agent.ToString(), e);
            }
        }

        try
        {
            await Task.WhenAll(_background).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Sends the first <paramref name="length"/> bytes of <see cref="ReplyBuffer"/> to <paramref name="destination"/>.</summary>
    public ValueTask ReplyAsync(int length, SipEndpoint destination, CancellationToken cancellationToken) =>
        SendAsync(_reply.AsMemory(0, length), new IPEndPoint(destination.Address.ToIPAddress(), destination.Port), cancellationToken);

    /// <summary>Sends <paramref name="payload"/> from the server's socket; a send that fails is logged, not thrown, so one unreachable agent does not end the server.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> payload, IPEndPoint destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        try
        {
            await _socket.SendToAsync(payload, SocketFlags.None, destination, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            Log.SendFailed(_logger, destination.ToString(), e.SocketErrorCode.ToString());
        }
    }

    /// <summary>Work a handler started and need not wait for (signaling, say); <see cref="RunAsync"/> waits for it before it returns.</summary>
    public void RunInBackground(Task work) => _background.Add(work);

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "handling a SIP message from {Agent} failed")]
        public static partial void HandlerFailed(ILogger logger, string agent, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "sending to {Destination} failed: {Error}")]
        public static partial void SendFailed(ILogger logger, string destination, string error);
    }
}
