using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NetServ.Testbed.Linux;

/// <summary>This machine, as it is: commands run here, files are its own, and its ports are reached directly.</summary>
public sealed class LocalShell : INodeSession
{
    /// <inheritdoc />
    public string NodeName => "localhost";

    /// <inheritdoc />
    public Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, TimeSpan timeout, string? standardInput = null, CancellationToken cancellationToken = default) =>
        CommandRunner.RunAsync(file, arguments, workingDirectory: null, Start, timeout, standardInput, cancellationToken);

    /// <inheritdoc />
    public Task UploadAsync(Stream content, string nodePath, CancellationToken cancellationToken = default) =>
        MachineFiles.WriteAsync(content, nodePath, cancellationToken);

    /// <inheritdoc />
    public Task DownloadAsync(string nodePath, Stream destination, CancellationToken cancellationToken = default) =>
        MachineFiles.ReadAsync(nodePath, destination, cancellationToken);

    /// <summary>Gives back <paramref name="nodeEndPoint"/> itself: a port of this machine needs no forward.</summary>
    public Task<INodePortForward> ForwardPortAsync(IPEndPoint nodeEndPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nodeEndPoint);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<INodePortForward>(cancellationToken);
        }

        INodePortForward forward = new DirectPortForward(nodeEndPoint, family => new Socket(family, SocketType.Stream, ProtocolType.Tcp));
        return Task.FromResult(forward);
    }

    private static Process Start(ProcessStartInfo info) =>
        Process.Start(info) ?? throw new CommandFailedException($"'{info.FileName}' did not start");
}
