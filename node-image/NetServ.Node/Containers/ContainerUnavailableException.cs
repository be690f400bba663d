namespace NetServ.Node.Containers;

/// <summary>A user's container cannot take requests now (starting, restarting, or gone).</summary>
internal sealed class ContainerUnavailableException : Exception
{
    public ContainerUnavailableException()
    {
    }

    public ContainerUnavailableException(string message)
        : base(message)
    {
    }

    public ContainerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
