namespace NetServ.Testbed;

/// <summary>
/// A node session cannot reach its node at all: the SSH connection was refused, failed to authenticate or
/// dropped, or the node's namespace is gone. Nothing was run or copied. Unlike a command that failed on the
/// node, retrying the same thing cannot help until the node is back.
/// </summary>
public sealed class NodeUnreachableException : Exception
{
    /// <summary>Creates the exception for <paramref name="node"/>, saying <paramref name="reason"/>.</summary>
    public NodeUnreachableException(string node, string reason, Exception? innerException = null)
        : base($"node {node} cannot be reached: {reason}", innerException)
    {
        Node = node;
    }

    /// <summary>Creates the exception with no message.</summary>
    public NodeUnreachableException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public NodeUnreachableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public NodeUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The node's name, when known.</summary>
    public string? Node { get; }
}
