using System.Net.Sockets;
using System.Security.Authentication;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.AmApi;

/// <summary>How an AM API call failed.</summary>
public enum AmApiFailure
{
    /// <summary>The aggregate answered with a GENI code other than SUCCESS (<see cref="AmApiException.Code"/>).</summary>
    Refused,

    /// <summary>The aggregate answered with an XML-RPC fault instead of the v3 return struct.</summary>
    Fault,

    /// <summary>No answer: the aggregate could not be reached, refused the TLS handshake, answered with an HTTP error, or took too long.</summary>
    Unreachable,

    /// <summary>The answer is not XML-RPC, or not the shape the AM API v3 defines.</summary>
    Malformed,
}

/// <summary>
/// An AM API call that failed, said for a student: which call, which aggregate, what went wrong,
/// what the aggregate said, and what to do. <see cref="Exception.Message"/> is the whole story and
/// never holds a stack trace (not ours, and not the Python traceback some aggregates put in <c>output</c>).
/// </summary>
public sealed class AmApiException : Exception
{
    // Aggregates' output can be long (a whole log); a message keeps its start.
    private const int MaxOutputLength = 600;

    public AmApiException(string method, Aggregate aggregate, AmApiFailure failure, string what, string advice, GeniCode? code = null, string? output = null, Exception? innerException = null)
        : base(Compose(method, aggregate, what, failure is AmApiFailure.Refused or AmApiFailure.Fault ? "The aggregate said" : "Detail", output, advice), innerException)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        Method = method;
        Aggregate = aggregate;
        Failure = failure;
        Code = code;
        Output = output;
        Advice = advice;
    }

    public AmApiException()
        : this("call", new Aggregate("aggregate", new Uri("https://localhost/"), null, "aggregate"), AmApiFailure.Malformed, "failed", "try again")
    {
    }

    public AmApiException(string message)
        : base(message)
    {
        Method = "";
        Aggregate = new Aggregate("aggregate", new Uri("https://localhost/"), null, "aggregate");
        Advice = "";
    }

    public AmApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Method = "";
        Aggregate = new Aggregate("aggregate", new Uri("https://localhost/"), null, "aggregate");
        Advice = "";
    }

    /// <summary>The AM API method called (<c>Allocate</c>).</summary>
    public string Method { get; }

    public Aggregate Aggregate { get; }

    public AmApiFailure Failure { get; }

    /// <summary>The GENI code, when the aggregate answered with one.</summary>
    public GeniCode? Code { get; }

    /// <summary>What the aggregate said (<c>output</c>, or the fault string), when it said something.</summary>
    public string? Output { get; }

    /// <summary>What to do about it.</summary>
    public string Advice { get; }

    /// <summary>The aggregate answered <paramref name="code"/>.</summary>
    internal static AmApiException FromCode(string method, Aggregate aggregate, GeniCode code, string? amType, int? amCode, string? output)
    {
        // The aggregate's own code helps its operators; its type alone says nothing to the student.
        var native = amCode is { } own ? $" ({amType ?? "aggregate"} code {own.ToString(System.Globalization.CultureInfo.InvariantCulture)})" : "";
        return new AmApiException(method, aggregate, AmApiFailure.Refused,
            $"{GeniCodes.Label(code)} ({(int)code}){native}: {GeniCodes.Meaning(code)}.", GeniCodes.Advice(code) + ".", code, output);
    }

    /// <summary>The aggregate answered with an XML-RPC fault.</summary>
    internal static AmApiException FromFault(string method, Aggregate aggregate, XmlRpcFaultException fault)
    {
        var advice = fault.Code == XmlRpcFault.MethodNotFound
            ? $"the URL does not look like an AM API v3 endpoint: CloudLab's end in /protogeni/xmlrpc/am/3.0 ({aggregate.Url})"
            : "read what the aggregate said; if it names an argument, check the rspec and credentials, otherwise try again later";
        return new AmApiException(method, aggregate, AmApiFailure.Fault,
            $"the aggregate answered with XML-RPC fault {fault.Code} instead of an AM API result.", advice + ".", null, fault.FaultString, fault);
    }

    /// <summary>The call got no answer.</summary>
    internal static AmApiException FromTransport(string method, Aggregate aggregate, XmlRpcTransportException e)
    {
        var causes = Causes(e).ToList();
        var (what, advice) = true switch
        {
            _ when causes.OfType<AuthenticationException>().Any()
                || causes.OfType<HttpRequestException>().Any(h => h.HttpRequestError == HttpRequestError.SecureConnectionError) =>
                ("the TLS handshake failed: the aggregate refused your certificate, or its certificate is not one we trust",
                 "check that your certificate (cloudlab.pem) is current (download it again from the portal's \"Download Credentials\") and that the URL is the aggregate's"),
            // TLS 1.3 servers check the client certificate after the handshake and then close the
            // connection: the client sees a response that ended before it began.
            _ when causes.OfType<HttpRequestException>().Any(h => h.HttpRequestError == HttpRequestError.ResponseEnded) =>
                ("the aggregate closed the connection without answering, which is how it refuses a client certificate it does not accept",
                 "check that you use your current certificate (download cloudlab.pem again from the portal's \"Download Credentials\") and that your account is active; if it is, the aggregate may be restarting: try again in a minute"),
            _ when e.StatusCode is { } status =>
                ($"the web server answered HTTP {(int)status} instead of the aggregate",
                 "check the URL (CloudLab's end in /protogeni/xmlrpc/am/3.0); if it is right, the aggregate is down: try again later"),
            _ when causes.OfType<SocketException>().FirstOrDefault() is { } socket =>
                ($"the aggregate could not be reached ({socket.SocketErrorCode})",
                 "check the network and the URL's host and port; if they are right, the aggregate is down: try again later"),
            _ when e.InnerException is null =>
                ("the aggregate did not answer in time",
                 "it may be busy (Allocate and Provision can take minutes): try again, or allow a longer timeout"),
            _ => ("the call failed before the aggregate answered", "check the network and the URL, then try again"),
        };
        return new AmApiException(method, aggregate, AmApiFailure.Unreachable, what + ".", advice + ".", null, Detail(e), e);
    }

    /// <summary>The answer is not what the AM API v3 defines.</summary>
    internal static AmApiException FromMalformed(string method, Aggregate aggregate, Exception e)
        => new(method, aggregate, AmApiFailure.Malformed,
            $"the answer is not an AM API v3 result ({e.Message}).",
            "check that the URL is the aggregate's AM API v3 endpoint, not v2 (CloudLab's end in /am/3.0); if it is, report the answer to the aggregate's operators.",
            null, null, e);

    private static IEnumerable<Exception> Causes(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            yield return inner;
        }
    }

    // The transport's own message starts with "Method at URL: ", which the composed message already says.
    private static string Detail(XmlRpcTransportException e)
    {
        var separator = e.Message.IndexOf(": ", StringComparison.Ordinal);
        return separator >= 0 ? e.Message[(separator + 2)..] : e.Message;
    }

    private static string Compose(string method, Aggregate aggregate, string what, string outputLabel, string? output, string advice)
    {
        var said = Clean(output);
        return $"{method} at {aggregate} failed: {what}"
            + (said.Length > 0 ? $"{Environment.NewLine}{outputLabel}: {said}" : "")
            + $"{Environment.NewLine}What to do: {advice}";
    }

    /// <summary>The aggregate's output on one line, a Python traceback reduced to its last line (the error itself), and bounded.</summary>
    internal static string Clean(string? output)
    {
        if (string.IsNullOrWhiteSpace(output))
        {
            return "";
        }

        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Any(l => l.StartsWith("Traceback (most recent call last)", StringComparison.Ordinal)))
        {
            lines = [lines[^1]];
        }

        var text = string.Join(" ", lines);
        return text.Length <= MaxOutputLength ? text : text[..MaxOutputLength] + "…";
    }
}
