using System.Buffers;
using System.Net.Sockets;
using NetServ.Signaling.Nslp;

namespace NetServ.Signaling.Transport;

/// <summary>
/// Sends NSLP requests over a stream socket and reads the responses: the client of netservd's
/// admin socket. Only moves bytes; the codec does the parsing.
/// </summary>
public sealed class NslpStreamClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly ArrayBufferWriter<byte> _received = new();

    private NslpStreamClient(Socket socket) => _socket = socket;

    /// <summary>Connects to a Unix socket such as /run/netserv/netservd.sock.</summary>
    /// <exception cref="IOException">Nothing listens there; the message says what to check.</exception>
    public static async Task<NslpStreamClient> ConnectUnixAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            return new NslpStreamClient(socket);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"cannot reach netservd at {path}: {e.Message} (is netservd running, and are you root?)", e);
        }
    }

    /// <summary>Sends <paramref name="request"/> and waits for the response.</summary>
    /// <exception cref="IOException">The connection closed, or the peer sent something that is not a response.</exception>
    public async Task<NslpResponse> SendAsync(NslpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await ExchangeAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new IOException($"the connection to the peer broke: {e.Message}", e);
        }
    }

    private async Task<NslpResponse> ExchangeAsync(NslpRequest request, CancellationToken cancellationToken)
    {
        var bytes = NslpCodec.Encode(request);
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }

        var chunk = new byte[8192];
        while (true)
        {
            var status = NslpCodec.TryParse(_received.WrittenSpan, out var consumed, out var message, out var error);
            if (status == NslpParseStatus.Complete)
            {
                var rest = _received.WrittenSpan[consumed..].ToArray();
                _received.Clear();
                _received.Write(rest);
                return message as NslpResponse ?? throw new IOException("the peer sent a request where a response was expected");
            }

            if (status == NslpParseStatus.Invalid)
            {
                throw new IOException($"the peer sent a malformed response: {error}");
            }

            var read = await _socket.ReceiveAsync(chunk, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("the connection closed before the response was complete");
            }

            _received.Write(chunk.AsSpan(0, read));
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
