using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NetServ.OpenFlow.Transport;

/// <summary>
/// Accepts switches that connect to the controller (ovs-vsctl set-controller br tcp:address:port), the usual
/// direction of an OpenFlow channel.
/// </summary>
public sealed class OpenFlowListener : IDisposable
{
    private readonly Socket _socket;
    private readonly IOptions<OpenFlowConnectionOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<OpenFlowConnection> _logger;

    /// <summary>Listens at <paramref name="endPoint"/> (port 0: any free port, see <see cref="LocalEndPoint"/>).</summary>
    /// <exception cref="SocketException">The address cannot be bound.</exception>
    public OpenFlowListener(IPEndPoint endPoint, IOptions<OpenFlowConnectionOptions> options, TimeProvider timeProvider, ILogger<OpenFlowConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(options);
        options.Value.Validate();
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _socket.Bind(endPoint);
            _socket.Listen();
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>The next switch's connection, not yet started: the caller runs <see cref="OpenFlowConnection.StartAsync"/>.</summary>
    public async Task<OpenFlowConnection> AcceptAsync(CancellationToken cancellationToken)
    {
        var socket = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
        socket.NoDelay = true;
        return new OpenFlowConnection(new NetworkStream(socket, ownsSocket: true), _options, _timeProvider, _logger, socket.RemoteEndPoint?.ToString());
    }

    public void Dispose() => _socket.Dispose();
}
