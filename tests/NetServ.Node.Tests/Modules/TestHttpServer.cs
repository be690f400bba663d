using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NetServ.Node.Tests.Modules;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 whose every path behaves in one chosen way, including
/// the ways a real server misbehaves (slow, too large, cut short). One request per connection.
/// </summary>
internal sealed class TestHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, Func<Stream, CancellationToken, Task>> _routes = new(StringComparer.Ordinal);
    private readonly Task _accepting;

    public TestHttpServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How often each path was asked for.</summary>
    public ConcurrentDictionary<string, int> Hits { get; } = new(StringComparer.Ordinal);

    public Uri Url(string path) => new($"http://127.0.0.1:{Port}{path}");

    /// <summary>Serves <paramref name="body"/> with a Content-Length, or chunk by chunk without one.</summary>
    public void File(string path, byte[] body, bool announceLength = true) => _routes[path] = async (stream, token) =>
    {
        var length = announceLength ? $"Content-Length: {body.Length}\r\n" : string.Empty;
        await WriteAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n{length}Connection: close\r\n\r\n", token);
        for (var offset = 0; offset < body.Length; offset += 8192)
        {
            await stream.WriteAsync(body.AsMemory(offset, Math.Min(8192, body.Length - offset)), token);
        }
    };

    public void NotFound(string path) => _routes[path] = (stream, token) =>
        WriteAsync(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", token);

    /// <summary>Announces a body (large by default), sends two bytes of it, then nothing more until the server stops.</summary>
    public void Stall(string path, int announced = 50000) => _routes[path] = async (stream, token) =>
    {
        await WriteAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Length: {announced}\r\nConnection: close\r\n\r\nPK", token);
        await stream.FlushAsync(token);
        await Task.Delay(Timeout.Infinite, token);
    };

    /// <summary>Announces <paramref name="announced"/> bytes, sends <paramref name="sent"/>, and closes the connection.</summary>
    public void CutShort(string path, int announced, int sent) => _routes[path] = async (stream, token) =>
    {
        await WriteAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Length: {announced}\r\nConnection: close\r\n\r\n", token);
        await stream.WriteAsync(new byte[sent], token);
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private static Task WriteAsync(Stream stream, string text, CancellationToken token) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(text), token).AsTask();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var request = new StringBuilder();
            var buffer = new byte[4096];
            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            var path = request.ToString().Split(' ')[1];
            Hits.AddOrUpdate(path, 1, (_, n) => n + 1);
            if (_routes.TryGetValue(path, out var route))
            {
                await route(stream, _stop.Token);
            }
            else
            {
                await WriteAsync(stream, "HTTP/1.1 500 No Route\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            // The client went away or the server is stopping.
        }
    }
}
