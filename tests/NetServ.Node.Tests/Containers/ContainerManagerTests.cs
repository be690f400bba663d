using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NetServ.Contracts.Configuration;
using NetServ.Contracts.Control;
using NetServ.Node.Containers;

namespace NetServ.Node.Tests.Containers;

/// <summary>
/// What the container manager decides without a container process: identities, status, requests and their
/// time-outs, and what stopping does to a ready container and its waiting requests. The control connection is
/// a real Unix socket pair in a temporary directory; the test plays the container on its far end. No root,
/// and the clock is fake.
/// </summary>
[TestFixture]
public sealed class ContainerManagerTests
{
    private WatchedClock _time = null!;
    private string _directory = null!;
    private NodeConfiguration _settings = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new WatchedClock(new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero)));
        _directory = Directory.CreateTempSubdirectory("netserv-containers-").FullName;
        _settings = new NodeConfiguration
        {
            NodeName = $"unit-{Guid.NewGuid():N}"[..16],
            RuntimeDirectory = Path.Combine(_directory, "run"),
            StateDirectory = Path.Combine(_directory, "state"),
            Containers = { Executable = Path.Combine(_directory, "missing", "netserv-container.dll"), Sandbox = Path.Combine(_directory, "missing", "netserv-sandbox") },
            Users =
            [
                new UserConfiguration { Name = "alice", MemoryLimitMb = 128, CpuLimit = 0.5 },
                new UserConfiguration { Name = "bob", Queue = 300 },
            ],
        };
        Directory.CreateDirectory(Path.Combine(_settings.RuntimeDirectory, _settings.NodeName));
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Containers_EachUserGetsTheNextUidAndQueue_UnlessTheUserNamesAQueue()
    {
        var manager = Manager();

        Assert.That(manager.TryGet("alice", out var alice), Is.True);
        Assert.That(manager.TryGet("bob", out var bob), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((alice.Uid, alice.Queue), Is.EqualTo((64200, 100)));
            Assert.That((bob.Uid, bob.Queue), Is.EqualTo((64201, 300)));
            Assert.That(alice.Directory, Is.EqualTo(Path.Combine(_settings.StateDirectory, _settings.NodeName, "containers", "alice")));
            Assert.That(manager.ControlSocketPath, Is.EqualTo(Path.Combine(_settings.RuntimeDirectory, _settings.NodeName, "containers.sock")));
        }
    }

    [Test]
    public void Start_ContainerProgramsMissing_FailsNamingWhatIsMissingBeforeStartingAny()
    {
        var manager = Manager();

        Assert.That(
            async () => await manager.StartAsync(CancellationToken.None),
            Throws.InvalidOperationException.With.Message.StartsWith("containers cannot be started: ").And.Message.Contains("netserv-container.dll is missing").And.Message.Contains("netserv-sandbox is missing"));
        Assert.That(File.Exists(manager.ControlSocketPath), Is.False);
        Assert.That(manager.Containers.Select(c => c.State), Is.All.EqualTo(ContainerState.Stopped));
    }

    [TestCase(ContainerState.Starting, Contracts.Status.ContainerState.Starting)]
    [TestCase(ContainerState.Ready, Contracts.Status.ContainerState.Ready)]
    [TestCase(ContainerState.Restarting, Contracts.Status.ContainerState.Restarting)]
    [TestCase(ContainerState.Stopped, Contracts.Status.ContainerState.Stopped)]
    public void Describe_ReportsTheStateLimitsAndHistoryOfTheContainer(object state, object reported)
    {
        var manager = Manager();
        manager.TryGet("alice", out var alice);
        alice.State = (ContainerState)state;
        alice.Restarts = 2;
        alice.LastExit = "2025-03-01T11:59:00.0000000+00:00: killed by signal 9";
        alice.Hello = new HelloMessage { Pid = 4000, User = "alice", SdkVersion = "1.0.0", BuildingBlocks = ["http-server"] };

        var status = manager.Describe(alice);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status.State, Is.EqualTo((Contracts.Status.ContainerState)reported));
            Assert.That((status.User, status.Uid, status.Queue), Is.EqualTo(("alice", 64200, 100)));
            Assert.That((status.MemoryLimitMb, status.CpuLimit), Is.EqualTo((128, 0.5)));
            Assert.That(status.Restarts, Is.EqualTo(2));
            Assert.That(status.LastExit, Is.EqualTo(alice.LastExit));
            Assert.That(status.BuildingBlocks, Is.EqualTo(new[] { "http-server" }));
            Assert.That(status.Pid, Is.Null, "no process");
        }
    }

    [Test]
    public void Request_UserWithoutAContainer_IsUnavailable()
    {
        var manager = Manager();

        Assert.That(
            async () => await manager.RequestAsync("mallory", new StatusRequestMessage(), CancellationToken.None),
            Throws.TypeOf<ContainerUnavailableException>().With.Message.EqualTo("there is no container for user mallory"));
    }

    [TestCase(ContainerState.Starting, "starting")]
    [TestCase(ContainerState.Restarting, "restarting")]
    [TestCase(ContainerState.Stopped, "stopped")]
    public void Request_ContainerNotReady_IsUnavailableNamingItsState(object state, string words)
    {
        var manager = Manager();
        manager.TryGet("alice", out var alice);
        alice.State = (ContainerState)state;

        Assert.That(
            async () => await manager.RequestAsync("alice", new StatusRequestMessage(), CancellationToken.None),
            Throws.TypeOf<ContainerUnavailableException>().With.Message.EqualTo($"the container of alice is {words}"));
    }

    [Test]
    public async Task Request_ReachesTheContainerWithANewIdEachTime()
    {
        var manager = Manager();
        await using var container = await ReadyContainerAsync(manager, "alice");

        var first = manager.RequestAsync("alice", new StatusRequestMessage(), CancellationToken.None);
        var second = manager.RequestAsync("alice", new RemoveModuleMessage { Module = "NetServ.Apps.NetMonitor_1.0.0" }, CancellationToken.None);
        var received = new[] { await container.ReceiveAsync(CancellationToken.None), await container.ReceiveAsync(CancellationToken.None) };

        Assert.That(received.Select(m => m?.GetType()), Is.EquivalentTo(new[] { typeof(StatusRequestMessage), typeof(RemoveModuleMessage) }));
        Assert.That(received.Select(m => m!.Id).Distinct().Count(), Is.EqualTo(2));
        Assert.That(first.IsCompleted || second.IsCompleted, Is.False, "no reply yet");
        await _time.AdvanceOnceWaitedOnAsync(timers: 2, TimeSpan.FromSeconds(30));
        Assert.That(async () => await first, Throws.TypeOf<ContainerUnavailableException>());
        Assert.That(async () => await second, Throws.TypeOf<ContainerUnavailableException>());
    }

    [Test]
    public async Task Request_NoReplyWithinTheRequestTimeout_IsUnavailableAndForgotten()
    {
        _settings.Containers.RequestTimeoutSeconds = 10;
        var manager = Manager();
        await using var container = await ReadyContainerAsync(manager, "alice");
        manager.TryGet("alice", out var alice);

        var request = manager.RequestAsync("alice", new StatusRequestMessage(), CancellationToken.None);
        await container.ReceiveAsync(CancellationToken.None);
        await _time.AdvanceOnceWaitedOnAsync(timers: 1, TimeSpan.FromSeconds(9));
        var beforeTimeout = request.IsCompleted;
        await _time.AdvanceOnceWaitedOnAsync(timers: 1, TimeSpan.FromSeconds(1));

        Assert.That(beforeTimeout, Is.False);
        Assert.That(async () => await request, Throws.TypeOf<ContainerUnavailableException>().With.Message.EqualTo("the container of alice did not answer within 10 s"));
        Assert.That(alice.Pending, Is.Empty);
    }

    [Test]
    public async Task Request_TimeoutGivenByTheCaller_OverridesTheConfiguredOne()
    {
        var manager = Manager();
        await using var container = await ReadyContainerAsync(manager, "alice");

        var request = manager.RequestAsync("alice", new StatusRequestMessage(), CancellationToken.None, TimeSpan.FromSeconds(2));
        await container.ReceiveAsync(CancellationToken.None);
        await _time.AdvanceOnceWaitedOnAsync(timers: 1, TimeSpan.FromSeconds(2));

        Assert.That(async () => await request, Throws.TypeOf<ContainerUnavailableException>().With.Message.EqualTo("the container of alice did not answer within 2 s"));
    }

    [Test]
    public async Task Stop_ReadyContainer_IsAskedToShutDownAndItsWaitingRequestsFail()
    {
        var manager = Manager();
        await using var container = await ReadyContainerAsync(manager, "alice");
        manager.TryGet("alice", out var alice);
        var waiting = manager.RequestAsync("alice", new StatusRequestMessage(), CancellationToken.None);
        await container.ReceiveAsync(CancellationToken.None);

        var stopping = manager.StopAsync(CancellationToken.None);
        var shutdown = await container.ReceiveAsync(CancellationToken.None);
        await _time.AdvanceOnceWaitedOnAsync(timers: 2, TimeSpan.FromSeconds(5));
        await stopping;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(shutdown, Is.TypeOf<ShutdownMessage>());
            Assert.That(async () => await waiting, Throws.TypeOf<ContainerUnavailableException>().With.Message.EqualTo("the container stopped"));
            Assert.That(alice.State, Is.EqualTo(ContainerState.Stopped));
            Assert.That(alice.Intentional, Is.True, "its exit is not a crash");
            Assert.That(alice.Channel, Is.Null);
            Assert.That(await container.ReceiveAsync(CancellationToken.None), Is.Null, "the control connection is closed");
        }
    }

    [Test]
    public async Task Stop_RemovesTheContainersDirectories()
    {
        var manager = Manager();
        manager.TryGet("alice", out var alice);
        Directory.CreateDirectory(alice.ModulesDirectory);

        await manager.StopAsync(CancellationToken.None);

        Assert.That(Directory.Exists(Path.Combine(_settings.StateDirectory, _settings.NodeName, "containers")), Is.False);
    }

    [Test]
    public async Task Recycle_AfterTheNodeStopped_DoesNothing()
    {
        var manager = Manager();
        var events = new RecordingEvents();
        manager.Events = events;
        await manager.StopAsync(CancellationToken.None);

        await manager.RecycleAsync("alice", ContainerRestartReason.ModuleRecycled("NetServ.Apps.NetMonitor_1.0.0", "hung"));

        manager.TryGet("alice", out var alice);
        Assert.That(alice.State, Is.EqualTo(ContainerState.Stopped));
        Assert.That(alice.Generation, Is.Zero, "nothing was launched");
        Assert.That(events.Restarted, Is.Empty);
    }

    private ContainerManager Manager() =>
        new(Options.Create(_settings), new Cgroups(NullLogger<Cgroups>.Instance), _time, NullLoggerFactory.Instance);

    /// <summary>Marks the user's container ready with a control connection; returns the container's end of it.</summary>
    private async Task<ControlChannel> ReadyContainerAsync(ContainerManager manager, string user)
    {
        var path = Path.Combine(_directory, $"{user}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var near = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await near.ConnectAsync(new UnixDomainSocketEndPoint(path));
        var far = await listener.AcceptAsync();
        manager.TryGet(user, out var handle);
        handle.Channel = new ControlChannel(near);
        handle.State = ContainerState.Ready;
        return new ControlChannel(far);
    }

    /// <summary>A fake clock that counts the timers made on it.</summary>
    private sealed class WatchedClock(FakeTimeProvider fake) : ObservedClock(fake)
    {
        private int _timers;

        public async Task AdvanceOnceWaitedOnAsync(int timers, TimeSpan by)
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (Volatile.Read(ref _timers) < timers)
            {
                await Task.Delay(5, patience.Token);
            }

            Advance(by);
        }

        protected override void Created(TimeSpan dueTime) => Interlocked.Increment(ref _timers);
    }

    private sealed class RecordingEvents : IContainerEvents
    {
        public List<(string User, ContainerRestartReason Reason)> Restarted { get; } = [];

        public Task ContainerRestartedAsync(string user, ContainerRestartReason reason)
        {
            Restarted.Add((user, reason));
            return Task.CompletedTask;
        }

        public Task ModuleFailedAsync(string user, ModuleFailedMessage failed) => Task.CompletedTask;
    }
}
