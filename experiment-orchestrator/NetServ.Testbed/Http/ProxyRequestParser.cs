using System.Text;

namespace NetServ.Testbed.Http;

/// <summary>What <see cref="ProxyRequestParser.TryParse"/> made of the bytes it was given.</summary>
internal enum ProxyParseStatus
{
    /// <summary>The head of the request is not complete yet: read more and try again.</summary>
    NeedMore,

    /// <summary>A GET or HEAD of an absolute <c>http:</c> URI, to forward.</summary>
    Forward,

    /// <summary>A well-formed request the proxy does not serve (CONNECT, another method, a target that is no absolute http: URI).</summary>
    Refused,

    /// <summary>Not an HTTP/1.x request head (or one longer than <see cref="ProxyRequestParser.MaxHeadBytes"/>).</summary>
    Malformed,
}

/// <summary>The head of one request to the forward proxy; <see cref="Problem"/> says why it is refused or malformed.</summary>
internal sealed record ProxyRequest(string Method, Uri? Target, IReadOnlyList<KeyValuePair<string, string>> Headers, bool KeepAlive)
{
    /// <summary>Why the request is not forwarded, for the answer's body; null when it is.</summary>
    public string? Problem { get; init; }

    /// <summary>Whether the request is HEAD (an answer without a body).</summary>
    public bool IsHead => Method == "HEAD";
}

/// <summary>
/// Reads the head of an HTTP/1.1 request sent to a forward proxy (RFC 9112 §3.2.2: the absolute form of the target), as
/// apt sends it through <c>Acquire::http::Proxy</c>. It takes bytes and says how many it consumed; it never reads a socket.
/// Only GET and HEAD of <c>http:</c> URIs are forwarded: CONNECT (a tunnel to anywhere) and every other method are refused.
/// </summary>
internal static class ProxyRequestParser
{
    /// <summary>The longest request head read; a longer one is malformed.</summary>
    public const int MaxHeadBytes = 16 * 1024;

    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    /// <summary>
    /// Parses the request head at the start of <paramref name="buffer"/>. <paramref name="consumed"/> is the head's length
    /// (the request has no body: GET and HEAD), 0 with <see cref="ProxyParseStatus.NeedMore"/>.
    /// </summary>
    public static ProxyParseStatus TryParse(ReadOnlySpan<byte> buffer, out ProxyRequest? request, out int consumed)
    {
        request = null;
        consumed = 0;
        var end = buffer.IndexOf(EndOfHead);
        if (end < 0)
        {
            return buffer.Length >= MaxHeadBytes ? Malformed(out request, $"a request head longer than {MaxHeadBytes} bytes") : ProxyParseStatus.NeedMore;
        }

        if (end + EndOfHead.Length > MaxHeadBytes)
        {
            return Malformed(out request, $"a request head longer than {MaxHeadBytes} bytes");
        }

        consumed = end + EndOfHead.Length;
        var lines = Encoding.Latin1.GetString(buffer[..end]).Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return Malformed(out request, $"'{lines[0]}' is no HTTP/1.x request line");
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line[..colon].Trim().Length != colon)
            {
                return Malformed(out request, $"'{line}' is no header field");
            }

            headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }

        var (method, target, version) = (parts[0], parts[1], parts[2]);
        var connection = string.Join(',', headers.Where(h => IsNamed(h, "Connection") || IsNamed(h, "Proxy-Connection")).Select(h => h.Value));
        var keepAlive = version == "HTTP/1.1"
            ? !connection.Contains("close", StringComparison.OrdinalIgnoreCase)
            : connection.Contains("keep-alive", StringComparison.OrdinalIgnoreCase);
        if (method == "CONNECT")
        {
            request = new ProxyRequest(method, null, headers, keepAlive) { Problem = "this proxy opens no tunnels (CONNECT): it forwards GET and HEAD of http:// URLs only" };
            return ProxyParseStatus.Refused;
        }

        if (method is not ("GET" or "HEAD"))
        {
            request = new ProxyRequest(method, null, headers, keepAlive) { Problem = $"this proxy forwards GET and HEAD only, not {method}" };
            return ProxyParseStatus.Refused;
        }

        if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || !target.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            request = new ProxyRequest(method, null, headers, keepAlive) { Problem = $"'{target}' is not an absolute http:// URL (a forward proxy is asked for absolute URLs)" };
            return ProxyParseStatus.Refused;
        }

        request = new ProxyRequest(method, uri, headers, keepAlive);
        return ProxyParseStatus.Forward;
    }

    /// <summary>Whether a header is one that concerns a single connection and is not forwarded (RFC 9110 §7.6.1).</summary>
    public static bool IsHopByHop(string name) =>
        name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Authenticate", StringComparison.OrdinalIgnoreCase)
        || name.Equals("TE", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Trailer", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Host", StringComparison.OrdinalIgnoreCase);

    private static bool IsNamed(KeyValuePair<string, string> header, string name) => header.Key.Equals(name, StringComparison.OrdinalIgnoreCase);

    private static ProxyParseStatus Malformed(out ProxyRequest? request, string problem)
    {
        request = new ProxyRequest(string.Empty, null, [], KeepAlive: false) { Problem = problem };
        return ProxyParseStatus.Malformed;
    }
}
