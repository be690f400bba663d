using System.Net;
using System.Net.Sockets;

namespace NetServ.Testbed.Linux;

/// <summary>
/// The session of a node that is a network namespace on this machine. Commands run inside the namespace
/// through <c>nsenter --net</c> (<see cref="NetworkNamespace.Start"/>): only the network changes, so they keep
/// this machine's mounts (/sys, the cgroup hierarchies) and are noted in the run's record like every process
/// started in a namespace. A namespace shares this machine's file system, so uploads and downloads copy
/// files on this machine.
/// </summary>
/// <remarks>
/// Ports are not forwarded: the orchestrator reaches a namespace directly, by opening sockets inside it, so
/// <see cref="ForwardPortAsync"/> gives back the node's own endpoint, and the forward's
/// <see cref="INodePortForward.ConnectAsync"/> connects to it from a socket created in the namespace. The
/// endpoint is not routed from the orchestrator's own namespace: connect through the forward, not to its
/// address.
/// </remarks>
public sealed class NamespaceShell : INodeSession
{
    private readonly NetworkNamespace _ns;
    private readonly string? _workingDirectory;

    /// <summary>
    /// A session into <paramref name="ns"/>; its commands start in <paramref name="workingDirectory"/>, or in
    /// the orchestrator's own when it is <see langword="null"/>.
    /// </summary>
    public NamespaceShell(NetworkNamespace ns, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(ns);
        _ns = ns;
        _workingDirectory = workingDirectory;
    }

    /// <summary>The namespace's name.</summary>
    public string NodeName => _ns.Name;

    /// <inheritdoc />
    public async Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, TimeSpan timeout, string? standardInput = null, CancellationToken cancellationToken = default)
    {
        ThrowIfGone();
        return await CommandRunner.RunAsync(file, arguments, _workingDirectory, _ns.Start, timeout, standardInput, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task UploadAsync(Stream content, string nodePath, CancellationToken cancellationToken = default)
    {
        ThrowIfGone();
        await MachineFiles.WriteAsync(content, nodePath, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task DownloadAsync(string nodePath, Stream destination, CancellationToken cancellationToken = default)
    {
        ThrowIfGone();
        await MachineFiles.ReadAsync(nodePath, destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Gives back <paramref name="nodeEndPoint"/> itself: nothing needs forwarding to a namespace on this machine.
    /// Connect with the forward's <see cref="INodePortForward.ConnectAsync"/>, which opens its socket inside the namespace.
    /// </summary>
    /// <exception cref="NodeUnreachableException">The namespace is gone.</exception>
    public Task<INodePortForward> ForwardPortAsync(IPEndPoint nodeEndPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nodeEndPoint);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<INodePortForward>(cancellationToken);
        }

        if (!_ns.Exists)
        {
            return Task.FromException<INodePortForward>(Gone());
        }

        INodePortForward forward = new DirectPortForward(nodeEndPoint, family =>
        {
            ThrowIfGone();
            return _ns.CreateSocket(family, SocketType.Stream, ProtocolType.Tcp);
        });
        return Task.FromResult(forward);
    }

    private void ThrowIfGone()
    {
        if (!_ns.Exists)
        {
            throw Gone();
        }
    }

    private NodeUnreachableException Gone() => new(_ns.Name, "its network namespace is gone");
}
