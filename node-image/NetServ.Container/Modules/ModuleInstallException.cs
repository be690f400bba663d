namespace NetServ.Container.Modules;

/// <summary>A module could not be installed; the message says why in words a module author understands.</summary>
internal sealed class ModuleInstallException : Exception
{
    public ModuleInstallException()
    {
    }

    public ModuleInstallException(string message)
        : base(message)
    {
    }

    public ModuleInstallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The module left a thread behind (a start that never returned): the container must be recycled.</summary>
    public bool RecycleContainer { get; init; }
}
