using System.Net;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed;

/// <summary>
/// A way into one node of a testbed: run commands there, copy files to and from it, and reach a port
/// on it. A node that is a network namespace on this machine is entered directly; a remote node (a
/// Docker container, a GENI node) is reached over SSH. The experiment runner and the tools that run on
/// a node (Click) use a session, so they need not know where the node is.
/// </summary>
/// <remarks>
/// Failures come in two kinds. <see cref="NodeUnreachableException"/>: the session cannot reach the node
/// at all (the SSH connection is refused or drops, the namespace is gone), whatever was asked.
/// <see cref="CommandFailedException"/>: the node was reached, but the command could not be started or
/// ran past its timeout (<see cref="CommandFailedException.IsTimeout"/>). A command that ran and exited
/// with a non-zero code is no exception: its <see cref="CommandResult"/> says so, and
/// <see cref="CommandResult.EnsureSuccess"/> turns it into one.
/// </remarks>
public interface INodeSession
{
    /// <summary>The node's name, for messages.</summary>
    string NodeName { get; }

    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="arguments"/> on the node (no shell in between) and
    /// returns its exit code and what it printed. <paramref name="standardInput"/>, when given, is written to
    /// the command's standard input, which is then closed; an empty string gives it a closed standard input.
    /// Output that a background child of the command keeps open does not hold the call up once the command
    /// has exited.
    /// </summary>
    /// <exception cref="CommandFailedException">The command could not be started, or ran past <paramref name="timeout"/> and was killed
    /// (<see cref="CommandFailedException.IsTimeout"/>; <see cref="CommandFailedException.Result"/> holds what it printed until then).</exception>
    /// <exception cref="NodeUnreachableException">The node cannot be reached.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled; the command was killed.</exception>
    Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, TimeSpan timeout, string? standardInput = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="content"/> (from its current position to its end) to the file <paramref name="nodePath"/>
    /// on the node, replacing it. <paramref name="nodePath"/> is absolute, and its folder must exist.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="nodePath"/> is not an absolute path.</exception>
    /// <exception cref="IOException">The node refused the file (no such folder, no permission).</exception>
    /// <exception cref="NodeUnreachableException">The node cannot be reached.</exception>
    Task UploadAsync(Stream content, string nodePath, CancellationToken cancellationToken = default);

    /// <summary>Copies the file <paramref name="nodePath"/> (an absolute path) on the node into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="nodePath"/> is not an absolute path.</exception>
    /// <exception cref="IOException">The node has no such file, or refused to read it.</exception>
    /// <exception cref="NodeUnreachableException">The node cannot be reached.</exception>
    Task DownloadAsync(string nodePath, Stream destination, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes <paramref name="nodeEndPoint"/> (a TCP port as the node sees it: its loopback or one of its
    /// addresses) reachable from the orchestrator until the returned forward is disposed. Over SSH this is a
    /// local port forward; a node the orchestrator reaches directly forwards nothing (see the implementation).
    /// </summary>
    /// <exception cref="NodeUnreachableException">The node cannot be reached.</exception>
    Task<INodePortForward> ForwardPortAsync(IPEndPoint nodeEndPoint, CancellationToken cancellationToken = default);
}
