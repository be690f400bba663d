namespace NetServ.Sdk;

/// <summary>Thrown when a module asks for something the node's policy does not give its user.</summary>
public sealed class ModulePolicyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModulePolicyException()
    {
    }

    /// <summary>Creates the exception with a message saying what was refused.</summary>
    public ModulePolicyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public ModulePolicyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
