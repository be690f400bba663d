using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Threading.Channels;
using NetServ.Contracts.Control;
using NetServ.Node.Containers;

namespace NetServ.Node.Tests.Containers;

/// <summary>
/// Container processes that exist only in the test: each "process" connects to the manager's real control
/// socket from a socket bound to its own path, which is how the fake peer credentials tell it apart, says
/// hello, answers a shutdown by exiting, and otherwise leaves the requests it gets to the test.
/// </summary>
internal sealed class FakeContainers(string directory) : IContainerProcesses, IControlPeers
{
    private readonly ConcurrentDictionary<string, PeerCredentials> _peers = new(StringComparer.Ordinal);
    private readonly Channel<FakeContainer> _started = Channel.CreateUnbounded<FakeContainer>();
    private int _nextPid = 5000;

    /// <summary>Whether a started container connects and says hello by itself (false: it hangs until the test connects it).</summary>
    public bool SayHello { get; set; } = true;

    /// <summary>Every container started so far, oldest first.</summary>
    public ConcurrentQueue<FakeContainer> All { get; } = new();

    public IReadOnlyList<string> Problems() => [];

    public void PrepareDirectories(ContainerHandle handle) => Directory.CreateDirectory(handle.Directory);

    public IContainerProcess Start(ContainerHandle handle, ContainerCgroup? cgroup, string controlSocket, Action<IContainerProcess> exited)
    {
        var container = new FakeContainer(this, Interlocked.Increment(ref _nextPid), handle.Uid, handle.Name, cgroup, controlSocket, exited);
        All.Enqueue(container);
        _started.Writer.TryWrite(container);
        if (SayHello)
        {
            _ = Task.Run(() => container.ConnectAsync());
        }

        return container;
    }

    /// <summary>The next container started, waiting for it (but not forever).</summary>
    public async Task<FakeContainer> NextStartedAsync()
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _started.Reader.ReadAsync(patience.Token);
    }

    /// <summary>Whether a container was started that <see cref="NextStartedAsync"/> has not returned yet.</summary>
    public bool AnyStarted => _started.Reader.Count > 0;

    public PeerCredentials Identify(Socket connection) =>
        connection.RemoteEndPoint is UnixDomainSocketEndPoint peer && _peers.TryGetValue(peer.ToString(), out var credentials)
            ? credentials
            : new PeerCredentials(-1, uint.MaxValue);

    public void GiveRawSocket(Socket connection)
    {
    }

    /// <summary>Connects to the control socket as a process with these credentials would.</summary>
    public async Task<ControlChannel> ConnectAsync(string controlSocket, PeerCredentials credentials)
    {
        var path = Path.Combine(directory, $"peer-{Guid.NewGuid():N}"[..13] + ".sock");
        _peers[path] = credentials;
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(controlSocket));
        return new ControlChannel(socket);
    }
}

/// <summary>One fake container process.</summary>
internal sealed class FakeContainer(FakeContainers containers, int pid, int uid, string user, ContainerCgroup? cgroup, string controlSocket, Action<IContainerProcess> exited) : IContainerProcess
{
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<ControlMessage> _requests = Channel.CreateUnbounded<ControlMessage>();
    private ControlChannel? _channel;
    private int _exitCode = -1;

    public int Id => pid;

    public string User => user;

    public ContainerCgroup? Cgroup => cgroup;

    public bool HasExited => _exited.Task.IsCompleted;

    public int ExitCode => HasExited ? _exitCode : throw new InvalidOperationException("the process has not exited");

    public bool WaitForExit(TimeSpan timeout) => _exited.Task.Wait(timeout);

    public void Kill() => Exit(137);

    public void Dispose()
    {
    }

    /// <summary>Connects with the uid and pid the manager expects and says hello.</summary>
    public async Task ConnectAsync()
    {
        var channel = await containers.ConnectAsync(controlSocket, new PeerCredentials(pid, (uint)uid));
        _channel = channel;
        await channel.SendAsync(new HelloMessage { Pid = pid, User = user, SdkVersion = "1.0.0", BuildingBlocks = [] }, CancellationToken.None);
        _ = Task.Run(() => ServeAsync(channel));
    }

    /// <summary>The next request the manager sent (other than a shutdown, which the container answers itself).</summary>
    public async Task<ControlMessage> NextRequestAsync()
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _requests.Reader.ReadAsync(patience.Token);
    }

    public Task ReplyAsync(ControlMessage request) =>
        _channel!.SendAsync(new ReplyMessage { Id = request.Id, Ok = true }, CancellationToken.None);

    /// <summary>The process ends: its connection closes, then its exit is reported, as with a real process.</summary>
    public void Exit(int code)
    {
        if (Interlocked.CompareExchange(ref _exitCode, code, -1) != -1)
        {
            return;
        }

        _channel?.Socket.Dispose();
        _exited.TrySetResult();
        exited(this);
    }

    private async Task ServeAsync(ControlChannel channel)
    {
        try
        {
            while (await channel.ReceiveAsync(CancellationToken.None) is { } message)
            {
                if (message is ShutdownMessage)
                {
                    await ReplyAsync(message);
                    Exit(0);
                    return;
                }

                _requests.Writer.TryWrite(message);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
        }
    }
}

/// <summary>Cgroups that are only recorded; the test says when the kernel's OOM killer struck.</summary>
internal sealed class FakeCgroups : IContainerCgroups
{
    private readonly ConcurrentDictionary<string, long> _oomKills = new(StringComparer.Ordinal);

    public string? Unavailable => null;

    /// <summary>What was done, in order: "create alice 128 MB 0.5 CPU", "remove node".</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Called on each removal of the node's cgroups, before it is recorded.</summary>
    public Action? Removing { get; set; }

    public ContainerCgroup? Create(string node, string user, int memoryLimitMb, double cpuLimit)
    {
        Calls.Enqueue($"create {user} {memoryLimitMb} MB {cpuLimit} CPU");
        var directory = $"/fake/netserv/{node}/{user}";
        return new ContainerCgroup([directory], directory, IsV2: true);
    }

    public long OomKills(ContainerCgroup cgroup) => _oomKills.GetValueOrDefault(cgroup.MemoryDirectory!);

    public void RemoveNode(string node)
    {
        Removing?.Invoke();
        Calls.Enqueue($"remove {node}");
    }

    public void OomKill(ContainerCgroup cgroup) => _oomKills.AddOrUpdate(cgroup.MemoryDirectory!, 1, (_, n) => n + 1);
}
