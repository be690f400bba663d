using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NetServ.Testbed.Http;

/// <summary>
/// A small HTTP forward proxy through which a node reaches the Debian mirror (apt's <c>Acquire::http::Proxy</c>): the
/// testbed's nodes have no route off the machine and no resolver, this machine has both. It listens on one address (this
/// machine's end of a node's control link) and forwards GET and HEAD of absolute <c>http:</c> URLs with an
/// <see cref="HttpClient"/>; CONNECT and every other method are refused with 405, anything unreadable with 400, an origin
/// that does not answer with 502. Requests on one connection are answered in order (apt pipelines them).
/// </summary>
public sealed partial class ForwardProxy : IAsyncDisposable
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    private readonly Socket _listener;
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _forwarded;
    private int _refused;

    private ForwardProxy(Socket listener, HttpClient http, ILogger logger)
    {
        _listener = listener;
        _http = http;
        _logger = logger;
        _loop = AcceptLoop.RunAsync(listener, ServeAsync, _stop.Token);
    }

    /// <summary>The address and port the proxy listens on.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>The URL to give apt (<c>http://ADDRESS:PORT/</c>).</summary>
    public Uri Url => new(string.Create(CultureInfo.InvariantCulture, $"http://{EndPoint.Address}:{EndPoint.Port}/"));

    /// <summary>How many requests were forwarded (whatever the origin answered).</summary>
    public int Forwarded => Volatile.Read(ref _forwarded);

    /// <summary>How many requests were refused or unreadable.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>The apt configuration line that sends apt's http: requests through this proxy.</summary>
    public string AptConfiguration => $"Acquire::http::Proxy \"{Url}\";\n";

    /// <summary>Starts a proxy on <paramref name="address"/>:<paramref name="port"/> (0: any free port).</summary>
    public static ForwardProxy Start(IPAddress address, int port = 0, ILogger<ForwardProxy>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(64);
            // Bytes pass through as the origin sent them: no decompression, no redirects followed for the client.
            var http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, AllowAutoRedirect = false })
            {
                Timeout = Timeout.InfiniteTimeSpan,
            };
            return new ForwardProxy(socket, http, (ILogger?)logger ?? NullLogger.Instance);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Stops listening and ends the connections being served.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        using var stream = new NetworkStream(client);
        var buffer = new byte[ProxyRequestParser.MaxHeadBytes];
        var filled = 0;
        try
        {
            while (true)
            {
                var status = ProxyRequestParser.TryParse(buffer.AsSpan(0, filled), out var request, out var consumed);
                if (status == ProxyParseStatus.NeedMore)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    idle.CancelAfter(IdleTimeout);
                    var read = await stream.ReadAsync(buffer.AsMemory(filled), idle.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    filled += read;
                    continue;
                }

                Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;
                if (status != ProxyParseStatus.Forward)
                {
                    Interlocked.Increment(ref _refused);
                    Log.Refused(_logger, request!.Method, request.Problem!);
                    await WriteErrorAsync(stream, status == ProxyParseStatus.Refused ? "405 Method Not Allowed" : "400 Bad Request", request.Problem!).ConfigureAwait(false);
                    return;
                }

                Interlocked.Increment(ref _forwarded);
                if (!await ForwardAsync(stream, request!).ConfigureAwait(false) || !request!.KeepAlive)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            // The node closed the connection, went idle, or the proxy stops.
        }
    }

    /// <summary>Forwards one request and writes the origin's answer; false when the connection must close after it.</summary>
    private async Task<bool> ForwardAsync(NetworkStream stream, ProxyRequest request)
    {
        using var message = new HttpRequestMessage(request.IsHead ? HttpMethod.Head : HttpMethod.Get, request.Target);
        foreach (var (name, value) in request.Headers.Where(h => !ProxyRequestParser.IsHopByHop(h.Key)))
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, _stop.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            Log.OriginFailed(_logger, request.Target!.ToString(), e.Message);
            await WriteErrorAsync(stream, "502 Bad Gateway", $"{request.Target} does not answer: {e.Message}").ConfigureAwait(false);
            return false;
        }

        using (response)
        {
            var length = response.Content.Headers.ContentLength;
            var head = new StringBuilder();
            head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {(int)response.StatusCode} {response.ReasonPhrase}\r\n");
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!ProxyRequestParser.IsHopByHop(name) && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    head.Append(CultureInfo.InvariantCulture, $"{name}: {string.Join(", ", values)}\r\n");
                }
            }

            // Without a length the end of the body is the end of the connection.
            var keep = length is not null || request.IsHead;
            if (length is not null)
            {
                head.Append(CultureInfo.InvariantCulture, $"Content-Length: {length}\r\n");
            }

            head.Append(keep ? "\r\n" : "Connection: close\r\n\r\n");
            await stream.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()), _stop.Token).ConfigureAwait(false);
            if (!request.IsHead)
            {
                var body = await response.Content.ReadAsStreamAsync(_stop.Token).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    await body.CopyToAsync(stream, _stop.Token).ConfigureAwait(false);
                }
            }

            return keep;
        }
    }

    private async Task WriteErrorAsync(NetworkStream stream, string status, string problem)
    {
        var body = Encoding.UTF8.GetBytes($"netserv-lab forward proxy: {problem}\n");
        var head = string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token).ConfigureAwait(false);
        await stream.WriteAsync(body, _stop.Token).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(2721, LogLevel.Warning, "Forward proxy refused a {Method} request: {Problem}")]
        public static partial void Refused(ILogger logger, string method, string problem);

        [LoggerMessage(2722, LogLevel.Warning, "Forward proxy: {Url} does not answer: {Error}")]
        public static partial void OriginFailed(ILogger logger, string url, string error);
    }
}
