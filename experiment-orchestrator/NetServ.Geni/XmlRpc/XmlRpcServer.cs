using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NetServ.Geni.XmlRpc;

/// <summary>What a method handler gets: the call and who made it.</summary>
/// <param name="MethodName">The method called.</param>
/// <param name="Parameters">Its parameters.</param>
/// <param name="ClientCertificate">The TLS client certificate, when the connection has one.</param>
public sealed record XmlRpcCallContext(string MethodName, IReadOnlyList<XmlRpcValue> Parameters, X509Certificate2? ClientCertificate);

/// <summary>A method of an <see cref="XmlRpcServer"/>. Throwing <see cref="XmlRpcFaultException"/> answers with that fault.</summary>
public delegate Task<XmlRpcValue> XmlRpcMethod(XmlRpcCallContext call, CancellationToken cancellationToken);

/// <summary>
/// The server side: dispatches method calls to registered methods. Every failure is a fault
/// (codes of the fault interoperability spec): a malformed call, an unknown method, a handler
/// that threw. <see cref="XmlRpcEndpoints.MapXmlRpc"/> puts it on Kestrel.
/// </summary>
public sealed partial class XmlRpcServer
{
    private readonly Dictionary<string, XmlRpcMethod> methods = new(StringComparer.Ordinal);
    private readonly ILogger logger;

    public XmlRpcServer(ILogger<XmlRpcServer>? logger = null, XmlRpcLimits? limits = null)
    {
        this.logger = logger ?? NullLogger<XmlRpcServer>.Instance;
        Limits = limits ?? XmlRpcLimits.Default;
    }

    public XmlRpcLimits Limits { get; }

    /// <exception cref="ArgumentException">A method of that name is already there.</exception>
    public XmlRpcServer Register(string name, XmlRpcMethod method)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(method);
        if (!methods.TryAdd(name, method))
        {
            throw new ArgumentException($"the method {name} is already registered", nameof(name));
        }

        return this;
    }

    /// <summary>Answers one request document. Never throws for a bad request: that is a fault.</summary>
    public async Task<XmlRpcResponse> DispatchAsync(ReadOnlyMemory<byte> request, X509Certificate2? clientCertificate, CancellationToken cancellationToken)
    {
        XmlRpcMethodCall call;
        try
        {
            call = XmlRpcReader.ReadMethodCall(request, Limits);
        }
        catch (XmlRpcFormatException e)
        {
            Log.MalformedCall(logger, e.Message);
            return new XmlRpcFault(XmlRpcFault.ParseError, e.Message);
        }

        if (!methods.TryGetValue(call.MethodName, out var method))
        {
            Log.UnknownMethod(logger, call.MethodName);
            return new XmlRpcFault(XmlRpcFault.MethodNotFound, $"no method {call.MethodName} here");
        }

        try
        {
            return new XmlRpcSuccess(await method(new XmlRpcCallContext(call.MethodName, call.Parameters, clientCertificate), cancellationToken).ConfigureAwait(false));
        }
        catch (XmlRpcFaultException e)
        {
            return new XmlRpcFault(e.Code, e.FaultString);
        }
        catch (XmlRpcTypeException e)
        {
            // The parameters were not what the method reads: the caller's error, said as such.
            return new XmlRpcFault(XmlRpcFault.InvalidParameters, $"{call.MethodName}: {e.Message}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.MethodFailed(logger, call.MethodName, e);
            return new XmlRpcFault(XmlRpcFault.InternalError, $"{call.MethodName} failed on the server");
        }
    }

    /// <summary>Handles one HTTP request: reads the body within the limit, dispatches, writes the answer.</summary>
    internal async Task HandleAsync(HttpContext http)
    {
        XmlRpcResponse response;
        try
        {
            var body = await XmlRpcStreams.ReadBoundedAsync(http.Request.Body, Limits.MaxDocumentLength, http.RequestAborted).ConfigureAwait(false);
            var certificate = http.Connection.ClientCertificate ?? await http.Connection.GetClientCertificateAsync(http.RequestAborted).ConfigureAwait(false);
            response = await DispatchAsync(body, certificate, http.RequestAborted).ConfigureAwait(false);
        }
        catch (XmlRpcFormatException e)
        {
            response = new XmlRpcFault(XmlRpcFault.ParseError, e.Message);
        }

        var answer = XmlRpcWriter.WriteMethodResponse(response);
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/xml; charset=utf-8";
        http.Response.ContentLength = answer.Length;
        await http.Response.Body.WriteAsync(answer, http.RequestAborted).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3501, Level = LogLevel.Information, Message = "Refused a malformed XML-RPC call: {Reason}")]
        public static partial void MalformedCall(ILogger logger, string reason);

        [LoggerMessage(EventId = 3502, Level = LogLevel.Information, Message = "XML-RPC call of unknown method {Method}")]
        public static partial void UnknownMethod(ILogger logger, string method);

        [LoggerMessage(EventId = 3503, Level = LogLevel.Error, Message = "XML-RPC method {Method} failed")]
        public static partial void MethodFailed(ILogger logger, string method, Exception exception);
    }
}

/// <summary>Puts an <see cref="XmlRpcServer"/> on ASP.NET Core routing.</summary>
public static class XmlRpcEndpoints
{
    /// <summary>
    /// Answers POSTs on every path: Python clients post to <c>/RPC2</c>, CloudLab's aggregates
    /// serve <c>/protogeni/xmlrpc/am/3.0</c>, and a client's path must not matter.
    /// </summary>
    public static IEndpointConventionBuilder MapXmlRpc(this IEndpointRouteBuilder endpoints, XmlRpcServer server)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(server);
        return endpoints.MapPost("/{**path}", server.HandleAsync);
    }
}
