namespace NetServ.Signaling.Nslp;

/// <summary>Status codes of NetServ NSLP responses, borrowed from HTTP where the meaning is the same.</summary>
public static class NslpStatus
{
    public const int Ok = 200;
    public const int BadRequest = 400;
    public const int Unauthorized = 401;
    public const int Forbidden = 403;
    public const int NotFound = 404;
    public const int Conflict = 409;
    public const int PreconditionFailed = 412;
    public const int UnprocessableModule = 422;
    public const int InternalError = 500;
    public const int BadGateway = 502;
    public const int ServiceUnavailable = 503;
    public const int GatewayTimeout = 504;

    /// <summary>The reason phrase for a status code.</summary>
    public static string ReasonPhrase(int code) => code switch
    {
        Ok => "OK",
        BadRequest => "Bad Request",
        Unauthorized => "Unauthorized",
        Forbidden => "Forbidden",
        NotFound => "Not Found",
        Conflict => "Conflict",
        PreconditionFailed => "Precondition Failed",
        UnprocessableModule => "Unprocessable Module",
        InternalError => "Internal Error",
        BadGateway => "Bad Gateway",
        ServiceUnavailable => "Service Unavailable",
        GatewayTimeout => "Gateway Timeout",
        _ => "Status",
    };
}
