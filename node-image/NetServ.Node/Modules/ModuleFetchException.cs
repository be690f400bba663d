using NetServ.Signaling.Nslp;

namespace NetServ.Node.Modules;

/// <summary>A module package could not be had: the status says what kind of failure it was.</summary>
internal sealed class ModuleFetchException : Exception
{
    public ModuleFetchException(int status, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
    }

    public ModuleFetchException()
    {
    }

    public ModuleFetchException(string message)
        : base(message)
    {
    }

    public ModuleFetchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The NSLP status for the response (see <see cref="NslpStatus"/>).</summary>
    public int Status { get; } = NslpStatus.UnprocessableModule;
}
