namespace NetServ.Geni.LocalAggregate;

/// <summary>
/// The GENI AM API v3 error codes (<c>code.geni_code</c>) this aggregate answers with, as the GENI
/// error code table numbers them. OUT_OF_RANGE (19) is the code the GPO reference aggregate
/// (gcf <c>am3.py</c>) gives a Renew past what the aggregate allows.
/// </summary>
public enum AmApiCode
{
    Success = 0,

    /// <summary>Bad arguments: malformed (a request rspec that is not XML, a missing option).</summary>
    BadArgs = 1,

    Error = 2,

    /// <summary>Operation forbidden: the credentials do not grant what the call needs.</summary>
    Forbidden = 3,

    /// <summary>Bad version (of an rspec).</summary>
    BadVersion = 4,

    ServerError = 5,

    /// <summary>Too big: the request asks for more than the aggregate can give (the reference aggregate's answer to a request beyond its resources).</summary>
    TooBig = 6,

    Refused = 7,

    /// <summary>Unavailable: the slice is shut down.</summary>
    Unavailable = 11,

    /// <summary>Search failed: no such slice or sliver here.</summary>
    SearchFailed = 12,

    /// <summary>Unsupported: an operational action this aggregate does not know, or a sliver not in a state for it.</summary>
    Unsupported = 13,

    /// <summary>Already exists: a node of the request is already a sliver of the slice.</summary>
    AlreadyExists = 17,

    /// <summary>Out of range: a requested time the aggregate does not allow.</summary>
    OutOfRange = 19,

    CredentialInvalid = 20,

    CredentialExpired = 21,

    CredentialMismatch = 22,

    CredentialSignerUntrusted = 23,
}

/// <summary>A call the aggregate refuses: answered as the v3 return struct with <see cref="Code"/> and the message as <c>output</c>.</summary>
public sealed class AmApiException : Exception
{
    public AmApiException(AmApiCode code, string message)
        : base(message) => Code = code;

    public AmApiException()
    {
    }

    public AmApiException(string message)
        : base(message)
    {
    }

    public AmApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AmApiCode Code { get; } = AmApiCode.Error;
}
