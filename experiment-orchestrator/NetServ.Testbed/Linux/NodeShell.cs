namespace NetServ.Testbed.Linux;

/// <summary>
/// Runs commands on one node of a testbed: inside a network namespace on this machine, on this
/// machine itself, or (for remote testbeds) over SSH. Tools that run on the node (Click) use it so
/// they need not know where the node is.
/// </summary>
public interface INodeShell
{
    /// <summary>The node's name, for messages.</summary>
    string NodeName { get; }

    /// <summary>
    /// Runs <paramref name="file"/> on the node and waits at most <paramref name="timeout"/> for it (then kills it and throws
    /// <see cref="CommandFailedException"/>); cancellation kills it at once and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    CommandResult Run(string file, IReadOnlyList<string> arguments, TimeSpan timeout, string? standardInput = null, CancellationToken cancellationToken = default);
}

/// <summary>A node that is a network namespace on this machine: commands run through <c>ip netns exec</c>.</summary>
public sealed class NamespaceShell(NetworkNamespace ns) : INodeShell
{
    private readonly NetworkNamespace _ns = ns ?? throw new ArgumentNullException(nameof(ns));

    /// <inheritdoc />
    public string NodeName => _ns.Name;

    /// <inheritdoc />
    public CommandResult Run(string file, IReadOnlyList<string> arguments, TimeSpan timeout, string? standardInput = null, CancellationToken cancellationToken = default) =>
        CommandRunner.Run("ip", ["netns", "exec", _ns.Name, file, .. arguments], timeout, standardInput, cancellationToken);
}

/// <summary>This machine, as it is.</summary>
public sealed class LocalShell : INodeShell
{
    /// <inheritdoc />
    public string NodeName => "localhost";

    /// <inheritdoc />
    public CommandResult Run(string file, IReadOnlyList<string> arguments, TimeSpan timeout, string? standardInput = null, CancellationToken cancellationToken = default) =>
        CommandRunner.Run(file, arguments, timeout, standardInput, cancellationToken);
}
