namespace NetServ.Signaling.Nslp;

/// <summary>An NSLP message: a start line, <c>key:value</c> headers, a blank line, and an optional body.</summary>
public abstract class NslpMessage
{
    /// <summary>The protocol version this implementation speaks.</summary>
    public const string CurrentVersion = "NETSERV/0.1";

    /// <summary>The version on the start line.</summary>
    public string Version { get; init; } = CurrentVersion;

    /// <summary>The headers, in order.</summary>
    public NslpHeaders Headers { get; } = new();

    /// <summary>The body (its length is sent as <c>content-length</c>); empty when there is none.</summary>
    public ReadOnlyMemory<byte> Body { get; set; } = ReadOnlyMemory<byte>.Empty;
}

/// <summary>A request: <c>SETUP NetServ.Apps.NetMonitor_1.0.0 NETSERV/0.1</c> and its headers.</summary>
public sealed class NslpRequest : NslpMessage
{
    /// <summary>Creates a request.</summary>
    public NslpRequest(NslpMethod method, string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        if (target.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException("The request target may not contain white space.", nameof(target));
        }

        Method = method;
        Target = target;
    }

    /// <summary>The method.</summary>
    public NslpMethod Method { get; }

    /// <summary>The module name (SETUP, REMOVE), the probe subject (PROBE), or the encapsulated method (TRIGGER).</summary>
    public string Target { get; }

    /// <summary>The method as it is spelled on the wire.</summary>
    public static string MethodName(NslpMethod method) => method switch
    {
        NslpMethod.Setup => "SETUP",
        NslpMethod.Remove => "REMOVE",
        NslpMethod.Probe => "PROBE",
        NslpMethod.Trigger => "TRIGGER",
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };
}

/// <summary>A response: <c>NETSERV/0.1 200 OK</c> and its headers.</summary>
public sealed class NslpResponse : NslpMessage
{
    /// <summary>Creates a response with the standard reason phrase.</summary>
    public NslpResponse(int statusCode, string? reason = null)
    {
        if (statusCode is < 100 or > 999)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A status code has three digits.");
        }

        StatusCode = statusCode;
        Reason = string.IsNullOrWhiteSpace(reason) ? NslpStatus.ReasonPhrase(statusCode) : reason;
    }

    /// <summary>The status code (see <see cref="NslpStatus"/>).</summary>
    public int StatusCode { get; }

    /// <summary>The reason phrase.</summary>
    public string Reason { get; }

    /// <summary>Whether the status is 2xx.</summary>
    public bool IsSuccess => StatusCode is >= 200 and < 300;
}
