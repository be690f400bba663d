namespace NetServ.Sip;

/// <summary>The request line of a SIP request: <c>Method SP Request-URI SP SIP-Version CRLF</c>.</summary>
public readonly ref struct SipRequestLine
{
    /// <summary>Creates a request line from its parts.</summary>
    public SipRequestLine(ReadOnlySpan<byte> method, ReadOnlySpan<byte> requestUri, ReadOnlySpan<byte> version)
    {
        Method = method;
        RequestUri = requestUri;
        Version = version;
    }

    /// <summary>The method, a token compared case-sensitively (RFC 3261 section 7.1).</summary>
    public ReadOnlySpan<byte> Method { get; }

    /// <summary>The Request-URI, as it stands.</summary>
    public ReadOnlySpan<byte> RequestUri { get; }

    /// <summary>The SIP version, <c>SIP/2.0</c> in any case.</summary>
    public ReadOnlySpan<byte> Version { get; }
}

/// <summary>The status line of a SIP response: <c>SIP-Version SP Status-Code SP Reason-Phrase CRLF</c>.</summary>
public readonly ref struct SipStatusLine
{
    /// <summary>Creates a status line from its parts.</summary>
    public SipStatusLine(int statusCode, ReadOnlySpan<byte> reason)
    {
        StatusCode = statusCode;
        Reason = reason;
    }

    /// <summary>The three-digit status code.</summary>
    public int StatusCode { get; }

    /// <summary>The reason phrase (may be empty).</summary>
    public ReadOnlySpan<byte> Reason { get; }
}
