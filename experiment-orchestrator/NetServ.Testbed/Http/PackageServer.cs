using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Http;

/// <summary>
/// A small HTTP/1.1 file server, for a content provider that offers module packages: GET and HEAD
/// of files in one folder. It can listen inside a network namespace, which is why it works on a
/// socket of its own rather than a framework server.
/// </summary>
public sealed class PackageServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string _root;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    private PackageServer(Socket listener, string root)
    {
        _listener = listener;
        _root = Path.GetFullPath(root);
        _loop = AcceptLoop.RunAsync(listener, ServeAsync, _stop.Token);
    }

    /// <summary>The address and port the server listens on.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>How many requests have been answered.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Serves <paramref name="root"/> on <paramref name="address"/>:<paramref name="port"/> (0: any free port), inside <paramref name="ns"/> when given.</summary>
    public static PackageServer Start(string root, IPAddress address, int port = 0, NetworkNamespace? ns = null)
    {
        var socket = ns is null
            ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            : ns.CreateSocket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(64);
            return new PackageServer(socket, root);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The URL of <paramref name="fileName"/> on this server.</summary>
    public Uri UrlOf(string fileName) => new($"http://{EndPoint.Address}:{EndPoint.Port}/{Uri.EscapeDataString(fileName)}");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        using var stream = new NetworkStream(client);
        try
        {
            var head = new StringBuilder();
            var buffer = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 8192)
            {
                if (await stream.ReadAsync(buffer, _stop.Token).ConfigureAwait(false) == 0)
                {
                    return;
                }

                head.Append((char)buffer[0]);
            }

            var requestLine = head.ToString().Split("\r\n")[0].Split(' ');
            Interlocked.Increment(ref _requests);
            if (requestLine.Length < 2 || (requestLine[0] != "GET" && requestLine[0] != "HEAD"))
            {
                await WriteAsync(stream, "405 Method Not Allowed", []).ConfigureAwait(false);
                return;
            }

            var name = Uri.UnescapeDataString(requestLine[1].TrimStart('/').Split('?')[0]);
            var path = Path.GetFullPath(Path.Combine(_root, name));
            if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(path))
            {
                await WriteAsync(stream, "404 Not Found", []).ConfigureAwait(false);
                return;
            }

            var body = await File.ReadAllBytesAsync(path, _stop.Token).ConfigureAwait(false);
            await WriteAsync(stream, "200 OK", requestLine[0] == "HEAD" ? [] : body, body.Length).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
        }
    }

    private static async Task WriteAsync(NetworkStream stream, string status, byte[] body, long? length = null)
    {
        var header = string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 {status}\r\nContent-Length: {length ?? body.Length}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(header)).ConfigureAwait(false);
        await stream.WriteAsync(body).ConfigureAwait(false);
    }
}
