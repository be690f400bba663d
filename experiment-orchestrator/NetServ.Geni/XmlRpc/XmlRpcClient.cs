using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace NetServ.Geni.XmlRpc;

/// <summary>Options of an <see cref="XmlRpcClient"/>.</summary>
public sealed record XmlRpcClientOptions
{
    /// <summary>How long one call may take, answer included. Aggregates take long over Allocate and ListResources.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Bounds on the answers read.</summary>
    public XmlRpcLimits Limits { get; init; } = XmlRpcLimits.Default;
}

/// <summary>
/// Calls XML-RPC methods over HTTP(S): POSTs a <c>text/xml</c> method call and reads the answer.
/// The HTTP client is injected, so that TLS (a client certificate, which server certificates to
/// trust) is configured by the caller (<see cref="CreateHandler"/>).
/// </summary>
public sealed class XmlRpcClient
{
    private static readonly MediaTypeHeaderValue TextXml = new("text/xml") { CharSet = "utf-8" };
    private readonly HttpClient http;
    private readonly TimeProvider time;

    public XmlRpcClient(HttpClient http, Uri endpoint, XmlRpcClientOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        this.http = http;
        Endpoint = endpoint;
        Options = options ?? new XmlRpcClientOptions();
        this.time = time ?? TimeProvider.System;
    }

    public Uri Endpoint { get; }

    public XmlRpcClientOptions Options { get; }

    /// <summary>
    /// A handler that presents <paramref name="clientCertificate"/> (which must have its private
    /// key) and accepts the server's certificate when <paramref name="validateServer"/> says so,
    /// or when the system trusts it if that is <see langword="null"/>.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(X509Certificate2? clientCertificate, RemoteCertificateValidationCallback? validateServer = null)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = validateServer },
            AutomaticDecompression = DecompressionMethods.All,
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        return handler;
    }

    /// <summary>Calls <paramref name="method"/> and returns its value.</summary>
    /// <exception cref="XmlRpcFaultException">The server answered with a fault.</exception>
    /// <exception cref="XmlRpcTransportException">No answer: the server could not be reached, refused the TLS handshake, answered with an HTTP error, or took longer than <see cref="XmlRpcClientOptions.Timeout"/>.</exception>
    /// <exception cref="XmlRpcFormatException">The answer is not XML-RPC.</exception>
    public async Task<XmlRpcValue> CallAsync(string method, IReadOnlyList<XmlRpcValue> parameters, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(parameters);
        var body = XmlRpcWriter.WriteMethodCall(new XmlRpcMethodCall(method, parameters));
        using var timeout = new CancellationTokenSource(Options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        byte[] answer;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = TextXml;
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var text = await ReadPrefixAsync(response, linked.Token).ConfigureAwait(false);
                throw new XmlRpcTransportException(
                    $"{method} at {Endpoint}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}{(text.Length > 0 ? $": {text}" : "")}",
                    response.StatusCode);
            }

            answer = await ReadBoundedAsync(response.Content, Options.Limits.MaxDocumentLength, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new XmlRpcTransportException($"{method} at {Endpoint}: no answer within {Options.Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            throw new XmlRpcTransportException($"{method} at {Endpoint}: {Explain(e)}", e.StatusCode, e);
        }

        return XmlRpcReader.ReadMethodResponse(answer, Options.Limits) switch
        {
            XmlRpcSuccess success => success.Value,
            XmlRpcFault fault => throw new XmlRpcFaultException(method, fault.Code, fault.Message),
            _ => throw new InvalidOperationException("a response is a value or a fault"),
        };
    }

    public Task<XmlRpcValue> CallAsync(string method, params XmlRpcValue[] parameters) => CallAsync(method, (IReadOnlyList<XmlRpcValue>)parameters);

    private static string Explain(HttpRequestException e)
    {
        // The useful part is often two levels down: the socket error or the TLS alert.
        var reasons = new List<string> { e.Message };
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            reasons.Add(inner is AuthenticationException ? $"TLS handshake failed ({inner.Message})" : inner.Message);
        }

        return string.Join(": ", reasons.Distinct());
    }

    internal static async Task<byte[]> ReadBoundedAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > limit)
        {
            throw new XmlRpcFormatException(XmlRpcFormatError.TooLarge, $"the answer is {content.Headers.ContentLength} bytes long; answers are read up to {limit}", 0, 0);
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await XmlRpcStreams.ReadBoundedAsync(stream, limit, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<string> ReadPrefixAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            text = text.Trim();
            return text.Length <= 200 ? text : text[..200] + "…";
        }
        catch (HttpRequestException)
        {
            return "";
        }
    }
}

/// <summary>Reads a body up to a bound.</summary>
internal static class XmlRpcStreams
{
    /// <exception cref="XmlRpcFormatException">The body is longer than <paramref name="limit"/>.</exception>
    public static async Task<byte[]> ReadBoundedAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new XmlRpcFormatException(XmlRpcFormatError.TooLarge, $"the document is longer than {limit} bytes, the most read", 0, 0);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}

/// <summary>The server answered a call with a fault.</summary>
public sealed class XmlRpcFaultException : Exception
{
    public XmlRpcFaultException(string method, int code, string faultString)
        : base($"{method} failed: {faultString} (fault {code})")
    {
        Method = method;
        Code = code;
        FaultString = faultString;
    }

    /// <summary>A fault for a server handler to throw: the server answers with <paramref name="code"/> and <paramref name="faultString"/>.</summary>
    public XmlRpcFaultException(int code, string faultString)
        : this("", code, faultString)
    {
    }

    public XmlRpcFaultException()
        : this("", XmlRpcFault.InternalError, "fault")
    {
    }

    public XmlRpcFaultException(string message)
        : this("", XmlRpcFault.InternalError, message)
    {
    }

    public XmlRpcFaultException(string message, Exception innerException)
        : base(message, innerException)
    {
        Method = "";
        FaultString = message;
        Code = XmlRpcFault.InternalError;
    }

    public string Method { get; }

    public int Code { get; }

    public string FaultString { get; }
}

/// <summary>A call got no XML-RPC answer: unreachable, TLS refused, an HTTP error, or a timeout.</summary>
public sealed class XmlRpcTransportException : Exception
{
    public XmlRpcTransportException(string message, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    public XmlRpcTransportException()
    {
    }

    public XmlRpcTransportException(string message)
        : base(message)
    {
    }

    public XmlRpcTransportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status when the server answered with an error; <see langword="null"/> when there was no HTTP answer.</summary>
    public HttpStatusCode? StatusCode { get; }
}
