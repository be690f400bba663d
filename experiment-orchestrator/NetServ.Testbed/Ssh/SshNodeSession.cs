using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using NetServ.Testbed.Linux;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace NetServ.Testbed.Ssh;

/// <summary>
/// The session of a node reached over SSH (a Docker container, a GENI node): commands run through the node's sshd,
/// files are copied with SFTP, and ports are reached through local port forwards. The session logs in with the run's
/// own key (<see cref="SshKeyPair"/>) and pins the node's host key in the experiment's known_hosts file.
/// </summary>
/// <remarks>
/// <para>
/// Connections are made when first needed, and again after one drops: one for commands and port forwards, one for SFTP.
/// While the node refuses or does not answer, as it does while it boots, the session retries with growing pauses for
/// <see cref="SshNodeOptions.BootRetryWindow"/>, then throws <see cref="NodeUnreachableException"/>. A rejected key or a
/// changed host key is not retried. The exception's inner <see cref="SshConnectFailedException"/> says which of these
/// it was; for a changed host key it holds both fingerprints.
/// </para>
/// <para>
/// Commands are run by the node user's login shell, which must be a POSIX shell (as on Debian, Ubuntu and GENI
/// images): the file and its arguments are quoted for it, and the shell <c>exec</c>s the command. sshd makes the
/// command the leader of its own process group, so the timeout's and cancellation's SIGKILL (an SSH "signal" request)
/// reaches the command's children too. Standard input is always closed after <c>standardInput</c> is written: over SSH,
/// <see langword="null"/> has nothing to inherit, so it means what an empty string does.
/// </para>
/// </remarks>
public sealed partial class SshNodeSession : INodeSession, IAsyncDisposable, IDisposable
{
    /// <summary>How often a running command is checked for having exited while a background child holds its output open.</summary>
    private static readonly TimeSpan ExitPollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a kill waits for sshd to report the command's end before the channel is closed anyway.</summary>
    private const int KillReplyMilliseconds = 2000;

    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);

    // Sessions of one experiment share its known_hosts file; each reads, checks and appends it whole under this lock.
    private static readonly Lock KnownHostsLock = new();

    private readonly SshNodeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private PrivateKeyFile? _key;
    private SshClient? _ssh;
    private SftpClient? _sftp;
    private bool _disposed;

    /// <summary>A session into the node <paramref name="options"/> describe; nothing is connected until it is used.</summary>
    /// <exception cref="ArgumentException">The options cannot work (<see cref="SshNodeOptions.Validate"/>).</exception>
    public SshNodeSession(SshNodeOptions options, TimeProvider timeProvider, ILogger<SshNodeSession> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _options = options;
        _time = timeProvider;
        _logger = logger;
    }

    /// <inheritdoc />
    public string NodeName => _options.NodeName;

    private string Address => $"{_options.Host}:{_options.Port}";

    /// <inheritdoc />
    public async Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, TimeSpan timeout, string? standardInput = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentNullException.ThrowIfNull(arguments);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var display = CommandRunner.Display(file, arguments);
        var client = await ConnectedAsync(() => _ssh, c => _ssh = c, info => new SshClient(info), cancellationToken).ConfigureAwait(false);
        // SSH.NET sends no end-of-file for an input it was given nothing on, so an empty one is /dev/null on the node.
        var noInput = string.IsNullOrEmpty(standardInput);
        using var command = client.CreateCommand(PosixShell.CommandLine(file, arguments, noInput), Encoding.UTF8);
        Task execution;
        Stream? input;
        try
        {
            execution = command.ExecuteAsync(CancellationToken.None);
            input = noInput ? null : command.CreateInputStream();
        }
        catch (SshConnectionException e)
        {
            throw Dropped(e);
        }
        catch (SshException e)
        {
            throw new CommandFailedException($"'{display}' could not be started on {NodeName}: {e.Message}", e);
        }

        var output = new CommandOutput(command);
        if (input is not null)
        {
            // Not awaited: a command that never reads its input must still meet its timeout.
            _ = WriteInputAsync(input, standardInput!);
        }

        using var deadline = timeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(timeout, _time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await WaitForExitAsync(command, execution, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await KillAsync(client, command, execution, output.ProcessGroup).ConfigureAwait(false);
            var soFar = await CollectAsync(command, execution, output, display, CommandRunner.KilledExitCode).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException($"'{display}' was stopped on {NodeName}: the run was cancelled", cancellationToken);
            }

            Log.CommandTimedOut(_logger, NodeName, timeout.TotalSeconds, display);
            throw CommandFailedException.TimedOut(soFar, timeout);
        }
        catch (Exception e) when (e is SshException or SocketException)
        {
            throw Dropped(e);
        }

        var result = await CollectAsync(command, execution, output, display, exitCode: null).ConfigureAwait(false);
        if (PosixShell.WasNotStarted(result.ExitCode, result.StandardError))
        {
            throw new CommandFailedException($"'{display}' could not be started on {NodeName}: not found or not executable");
        }

        Log.CommandRan(_logger, NodeName, result.ExitCode, display);
        return result;
    }

    /// <inheritdoc />
    public async Task UploadAsync(Stream content, string nodePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        MachineFiles.ThrowIfNotAbsolute(nodePath);
        var sftp = await ConnectedAsync(() => _sftp, c => _sftp = c, info => new SftpClient(info), cancellationToken).ConfigureAwait(false);
        try
        {
            await sftp.UploadFileAsync(content, nodePath, canOverride: true, uploadProgress: null, cancellationToken).ConfigureAwait(false);
        }
        catch (SshConnectionException e)
        {
            throw Dropped(e);
        }
        catch (SshException e)
        {
            throw new IOException($"cannot write {nodePath} on {NodeName}: {Describe(e)}", e);
        }
    }

    /// <inheritdoc />
    public async Task DownloadAsync(string nodePath, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        MachineFiles.ThrowIfNotAbsolute(nodePath);
        var sftp = await ConnectedAsync(() => _sftp, c => _sftp = c, info => new SftpClient(info), cancellationToken).ConfigureAwait(false);
        try
        {
            await sftp.DownloadFileAsync(nodePath, destination, cancellationToken).ConfigureAwait(false);
        }
        catch (SshConnectionException e)
        {
            throw Dropped(e);
        }
        catch (SshException e)
        {
            throw new IOException($"cannot read {nodePath} on {NodeName}: {Describe(e)}", e);
        }
    }

    /// <summary>
    /// Opens a local port forward: a listener on 127.0.0.1, on a port the system picks, whose connections the node's
    /// sshd connects on to <paramref name="nodeEndPoint"/> (as the node sees it). It ends when the forward is disposed,
    /// or with the session.
    /// </summary>
    /// <remarks>
    /// sshd connects to the node's port only when a connection arrives, so a port nothing listens on is seen then: the
    /// forwarded connection is accepted and at once closed, rather than refused.
    /// </remarks>
    /// <exception cref="NodeUnreachableException">The node cannot be reached.</exception>
    public async Task<INodePortForward> ForwardPortAsync(IPEndPoint nodeEndPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nodeEndPoint);
        var client = await ConnectedAsync(() => _ssh, c => _ssh = c, info => new SshClient(info), cancellationToken).ConfigureAwait(false);
        var port = new ForwardedPortLocal(IPAddress.Loopback.ToString(), 0, nodeEndPoint.Address.ToString(), (uint)nodeEndPoint.Port);
        try
        {
            client.AddForwardedPort(port);
            port.Start();
        }
        catch (SshConnectionException e)
        {
            port.Dispose();
            throw Dropped(e);
        }
        catch
        {
            port.Dispose();
            throw;
        }

        var forward = new SshPortForward(client, port, nodeEndPoint, NodeName);
        Log.PortForwarded(_logger, NodeName, forward.EndPoint, nodeEndPoint);
        return forward;
    }

    /// <summary>Closes the session's connections; their port forwards end with them.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _ssh?.Dispose();
        _sftp?.Dispose();
        _key?.Dispose();
        _connecting.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The connected client <paramref name="current"/> holds, or a new one (<paramref name="create"/>) once connected with
    /// <see cref="ConnectAsync"/>, kept with <paramref name="keep"/>.
    /// </summary>
    private async Task<TClient> ConnectedAsync<TClient>(Func<TClient?> current, Action<TClient> keep, Func<ConnectionInfo, TClient> create, CancellationToken cancellationToken)
        where TClient : BaseClient
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (current() is { IsConnected: true } connected)
            {
                return connected;
            }

            current()?.Dispose();
            var client = await ConnectAsync(create, cancellationToken).ConfigureAwait(false);
            keep(client);
            return client;
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>
    /// Connects a new client, retrying while the node may be booting (<see cref="SshConnectFailedException.IsTransient"/>)
    /// until <see cref="SshNodeOptions.BootRetryWindow"/> has passed.
    /// </summary>
    private async Task<TClient> ConnectAsync<TClient>(Func<ConnectionInfo, TClient> create, CancellationToken cancellationToken)
        where TClient : BaseClient
    {
        _key ??= new PrivateKeyFile(_options.PrivateKeyPath);
        var retry = new BootRetry(_options.BootRetryWindow, _options.FirstRetryDelay, _options.MaxRetryDelay);
        var started = _time.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            var info = new ConnectionInfo(_options.Host, _options.Port, _options.User, new PrivateKeyAuthenticationMethod(_options.User, _key))
            {
                Timeout = _options.ConnectTimeout,
            };
            var client = create(info);
            var failure = await TryConnectAsync(client, cancellationToken).ConfigureAwait(false);
            if (failure is null)
            {
                Log.Connected(_logger, NodeName, Address, attempt);
                return client;
            }

            client.Dispose();
            var elapsed = _time.GetElapsedTime(started);
            if (!failure.IsTransient || retry.NextDelay(elapsed) is not { } delay)
            {
                Log.ConnectFailed(_logger, NodeName, failure.Failure, attempt, failure.Message);
                var tried = failure.IsTransient ? $" (tried {attempt} times over {elapsed.TotalSeconds:0.#} s)" : "";
                throw new NodeUnreachableException(NodeName, failure.Message + tried, failure);
            }

            Log.ConnectRetrying(_logger, NodeName, failure.Failure, attempt, delay.TotalMilliseconds);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One connection attempt: <see langword="null"/> when it connected, else why not.</summary>
    private async Task<SshConnectFailedException?> TryConnectAsync(BaseClient client, CancellationToken cancellationToken)
    {
        SshConnectFailedException? hostKeyChanged = null;
        client.HostKeyReceived += (_, e) =>
        {
            hostKeyChanged = CheckHostKey(e.HostKey);
            e.CanTrust = hostKeyChanged is null;
        };

        using var attemptTimeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token);
        try
        {
            await client.ConnectAsync(attempt.Token).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return NoAnswer(null);
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => new(SshConnectFailure.Refused, $"connection refused by {Address}: no sshd listens there (yet)", e),
                SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => Lost(e),
                _ => NoAnswer(e),
            };
        }
        catch (SshOperationTimeoutException e)
        {
            return NoAnswer(e);
        }
        catch (SshAuthenticationException e)
        {
            return new(SshConnectFailure.AuthenticationFailed, $"authentication failed: {Address} did not accept the key {_options.PrivateKeyPath} for user {_options.User}", e);
        }
        catch (SshConnectionException e)
        {
            // SSH.NET ends the key exchange with this when the host key was not trusted.
            return hostKeyChanged is null ? Lost(e) : new(hostKeyChanged.Failure, hostKeyChanged.Message, e)
            {
                ExpectedFingerprint = hostKeyChanged.ExpectedFingerprint,
                PresentedFingerprint = hostKeyChanged.PresentedFingerprint,
            };
        }
    }

    private SshConnectFailedException NoAnswer(Exception? e) =>
        new(SshConnectFailure.TimedOut, $"no answer from {Address} within {_options.ConnectTimeout.TotalSeconds:0.#} s{(e is null ? "" : ": " + e.Message)}", e);

    private SshConnectFailedException Lost(Exception e) =>
        new(SshConnectFailure.ConnectionLost, $"{Address} closed the connection before the SSH session was set up: {e.Message}", e);

    /// <summary>
    /// Checks the key the node presented against the manifest's fingerprint and the experiment's known_hosts file,
    /// recording it there at first contact; <see langword="null"/> when it may be trusted.
    /// </summary>
    private SshConnectFailedException? CheckHostKey(byte[] presentedKey)
    {
        var presented = KnownHosts.Fingerprint(presentedKey);
        lock (KnownHostsLock)
        {
            var text = File.Exists(_options.KnownHostsPath) ? File.ReadAllText(_options.KnownHostsPath) : "";
            var pinned = KnownHosts.Find(text, _options.Host, _options.Port);
            switch (KnownHosts.Check(presentedKey, _options.HostKeyFingerprint, pinned, out var expected))
            {
                case HostKeyVerdict.Trusted:
                    return null;
                case HostKeyVerdict.FirstContact:
                    var line = KnownHosts.Line(_options.Host, _options.Port, presentedKey);
                    var separator = text.Length == 0 || text.EndsWith('\n') ? "" : "\n";
                    File.AppendAllText(_options.KnownHostsPath, separator + line + "\n");
                    Log.HostKeyRecorded(_logger, NodeName, presented, _options.KnownHostsPath);
                    return null;
                default:
                    var pin = expected == _options.HostKeyFingerprint ? "the manifest" : _options.KnownHostsPath;
                    Log.HostKeyChanged(_logger, NodeName, expected, presented);
                    return new SshConnectFailedException(
                        SshConnectFailure.HostKeyChanged,
                        $"host key changed: {pin} pins {expected} for {Address}, but the node presented {presented}; " +
                        $"if the node was reinstalled, remove its line from {_options.KnownHostsPath}")
                    {
                        ExpectedFingerprint = expected,
                        PresentedFingerprint = presented,
                    };
            }
        }
    }

    /// <summary>
    /// Waits for the command to end. Once sshd has reported its exit, output still held open by a background child is
    /// waited for only <see cref="CommandRunner.OutputGrace"/>, as on this machine.
    /// </summary>
    private async Task WaitForExitAsync(SshCommand command, Task execution, CancellationToken cancellationToken)
    {
        long? exitedAt = null;
        while (!execution.IsCompleted)
        {
            if (exitedAt is null && (command.ExitStatus is not null || command.ExitSignal is not null))
            {
                exitedAt = _time.GetTimestamp();
            }

            if (exitedAt is { } at && _time.GetElapsedTime(at) >= CommandRunner.OutputGrace)
            {
                return;
            }

            await Task.WhenAny(execution, Task.Delay(ExitPollInterval, _time, cancellationToken)).ConfigureAwait(false);
            if (!execution.IsCompleted)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        await execution.ConfigureAwait(false);
    }

    /// <summary>
    /// Kills the command's process group: with <c>kill</c> run over a second channel, since sshd refuses SSH signals to
    /// root's sessions, then with an SSH signal as well; and waits a little for sshd to report the command's end.
    /// </summary>
    private static async Task KillAsync(SshClient client, SshCommand command, Task execution, Task<int?> processGroup)
    {
        try
        {
            if (await processGroup.WaitAsync(KillGrace).ConfigureAwait(false) is { } group)
            {
                using var kill = client.CreateCommand($"kill -s KILL -- -{group}");
                await kill.ExecuteAsync().WaitAsync(KillGrace).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is TimeoutException or SshException or SocketException or InvalidOperationException or ObjectDisposedException)
        {
            // The signal below is the other way.
        }

        try
        {
            await Task.Run(() => command.CancelAsync(forceKill: true, KillReplyMilliseconds)).ConfigureAwait(false);
            await execution.WaitAsync(KillGrace).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or SshException or SocketException or InvalidOperationException or ObjectDisposedException)
        {
            // The command ended anyway (cancelled, as asked), or sshd did not answer; the channel is closed below.
        }
    }

    /// <summary>
    /// What a command prints, read as it comes into text kept up to <see cref="CommandRunner.MaxCapturedCharacters"/> as
    /// <see cref="CommandRunner"/> keeps it: standard output whole, standard error after its first line, which names the
    /// command's process group.
    /// </summary>
    private sealed class CommandOutput
    {
        private readonly CapturedText _output = new(CommandRunner.MaxCapturedCharacters);
        private readonly CapturedText _error = new(CommandRunner.MaxCapturedCharacters);
        private readonly Task _reading;

        public CommandOutput(SshCommand command)
        {
            ProcessGroup = Task.Run(() => ReadProcessGroup(command.ExtendedOutputStream), CancellationToken.None);
            _reading = Task.WhenAll(
                Task.Run(() => AppendAllAsync(command.OutputStream, _output), CancellationToken.None),
                ReadErrorAsync(command.ExtendedOutputStream));
        }

        /// <summary>The command's process group, once standard error's first line is read; null when the line did not name one.</summary>
        public Task<int?> ProcessGroup { get; }

        /// <summary>Standard output and standard error, once both streams have ended.</summary>
        public async Task<(string Output, string Error)> EndAsync()
        {
            await _reading.ConfigureAwait(false);
            return (_output.ToString(), _error.ToString());
        }

        private static async Task AppendAllAsync(Stream stream, CapturedText text)
        {
            // The command owns its streams and closes them when it is disposed.
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
            await text.AppendAllAsync(reader).ConfigureAwait(false);
        }

        private async Task ReadErrorAsync(Stream standardError)
        {
            await ProcessGroup.ConfigureAwait(false);
            await AppendAllAsync(standardError, _error).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads the command line's first line of standard error, which names the command's process group
    /// (<see cref="PosixShell.ProcessGroupPrefix"/>), leaving the rest for the result. Byte by byte: nothing past the
    /// line may be taken.
    /// </summary>
    private static int? ReadProcessGroup(Stream standardError)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (standardError.Read(one, 0, 1) == 1 && one[0] != (byte)'\n' && line.Length < 64)
        {
            line.Append((char)one[0]);
        }

        var text = line.ToString();
        return text.StartsWith(PosixShell.ProcessGroupPrefix, StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(PosixShell.ProcessGroupPrefix.Length), System.Globalization.CultureInfo.InvariantCulture, out var group) ? group : null;
    }

    /// <summary>
    /// What the command printed and its exit code (<paramref name="exitCode"/> when given). A channel still open (a
    /// background child holds the output) is closed first, which ends the output streams.
    /// </summary>
    private static async Task<CommandResult> CollectAsync(SshCommand command, Task execution, CommandOutput output, string display, int? exitCode)
    {
        if (!execution.IsCompleted)
        {
            command.Dispose();
            try
            {
                await execution.ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // How SshCommand ends a command it was disposed during.
            }
        }

        // The streams have ended: all that was printed has been read.
        var (standardOutput, standardError) = await output.EndAsync().ConfigureAwait(false);
        var code = exitCode ?? command.ExitStatus ?? (command.ExitSignal is { } signal ? 128 + SignalNumber(signal) : -1);
        return new CommandResult(display, code, standardOutput, standardError);
    }

    private static async Task WriteInputAsync(Stream input, string standardInput)
    {
        try
        {
            await Task.Run(() =>
            {
                using (input)
                {
                    input.Write(Encoding.UTF8.GetBytes(standardInput));
                }
            }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SshException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The command ended, or closed its input, before it read all of it.
        }
    }

    /// <summary>The signal numbers of Linux for the names RFC 4254 lists in exit-signal.</summary>
    private static int SignalNumber(string name) => name switch
    {
        "HUP" => 1,
        "INT" => 2,
        "QUIT" => 3,
        "ILL" => 4,
        "ABRT" => 6,
        "FPE" => 8,
        "KILL" => 9,
        "USR1" => 10,
        "SEGV" => 11,
        "USR2" => 12,
        "PIPE" => 13,
        "ALRM" => 14,
        "TERM" => 15,
        _ => 0,
    };

    private NodeUnreachableException Dropped(Exception e) => new(NodeName, $"the SSH connection to {Address} dropped: {e.Message}", e);

    private static string Describe(SshException e) => e switch
    {
        SftpPathNotFoundException => "no such file or folder",
        SftpPermissionDeniedException => "permission denied",
        _ => e.Message,
    };

    private static partial class Log
    {
        [LoggerMessage(2781, LogLevel.Debug, "Node {Node}: connected over SSH to {Address} at attempt {Attempt}")]
        public static partial void Connected(ILogger logger, string node, string address, int attempt);

        [LoggerMessage(2782, LogLevel.Information, "Node {Node}: SSH connection failed ({Failure}) at attempt {Attempt}; retrying in {DelayMilliseconds} ms")]
        public static partial void ConnectRetrying(ILogger logger, string node, SshConnectFailure failure, int attempt, double delayMilliseconds);

        [LoggerMessage(2783, LogLevel.Error, "Node {Node}: SSH connection failed ({Failure}) at attempt {Attempt}, giving up: {Reason}")]
        public static partial void ConnectFailed(ILogger logger, string node, SshConnectFailure failure, int attempt, string reason);

        [LoggerMessage(2784, LogLevel.Information, "Node {Node}: first contact, host key {Fingerprint} recorded in {KnownHostsPath}")]
        public static partial void HostKeyRecorded(ILogger logger, string node, string fingerprint, string knownHostsPath);

        [LoggerMessage(2785, LogLevel.Error, "Node {Node}: host key changed: pinned {Expected}, presented {Presented}")]
        public static partial void HostKeyChanged(ILogger logger, string node, string? expected, string presented);

        [LoggerMessage(2786, LogLevel.Debug, "Node {Node}: exited with {ExitCode}: {Command}")]
        public static partial void CommandRan(ILogger logger, string node, int exitCode, string command);

        [LoggerMessage(2787, LogLevel.Warning, "Node {Node}: killed after {TimeoutSeconds} s: {Command}")]
        public static partial void CommandTimedOut(ILogger logger, string node, double timeoutSeconds, string command);

        [LoggerMessage(2788, LogLevel.Debug, "Node {Node}: {LocalEndPoint} forwards to {NodeEndPoint}")]
        public static partial void PortForwarded(ILogger logger, string node, IPEndPoint localEndPoint, IPEndPoint nodeEndPoint);
    }
}
