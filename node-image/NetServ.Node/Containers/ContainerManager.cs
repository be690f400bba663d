using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetServ.Contracts.Configuration;
using NetServ.Contracts.Control;
using NetServ.Contracts.Status;

namespace NetServ.Node.Containers;

/// <summary>
/// Preforks one netserv-container per configured user, keeps a persistent control connection to
/// each (one Unix listener; a container is recognised by its uid and pid), restarts containers
/// that die, recycles them on request, and stops them all on shutdown.
/// </summary>
internal sealed partial class ContainerManager : IContainerHost, IHostedService, IAsyncDisposable
{
    private readonly NodeConfiguration _options;
    private readonly IContainerCgroups _cgroups;
    private readonly IContainerProcesses _processes;
    private readonly IControlPeers _peers;
    private readonly ILogger<ContainerManager> _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, ContainerHandle> _containers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ContainerRestartPolicy _restartPolicy;
    private Socket? _listener;
    private Task? _acceptLoop;
    private long _nextRequestId;

    public ContainerManager(IOptions<NodeConfiguration> options, Cgroups cgroups, TimeProvider time, ILoggerFactory loggerFactory)
        : this(options, cgroups, new ContainerProcesses(new ContainerLaunch(options.Value), loggerFactory), new ControlPeers(), time, loggerFactory)
    {
    }

    /// <summary>With the processes, cgroups and peers that tests fake; dependency injection sees only the public constructor.</summary>
    internal ContainerManager(IOptions<NodeConfiguration> options, IContainerCgroups cgroups, IContainerProcesses processes, IControlPeers peers, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _options = options.Value;
        _cgroups = cgroups;
        _processes = processes;
        _peers = peers;
        _time = time;
        _logger = loggerFactory.CreateLogger<ContainerManager>();
        _restartPolicy = new ContainerRestartPolicy(_options.Containers.MaxRestartsPerMinute, time);
        for (var i = 0; i < _options.Users.Count; i++)
        {
            var user = _options.Users[i];
            _containers.Add(user.Name, new ContainerHandle(
                user,
                _options.Containers.UidBase + i,
                user.Queue ?? (_options.Containers.QueueBase + i),
                Path.Combine(_options.StateDirectory, _options.NodeName, "containers", user.Name)));
        }
    }

    /// <summary>Told of modules that failed on their own and of containers that came back (restart after a crash, or recycle).</summary>
    public IContainerEvents? Events { get; set; }

    public string ControlSocketPath => Path.Combine(_options.RuntimeDirectory, _options.NodeName, "containers.sock");

    public IReadOnlyCollection<ContainerHandle> Containers => _containers.Values;

    public bool TryGet(string user, out ContainerHandle handle) => _containers.TryGetValue(user, out handle!);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var problems = _processes.Problems();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("containers cannot be started: " + string.Join("; ", problems));
        }

        _cgroups.RemoveNode(_options.NodeName);
        RemoveContainerDirectories();
        var runtime = Path.GetDirectoryName(ControlSocketPath)!;
        Directory.CreateDirectory(runtime);
        File.SetUnixFileMode(runtime, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        File.Delete(ControlSocketPath);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(ControlSocketPath));

        // Any local process may connect; only the containers we started (uid and pid) are kept.
        File.SetUnixFileMode(ControlSocketPath, (UnixFileMode)0b110_110_110);
        _listener.Listen(64);
        _acceptLoop = Task.Run(() => AcceptLoopAsync(_stopping.Token), CancellationToken.None);

        var starts = _containers.Values.Select(async handle =>
        {
            try
            {
                await LaunchAsync(handle, cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.StartFailed(_logger, handle.Name, e.Message);
                ScheduleRestart(handle, handle.Generation, ContainerRestartReason.FirstStartFailed(e.Message));
                return e.Message;
            }
        }).ToArray();
        var failures = (await Task.WhenAll(starts).ConfigureAwait(false)).OfType<string>().ToArray();
        if (failures.Length == _containers.Count)
        {
            throw new InvalidOperationException($"no container could be started: {failures[0]}");
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_containers.Values.Select(handle => StopContainerAsync(handle, CancellationToken.None))).ConfigureAwait(false);
        _listener?.Dispose();
        File.Delete(ControlSocketPath);
        if (_acceptLoop is not null)
        {
            await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _cgroups.RemoveNode(_options.NodeName);
        RemoveContainerDirectories();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _stopping.Dispose();
        foreach (var handle in _containers.Values)
        {
            handle.Lifecycle.Dispose();
        }
    }

    /// <summary>Sends a request to a user's container and waits for its reply.</summary>
    /// <exception cref="ContainerUnavailableException">The container is not ready, died, or did not answer in time.</exception>
    public async Task<ReplyMessage> RequestAsync(string user, ControlMessage message, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        if (!_containers.TryGetValue(user, out var handle))
        {
            throw new ContainerUnavailableException($"there is no container for user {user}");
        }

        if (handle.State != ContainerState.Ready || handle.Channel is not { } channel)
        {
            throw new ContainerUnavailableException($"the container of {user} is {handle.State.ToString().ToLowerInvariant()}");
        }

        var id = Interlocked.Increment(ref _nextRequestId);
        var reply = new TaskCompletionSource<ReplyMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        handle.Pending[id] = reply;
        try
        {
            await channel.SendAsync(message with { Id = id }, cancellationToken).ConfigureAwait(false);
            return await reply.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(_options.Containers.RequestTimeoutSeconds), _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new ContainerUnavailableException($"the container of {user} did not answer within {(timeout ?? TimeSpan.FromSeconds(_options.Containers.RequestTimeoutSeconds)).TotalSeconds:0} s");
        }
        catch (IOException e)
        {
            throw new ContainerUnavailableException($"the control connection to the container of {user} broke: {e.Message}", e);
        }
        finally
        {
            handle.Pending.TryRemove(id, out _);
        }
    }

    /// <summary>Stops a container gracefully and starts a fresh one (to reclaim what a failed module holds).</summary>
    public async Task RecycleAsync(string user, ContainerRestartReason reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (!_containers.TryGetValue(user, out var handle) || _stopping.IsCancellationRequested)
        {
            return;
        }

        Log.Recycling(_logger, user, reason.ToString());
        await StopContainerAsync(handle, CancellationToken.None).ConfigureAwait(false);
        try
        {
            await LaunchAsync(handle, _stopping.Token).ConfigureAwait(false);
            handle.Restarts++;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.StartFailed(_logger, user, e.Message);
            ScheduleRestart(handle, handle.Generation, ContainerRestartReason.RecycleFailed(e.Message));
            return;
        }

        await NotifyRestartedAsync(user, reason).ConfigureAwait(false);
    }

    /// <summary>The container's state for status and PROBE.</summary>
    public ContainerStatus Describe(ContainerHandle handle) => new()
    {
        State = handle.State switch
        {
            ContainerState.Starting => Contracts.Status.ContainerState.Starting,
            ContainerState.Ready => Contracts.Status.ContainerState.Ready,
            ContainerState.Restarting => Contracts.Status.ContainerState.Restarting,
            _ => Contracts.Status.ContainerState.Stopped,
        },
        Pid = handle.State == ContainerState.Ready ? handle.Process?.Id : null,
        Uid = handle.Uid,
        Queue = handle.Queue,
        Restarts = handle.Restarts,
        StartedAt = handle.StartedAt,
        LastExit = handle.LastExit,
        BuildingBlocks = handle.Hello?.BuildingBlocks,
        NoModuleLayer = handle.Hello?.NoModuleLayer,
        Cgroup = handle.Cgroup is { } cgroup ? string.Join(",", cgroup.Directories) : _cgroups.Unavailable,
        MemoryLimitMb = handle.User.MemoryLimitMb,
        CpuLimit = handle.User.CpuLimit,
        User = handle.Name,
    };

    private async Task LaunchAsync(ContainerHandle handle, CancellationToken cancellationToken)
    {
        await handle.Lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _processes.PrepareDirectories(handle);
            handle.Cgroup ??= _cgroups.Create(_options.NodeName, handle.Name, handle.User.MemoryLimitMb, handle.User.CpuLimit);
            handle.OomKillsAtStart = handle.Cgroup is { } cgroup ? _cgroups.OomKills(cgroup) : 0;
            handle.Generation++;
            handle.Intentional = false;
            handle.State = ContainerState.Starting;
            handle.Hello = null;
            handle.HelloSource = new TaskCompletionSource<HelloMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            var generation = handle.Generation;

            var process = _processes.Start(handle, handle.Cgroup, ControlSocketPath, exited => OnExited(handle, exited, generation));
            handle.Process = process;

            var timeout = TimeSpan.FromSeconds(_options.Containers.StartTimeoutSeconds);
            try
            {
                var hello = await handle.HelloSource.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
                handle.Hello = hello;
                handle.StartedAt = _time.GetUtcNow();
                handle.State = ContainerState.Ready;
                Log.Started(_logger, handle.Name, process.Id, handle.Uid, handle.Queue);
            }
            catch (TimeoutException)
            {
                handle.Intentional = true;
                process.Kill();
                throw new InvalidOperationException($"the container of {handle.Name} did not say hello within {timeout.TotalSeconds:0} s (see its log lines above)");
            }
        }
        finally
        {
            handle.Lifecycle.Release();
        }
    }

    private async Task StopContainerAsync(ContainerHandle handle, CancellationToken cancellationToken)
    {
        await handle.Lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            handle.Intentional = true;
            var process = handle.Process;
            if (handle.State == ContainerState.Ready && handle.Channel is { } channel)
            {
                try
                {
                    var id = Interlocked.Increment(ref _nextRequestId);
                    var reply = new TaskCompletionSource<ReplyMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
                    handle.Pending[id] = reply;
                    await channel.SendAsync(new ShutdownMessage { Id = id }, cancellationToken).ConfigureAwait(false);
                    await reply.Task.WaitAsync(TimeSpan.FromSeconds(5), _time, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is TimeoutException or IOException or ObjectDisposedException)
                {
                    Log.ShutdownIgnored(_logger, handle.Name, e.Message);
                }
            }

            handle.State = ContainerState.Stopped;
            if (process is not null)
            {
                if (!process.WaitForExit(TimeSpan.FromSeconds(3)))
                {
                    process.Kill();
                }

                process.WaitForExit(TimeSpan.FromSeconds(3));
                process.Dispose();
                handle.Process = null;
            }

            if (handle.Channel is { } open)
            {
                await open.DisposeAsync().ConfigureAwait(false);
                handle.Channel = null;
            }

            FailPending(handle, "the container stopped");
        }
        finally
        {
            handle.Lifecycle.Release();
        }
    }

    private void OnExited(ContainerHandle handle, IContainerProcess process, int generation)
    {
        int code;
        try
        {
            code = process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            code = -1;
        }

        var oom = handle.Cgroup is { } cgroup && _cgroups.OomKills(cgroup) > handle.OomKillsAtStart;
        var exit = new ContainerExit(code, oom, handle.Intentional, Superseded: generation != handle.Generation, _stopping.IsCancellationRequested);
        if (ContainerRestartPolicy.RestartReason(exit) is not { } reason)
        {
            return;
        }

        var description = exit.Description;
        handle.LastExit = $"{_time.GetUtcNow():O}: {description}";
        handle.State = ContainerState.Restarting;
        handle.HelloSource?.TrySetException(new InvalidOperationException($"the container exited ({description}) before saying hello"));
        FailPending(handle, $"the container exited ({description})");
        Log.Died(_logger, handle.Name, process.Id, description);
        ScheduleRestart(handle, generation, reason);
    }

    private void ScheduleRestart(ContainerHandle handle, int generation, ContainerRestartReason reason)
    {
        var delay = _restartPolicy.NextDelay(handle.Crashes);
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
                if (handle.Generation != generation || _stopping.IsCancellationRequested)
                {
                    return;
                }

                if (handle.Channel is { } old)
                {
                    await old.DisposeAsync().ConfigureAwait(false);
                    handle.Channel = null;
                }

                handle.Process?.Dispose();
                handle.Process = null;
                await LaunchAsync(handle, _stopping.Token).ConfigureAwait(false);
                handle.Restarts++;
                await NotifyRestartedAsync(handle.Name, reason).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                Log.StartFailed(_logger, handle.Name, e.Message);
                if (!_stopping.IsCancellationRequested && handle.Generation == generation + 1)
                {
                    ScheduleRestart(handle, handle.Generation, reason);
                }
            }
        });
    }

    private async Task NotifyRestartedAsync(string user, ContainerRestartReason reason)
    {
        if (Events is { } events)
        {
            try
            {
                await events.ContainerRestartedAsync(user, reason).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Log.CallbackFailed(_logger, user, e.Message);
            }
        }
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener!.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            // A connection lives until its container closes it: replies to the shutdown requests of
            // StopAsync still arrive after stopping has begun.
            _ = Task.Run(() => ServeConnectionAsync(connection, CancellationToken.None), CancellationToken.None);
        }
    }

    private async Task ServeConnectionAsync(Socket connection, CancellationToken cancellationToken)
    {
        ContainerHandle? handle = null;
        try
        {
            var peer = _peers.Identify(connection);

            // The process may connect before Process.Start has returned to us; give it a moment.
            for (var attempt = 0; attempt < 50 && handle is null; attempt++)
            {
                handle = _containers.Values.FirstOrDefault(h => h.Uid == peer.Uid && h.Process is { } p && SafeId(p) == peer.Pid);
                if (handle is null)
                {
                    await Task.Delay(20, cancellationToken).ConfigureAwait(false);
                }
            }

            if (handle is null)
            {
                Log.UnknownPeer(_logger, peer.Pid, peer.Uid);
                connection.Dispose();
                return;
            }

            // The container gets a raw socket for sending packets without holding CAP_NET_RAW itself.
            connection.Blocking = true;
            _peers.GiveRawSocket(connection);

            var channel = new ControlChannel(connection);
            handle.Channel = channel;
            while (true)
            {
                var message = await channel.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                if (message is null)
                {
                    return;
                }

                switch (message)
                {
                    case HelloMessage hello:
                        handle.HelloSource?.TrySetResult(hello);
                        break;
                    case ReplyMessage reply:
                        if (handle.Pending.TryRemove(reply.Id, out var waiting))
                        {
                            waiting.TrySetResult(reply);
                        }

                        break;
                    case ModuleFailedMessage failed:
                        Log.ModuleFailed(_logger, handle.Name, failed.Module, failed.Reason, failed.Detail ?? string.Empty);
                        if (Events is { } events)
                        {
                            _ = Task.Run(() => events.ModuleFailedAsync(handle.Name, failed), CancellationToken.None);
                        }

                        break;
                    default:
                        Log.UnexpectedMessage(_logger, handle.Name, message.GetType().Name);
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or SocketException or OperationCanceledException or ObjectDisposedException or System.ComponentModel.Win32Exception)
        {
            if (handle is not null && !_stopping.IsCancellationRequested && !handle.Intentional)
            {
                Log.ConnectionLost(_logger, handle.Name, e.Message);
            }
        }
    }

    /// <summary>Module code and data of a previous run (or this one) must not survive: a node comes back with no stale module.</summary>
    private void RemoveContainerDirectories()
    {
        var root = Path.Combine(_options.StateDirectory, _options.NodeName, "containers");
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void FailPending(ContainerHandle handle, string reason)
    {
        foreach (var (id, waiting) in handle.Pending.ToArray())
        {
            if (handle.Pending.TryRemove(id, out _))
            {
                waiting.TrySetException(new ContainerUnavailableException(reason));
            }
        }
    }

    private static int SafeId(IContainerProcess process)
    {
        try
        {
            return process.Id;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2401, LogLevel.Information, "Container of {User} is running (pid {Pid}, uid {Uid}, queue {Queue})")]
        public static partial void Started(ILogger logger, string user, int pid, int uid, int queue);

        [LoggerMessage(2402, LogLevel.Error, "Container of {User} could not be started: {Error}")]
        public static partial void StartFailed(ILogger logger, string user, string error);

        [LoggerMessage(2403, LogLevel.Warning, "Container of {User} (pid {Pid}) died: {Description}; restarting it")]
        public static partial void Died(ILogger logger, string user, int pid, string description);

        [LoggerMessage(2404, LogLevel.Warning, "A process (pid {Pid}, uid {Uid}) that is not one of our containers connected to the control socket; refused")]
        public static partial void UnknownPeer(ILogger logger, int pid, uint uid);

        [LoggerMessage(2405, LogLevel.Error, "Container of {User} reports module {Module} failed ({Reason}): {Detail}")]
        public static partial void ModuleFailed(ILogger logger, string user, string module, string reason, string detail);

        [LoggerMessage(2406, LogLevel.Warning, "Control connection to the container of {User} lost: {Error}")]
        public static partial void ConnectionLost(ILogger logger, string user, string error);

        [LoggerMessage(2407, LogLevel.Information, "Recycling the container of {User}: {Reason}")]
        public static partial void Recycling(ILogger logger, string user, string reason);

        [LoggerMessage(2408, LogLevel.Warning, "Container of {User} did not shut down gracefully ({Error}); it is killed")]
        public static partial void ShutdownIgnored(ILogger logger, string user, string error);

        [LoggerMessage(2409, LogLevel.Warning, "Container of {User} sent an unexpected {Type}")]
        public static partial void UnexpectedMessage(ILogger logger, string user, string type);

        [LoggerMessage(2410, LogLevel.Error, "Reinstalling the modules of {User} failed: {Error}")]
        public static partial void CallbackFailed(ILogger logger, string user, string error);
    }
}
