using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace NetServ.Signaling.Transport;

/// <summary>
/// A TCP messaging association: messages are queued and written in order by one writer, so
/// nothing interleaves, and messages sent before the connection is up wait for it.
/// </summary>
internal sealed class GistConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly Channel<byte[]> _outbound = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _closed = new();
    private NetworkStream? _stream;

    private GistConnection(Socket socket) => _socket = socket;

    public static GistConnection Accepted(Socket socket)
    {
        var connection = new GistConnection(socket);
        connection.Start();
        return connection;
    }

    public static GistConnection Connecting() => new(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));

    public async Task ConnectAsync(IPEndPoint endPoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        deadline.CancelAfter(timeout);
        await _socket.ConnectAsync(endPoint, deadline.Token).ConfigureAwait(false);
        Start();
    }

    /// <summary>Queues a message; false once the connection is closed.</summary>
    public bool TrySend(byte[] message) => _outbound.Writer.TryWrite(message);

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await _connected.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await _stream!.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _outbound.Writer.TryComplete();
        _closed.Cancel();
        _connected.TrySetException(new ObjectDisposedException(nameof(GistConnection)));
        _stream?.Dispose();
        _socket.Dispose();
        _closed.Dispose();
    }

    private void Start()
    {
        _stream = new NetworkStream(_socket, ownsSocket: false);
        _connected.TrySetResult();
        _ = Task.Run(WriteLoopAsync);
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var message in _outbound.Reader.ReadAllAsync(_closed.Token).ConfigureAwait(false))
            {
                await _stream!.WriteAsync(message, _closed.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            _outbound.Writer.TryComplete();
        }
    }
}
