namespace NetServ.Testbed.Ssh;

/// <summary>Why an SSH connection to a node failed.</summary>
public enum SshConnectFailure
{
    /// <summary>Nothing accepted the TCP connection (the node is booting, or sshd is not running).</summary>
    Refused,

    /// <summary>The node did not answer within the connect timeout, or its network could not be reached.</summary>
    TimedOut,

    /// <summary>The node's sshd dropped the connection before the session was set up.</summary>
    ConnectionLost,

    /// <summary>The node did not accept the session's key for its user.</summary>
    AuthenticationFailed,

    /// <summary>The node presented a host key other than the one pinned for it.</summary>
    HostKeyChanged,
}

/// <summary>
/// What went wrong connecting to a node over SSH: the <see cref="Exception.InnerException"/> of the
/// <see cref="NodeUnreachableException"/> an <see cref="SshNodeSession"/> throws, so a caller can tell the kinds apart
/// without reading messages.
/// </summary>
public sealed class SshConnectFailedException : Exception
{
    /// <summary>Creates the exception for a failure of <paramref name="failure"/>'s kind.</summary>
    public SshConnectFailedException(SshConnectFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>Creates the exception with no message.</summary>
    public SshConnectFailedException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public SshConnectFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public SshConnectFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The kind of failure.</summary>
    public SshConnectFailure Failure { get; }

    /// <summary>For <see cref="SshConnectFailure.HostKeyChanged"/>: the fingerprint pinned for the node.</summary>
    public string? ExpectedFingerprint { get; init; }

    /// <summary>For <see cref="SshConnectFailure.HostKeyChanged"/>: the fingerprint the node presented.</summary>
    public string? PresentedFingerprint { get; init; }

    /// <summary>Whether a later attempt may succeed: the node may still be booting.</summary>
    public bool IsTransient => Failure is SshConnectFailure.Refused or SshConnectFailure.TimedOut or SshConnectFailure.ConnectionLost;
}
