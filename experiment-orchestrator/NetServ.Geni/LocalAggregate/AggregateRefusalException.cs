namespace NetServ.Geni.LocalAggregate;

/// <summary>
/// A call the local aggregate refuses: answered as the v3 return struct with <see cref="Code"/> and the message as
/// <c>output</c> (the client's side of the same answer is <see cref="AmApi.AmApiException"/>).
/// </summary>
public sealed class AggregateRefusalException : Exception
{
    public AggregateRefusalException(GeniCode code, string message)
        : base(message) => Code = code;

    public AggregateRefusalException()
    {
    }

    public AggregateRefusalException(string message)
        : base(message)
    {
    }

    public AggregateRefusalException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The GENI code the refusal is answered with.</summary>
    public GeniCode Code { get; } = GeniCode.ERROR;
}
