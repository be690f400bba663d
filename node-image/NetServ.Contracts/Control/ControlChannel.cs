using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text.Json;

namespace NetServ.Contracts.Control;

/// <summary>
/// Frames control messages over a connected stream socket: a 4-byte big-endian length, then the
/// message as UTF-8 JSON. Sends are serialised so several tasks may send at once; receives must
/// come from one reader.
/// </summary>
internal sealed class ControlChannel : IAsyncDisposable
{
    /// <summary>The largest frame either side accepts.</summary>
    public const int MaxFrameLength = 16 << 20;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly byte[] _lengthBuffer = new byte[4];

    public ControlChannel(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public Socket Socket => _socket;

    public async Task SendAsync(ControlMessage message, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(message, ControlJsonContext.Default.ControlMessage);
        if (json.Length > MaxFrameLength)
        {
            throw new InvalidOperationException($"control message of {json.Length} bytes exceeds {MaxFrameLength}");
        }

        var frame = new byte[4 + json.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, json.Length);
        json.CopyTo(frame, 4);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Reads the next message; <see langword="null"/> when the peer closed the connection.</summary>
    /// <exception cref="InvalidDataException">The peer sent a frame that is not a control message.</exception>
    public async Task<ControlMessage?> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (!await ReadExactlyOrEndAsync(_lengthBuffer, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(_lengthBuffer);
        if (length is <= 0 or > MaxFrameLength)
        {
            throw new InvalidDataException($"control frame length {length} is out of range");
        }

        var payload = new byte[length];
        if (!await ReadExactlyOrEndAsync(payload, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidDataException("control connection closed inside a frame");
        }

        try
        {
            return JsonSerializer.Deserialize(payload, ControlJsonContext.Default.ControlMessage)
                ?? throw new InvalidDataException("control frame holds null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"control frame is not a control message: {e.Message}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _sendLock.Dispose();
    }

    private async Task<bool> ReadExactlyOrEndAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _stream.ReadAsync(buffer[read..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return read == 0 ? false : throw new InvalidDataException("control connection closed inside a frame");
            }

            read += n;
        }

        return true;
    }
}
