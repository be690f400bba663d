using System.Net;
using NetServ.Testbed;
using NetServ.Testbed.Linux;

namespace NetServ.TestSupport.Testbeds;

/// <summary>A command a <see cref="FakeNodeSession"/> was asked to run.</summary>
public sealed record FakeCommand(string File, IReadOnlyList<string> Arguments, TimeSpan Timeout, string? StandardInput)
{
    /// <summary>The command line, as a <see cref="CommandResult"/> names it.</summary>
    public string Display => string.Join(' ', Arguments.Prepend(File));
}

/// <summary>
/// A node session that runs nothing: it records each command and answers it with <see cref="Answer"/> (by
/// default exit 0, no output), keeps uploaded files in memory, and forwards no port. <see cref="Unreachable"/>
/// makes every call fail as a node that cannot be reached.
/// </summary>
public sealed class FakeNodeSession(string nodeName = "fake-node") : INodeSession
{
    private readonly List<FakeCommand> _commands = [];
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    public string NodeName => nodeName;

    /// <summary>
    /// How the node answers a command. It may throw what a session throws to play a failure:
    /// <see cref="CommandFailedException"/> (<see cref="CommandFailedException.TimedOut"/> for a timeout),
    /// <see cref="NodeUnreachableException"/>, <see cref="OperationCanceledException"/>.
    /// </summary>
    public Func<FakeCommand, CancellationToken, Task<CommandResult>> Answer { get; set; } =
        (command, _) => Task.FromResult(new CommandResult(command.Display, 0, string.Empty, string.Empty));

    /// <summary>Whether every call throws <see cref="NodeUnreachableException"/>.</summary>
    public bool Unreachable { get; set; }

    /// <summary>The commands run so far, in order.</summary>
    public IReadOnlyList<FakeCommand> Commands => _commands;

    /// <summary>The files on the node, by path.</summary>
    public IDictionary<string, byte[]> Files => _files;

    /// <summary>Answers every command with <paramref name="exitCode"/> and <paramref name="output"/> on standard output.</summary>
    public void AnswerWith(int exitCode, string output, string error = "") =>
        Answer = (command, _) => Task.FromResult(new CommandResult(command.Display, exitCode, output, error));

    public Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, TimeSpan timeout, string? standardInput = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ThrowIfUnreachable();
        var command = new FakeCommand(file, [.. arguments], timeout, standardInput);
        _commands.Add(command);
        return Answer(command, cancellationToken);
    }

    public async Task UploadAsync(Stream content, string nodePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ThrowIfUnreachable();
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        _files[nodePath] = copy.ToArray();
    }

    public async Task DownloadAsync(string nodePath, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ThrowIfUnreachable();
        if (!_files.TryGetValue(nodePath, out var bytes))
        {
            throw new FileNotFoundException($"{nodeName} has no file {nodePath}", nodePath);
        }

        await destination.WriteAsync(bytes, cancellationToken);
    }

    public Task<INodePortForward> ForwardPortAsync(IPEndPoint nodeEndPoint, CancellationToken cancellationToken = default)
    {
        ThrowIfUnreachable();
        throw new NotSupportedException($"{nodeName} is a fake node: it has no ports");
    }

    private void ThrowIfUnreachable()
    {
        if (Unreachable)
        {
            throw new NodeUnreachableException(nodeName, "the fake node is set unreachable");
        }
    }
}
