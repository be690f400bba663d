using NetServ.Geni.AmApi;

namespace NetServ.Geni.Clearinghouse;

/// <summary>
/// A clearinghouse call that failed, said for a student: which call, which clearinghouse, what went
/// wrong, what it said, and what to do. Never a stack trace.
/// </summary>
public sealed class ClearinghouseException : Exception
{
    public ClearinghouseException(string method, ClearinghouseService clearinghouse, string what, string advice, int? code = null, string? output = null, Exception? innerException = null)
        : base(Compose(method, clearinghouse, what, output, advice), innerException)
    {
        ArgumentNullException.ThrowIfNull(clearinghouse);
        Method = method;
        Clearinghouse = clearinghouse;
        Code = code;
        Output = output;
    }

    public ClearinghouseException()
        : this("call", Clearinghouses.Known[0], "failed", "try again")
    {
    }

    public ClearinghouseException(string message)
        : base(message)
    {
        Method = "";
        Clearinghouse = Clearinghouses.Known[0];
    }

    public ClearinghouseException(string message, Exception innerException)
        : base(message, innerException)
    {
        Method = "";
        Clearinghouse = Clearinghouses.Known[0];
    }

    /// <summary>The method called (<c>get_credentials</c>, <c>Register</c>).</summary>
    public string Method { get; }

    public ClearinghouseService Clearinghouse { get; }

    /// <summary>The code it answered, when it answered one: a <see cref="FederationCode"/> or a <see cref="GeniCode"/> by protocol.</summary>
    public int? Code { get; }

    public string? Output { get; }

    /// <summary>Whether the URL does not serve the protocol at all (the method unknown there, or no such page), as opposed to a refusal.</summary>
    public bool NotServed { get; init; }

    internal static ClearinghouseException FromCode(string method, ClearinghouseService clearinghouse, int code, string output)
    {
        var (label, meaning, advice) = clearinghouse.Protocol == ClearinghouseProtocol.Federation
            ? (FederationCodes.Label((FederationCode)code), FederationCodes.Meaning((FederationCode)code), FederationCodes.Advice((FederationCode)code))
            : (GeniCodes.Label((GeniCode)code), GeniCodes.Meaning((GeniCode)code), GeniCodes.Advice((GeniCode)code));
        return new ClearinghouseException(method, clearinghouse, $"{label} ({code}): {meaning}.", advice + ".", code, output);
    }

    private static string Compose(string method, ClearinghouseService clearinghouse, string what, string? output, string advice)
    {
        var said = AmApiException.Clean(output);
        return $"{method} at {clearinghouse} failed: {what}"
            + (said.Length > 0 ? $"{Environment.NewLine}The clearinghouse said: {said}" : "")
            + $"{Environment.NewLine}What to do: {advice}";
    }
}
