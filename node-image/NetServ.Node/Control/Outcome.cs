using System.Diagnostics.CodeAnalysis;

namespace NetServ.Node.Control;

/// <summary>A request the node turns down: the NSLP status and, in words for the user, why.</summary>
internal sealed record Refusal(int Status, string Message);

/// <summary>What a step of the controller came to: its result, or the refusal to answer the request with.</summary>
internal sealed class Outcome<T>
    where T : class
{
    private readonly T? _value;
    private readonly Refusal? _refusal;

    public Outcome(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    public Outcome(Refusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        _refusal = refusal;
    }

    /// <summary>Whether the step refused; gives the refusal when it did and the result when it did not.</summary>
    public bool IsRefused([NotNullWhen(true)] out Refusal? refusal, [NotNullWhen(false)] out T? value)
    {
        refusal = _refusal;
        value = _value;
        if (refusal is not null)
        {
            return true;
        }

        // One of the two constructors ran: without a refusal there is a value.
        value = _value!;
        return false;
    }
}
