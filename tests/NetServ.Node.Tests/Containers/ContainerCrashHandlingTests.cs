using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NetServ.Contracts.Configuration;
using NetServ.Contracts.Control;
using NetServ.Node.Containers;

namespace NetServ.Node.Tests.Containers;

/// <summary>
/// What the container manager does when containers die, hang, run out of memory or are recycled: when it
/// starts them again, what it tells the controller, what becomes of the requests in flight, whom it lets
/// onto the control socket, and what stopping leaves behind. The processes, cgroups and peer credentials
/// are fakes; the control socket is real. No root, and the clock is fake.
/// </summary>
[TestFixture]
public sealed class ContainerCrashHandlingTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private TimerClock _time = null!;
    private string _directory = null!;
    private NodeConfiguration _settings = null!;
    private FakeContainers _containers = null!;
    private FakeCgroups _cgroups = null!;
    private RestartRecorder _events = null!;
    private ContainerManager? _manager;

    [SetUp]
    public void SetUp()
    {
        _time = new TimerClock(new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero)));
        _directory = Directory.CreateTempSubdirectory("netserv-crash-").FullName;
        _settings = new NodeConfiguration
        {
            NodeName = $"unit-{Guid.NewGuid():N}"[..16],
            RuntimeDirectory = Path.Combine(_directory, "run"),
            StateDirectory = Path.Combine(_directory, "state"),
            Containers = { MaxRestartsPerMinute = 2, StartTimeoutSeconds = (int)StartTimeout.TotalSeconds },
            Users =
            [
                new UserConfiguration { Name = "alice", MemoryLimitMb = 128, CpuLimit = 0.5 },
                new UserConfiguration { Name = "bob" },
            ],
        };
        _containers = new FakeContainers(_directory);
        _cgroups = new FakeCgroups();
        _events = new RestartRecorder();
        _manager = null;
    }

    /// <summary>The manager, made on first use so that a test can change the settings before.</summary>
    private ContainerManager Manager => _manager ??= new ContainerManager(Options.Create(_settings), _cgroups, _containers, _containers, _time, NullLoggerFactory.Instance) { Events = _events };

    [TearDown]
    public async Task TearDown()
    {
        if (_manager is not null)
        {
            // A test that failed with a container still starting would otherwise hold the stop forever.
            await _manager.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Crash_ContainerIsRestartedAfterTheBackOff_WhichDoublesPastTheAllowedRestartsUpToItsCap()
    {
        var alice = await StartAliceAsync();
        var delays = new List<TimeSpan>();

        for (var crash = 0; crash < 7; crash++)
        {
            alice.Exit(1);
            var delay = await _time.NextTimerAsync(due => due != StartTimeout);
            _time.Advance(delay - Tick);
            Assert.That(_containers.AnyStarted, Is.False, $"restarted before the {delay} of crash {crash + 1} had passed");
            _time.Advance(Tick);
            alice = await _containers.NextStartedAsync();
            await _events.NextAsync();
            delays.Add(delay);
        }

        // Two restarts a minute come at once; past them the wait doubles from 2 s and stops at 30 s.
        Assert.That(delays.Select(d => d.TotalSeconds), Is.EqualTo(new[] { 0.1, 0.1, 2, 4, 8, 16, 30 }));
    }

    [Test]
    public async Task Crash_AfterAMinuteWithoutCrashes_IsRestartedAtOnceAgain()
    {
        var alice = await StartAliceAsync();
        for (var crash = 0; crash < 4; crash++)
        {
            alice.Exit(1);
            _time.Advance(await _time.NextTimerAsync(due => due != StartTimeout));
            alice = await _containers.NextStartedAsync();
            await _events.NextAsync();
        }

        _time.Advance(TimeSpan.FromSeconds(61));
        alice.Exit(1);

        Assert.That(await _time.NextTimerAsync(due => due != StartTimeout), Is.EqualTo(TimeSpan.FromMilliseconds(100)));
    }

    [Test]
    public async Task Crash_IsReportedToTheControllerAsADeathAndShownInTheStatus()
    {
        var alice = await StartAliceAsync();

        alice.Exit(1);
        _time.Advance(await _time.NextTimerAsync(due => due != StartTimeout));
        var fresh = await _containers.NextStartedAsync();
        var (user, reason) = await _events.NextAsync();

        Manager.TryGet("alice", out var handle);
        var status = Manager.Describe(handle);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(user, Is.EqualTo("alice"));
            Assert.That(reason, Is.EqualTo(ContainerRestartReason.Died("exit code 1")));
            Assert.That(reason.IsUnexplainedDeath, Is.True);
            Assert.That(status.State, Is.EqualTo(Contracts.Status.ContainerState.Ready));
            Assert.That(status.Restarts, Is.EqualTo(1));
            Assert.That(status.Pid, Is.EqualTo(fresh.Id));
            Assert.That(status.LastExit, Is.EqualTo("2025-03-01T12:00:00.0000000+00:00: exit code 1"));
        }
    }

    [Test]
    public async Task Crash_AfterTheCgroupCountedAnOomKill_IsReportedAsOutOfMemory()
    {
        var alice = await StartAliceAsync();

        _cgroups.OomKill(alice.Cgroup!);
        alice.Kill();
        _time.Advance(await _time.NextTimerAsync(due => due != StartTimeout));
        var (_, reason) = await _events.NextAsync();

        Manager.TryGet("alice", out var handle);
        Assert.That(reason, Is.EqualTo(ContainerRestartReason.OutOfMemory("killed by the kernel: out of memory")));
        Assert.That(handle.LastExit, Does.EndWith(": killed by the kernel: out of memory"));
    }

    [Test]
    public async Task Crash_WaitingRequestsFailNamingTheExit_AndOtherUsersAreStillServed()
    {
        await Manager.StartAsync(CancellationToken.None);
        var alice = _containers.All.Single(c => c.User == "alice");
        var bob = _containers.All.Single(c => c.User == "bob");
        var toAlice = Manager.RequestAsync("alice", new StatusRequestMessage(), CancellationToken.None);
        await alice.NextRequestAsync();

        alice.Exit(139);
        var toBob = Manager.RequestAsync("bob", new StatusRequestMessage(), CancellationToken.None);
        await bob.ReplyAsync(await bob.NextRequestAsync());

        Assert.That(async () => await toAlice, Throws.TypeOf<ContainerUnavailableException>().With.Message.EqualTo("the container exited (killed by signal 11)"));
        Assert.That((await toBob).Ok, Is.True);
        Assert.That(
            async () => await Manager.RequestAsync("alice", new StatusRequestMessage(), CancellationToken.None),
            Throws.TypeOf<ContainerUnavailableException>().With.Message.EqualTo("the container of alice is restarting"));
    }

    [TestCase(0, 1, TestName = "Hello_FromAProcessWithTheContainersPidButAnotherUid_IsRefused")]
    [TestCase(1, 0, TestName = "Hello_FromAProcessWithTheContainersUidButAnotherPid_IsRefused")]
    public async Task Hello_FromAProcessThatIsNotTheContainer_IsRefused(int pidOffset, int uidOffset)
    {
        _settings.Users.RemoveAt(1);
        _containers.SayHello = false;
        var starting = Manager.StartAsync(CancellationToken.None);
        var alice = await _containers.NextStartedAsync();
        Manager.TryGet("alice", out var handle);

        await using var impostor = await _containers.ConnectAsync(Manager.ControlSocketPath, new PeerCredentials(alice.Id + pidOffset, (uint)(handle.Uid + uidOffset)));
        await impostor.SendAsync(new HelloMessage { Pid = alice.Id, User = "alice", SdkVersion = "1.0.0", BuildingBlocks = [] }, CancellationToken.None);
        var refused = await ClosedAsync(impostor);
        var stateAfterImpostor = handle.State;
        await alice.ConnectAsync();
        await starting;

        Assert.That(refused, Is.True, "the connection is closed");
        Assert.That(stateAfterImpostor, Is.EqualTo(ContainerState.Starting));
        Assert.That(handle.State, Is.EqualTo(ContainerState.Ready), "the real container is still let in");
    }

    [Test]
    public async Task Start_ContainerThatNeverSaysHello_IsKilledAndStartedAgainAsAFailedFirstStart()
    {
        _containers.SayHello = false;
        var starting = Manager.StartAsync(CancellationToken.None);
        var alice = await _containers.NextStartedAsync();
        var bob = await _containers.NextStartedAsync();
        await bob.ConnectAsync();
        Manager.TryGet("bob", out var bobs);
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (bobs.State != ContainerState.Ready)
            {
                await Task.Delay(5, patience.Token);
            }
        }

        _time.Advance(StartTimeout);
        await starting;

        _containers.SayHello = true;
        _time.Advance(await _time.NextTimerAsync(due => due != StartTimeout));
        var (user, reason) = await _events.NextAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(alice.HasExited, Is.True, "the silent container is killed");
            Assert.That(bob.HasExited, Is.False);
            Assert.That(user, Is.EqualTo(alice.User));
            Assert.That(reason.Cause, Is.EqualTo(ContainerRestartCause.FirstStartFailed));
            Assert.That(reason.IsUnexplainedDeath, Is.False);
            Assert.That(reason.Detail, Does.Contain("did not say hello within 45 s"));
        }
    }

    [Test]
    public async Task Recycle_ForAHungModule_ShutsTheContainerDownStartsAFreshOneAndReportsWhy()
    {
        var alice = await StartAliceAsync();
        var why = ContainerRestartReason.ModuleRecycled("NetServ.Apps.NetMonitor_1.0.0", "hung");

        await Manager.RecycleAsync("alice", why);
        var fresh = await _containers.NextStartedAsync();
        var (_, reason) = await _events.NextAsync();
        _time.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(100);

        Manager.TryGet("alice", out var handle);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(alice.ExitCode, Is.Zero, "it was asked to shut down and did");
            Assert.That(reason, Is.EqualTo(why));
            Assert.That(reason.Cause, Is.EqualTo(ContainerRestartCause.Recycled));
            Assert.That(handle.Process, Is.SameAs(fresh));
            Assert.That(handle.Restarts, Is.EqualTo(1));
            Assert.That(_containers.AnyStarted, Is.False, "the shutdown is not taken for a crash");
        }
    }

    [Test]
    public async Task Stop_WhileARestartIsPending_CancelsTheRestart()
    {
        var alice = await StartAliceAsync();
        alice.Exit(1);
        var delay = await _time.NextTimerAsync(due => due != StartTimeout);

        await Manager.StopAsync(CancellationToken.None);
        _time.Advance(delay + TimeSpan.FromMinutes(1));
        await Task.Delay(100);

        Manager.TryGet("alice", out var handle);
        Assert.That(_containers.AnyStarted, Is.False);
        Assert.That(_events.Count, Is.Zero);
        Assert.That(handle.State, Is.EqualTo(ContainerState.Stopped));
    }

    [Test]
    public async Task Stop_RemovesTheNodesCgroupsOnceTheContainersAreGone()
    {
        await Manager.StartAsync(CancellationToken.None);
        var runningAtRemoval = new List<string>();
        _cgroups.Removing = () => runningAtRemoval.AddRange(_containers.All.Where(c => !c.HasExited).Select(c => c.User));

        await Manager.StopAsync(CancellationToken.None);

        var node = _settings.NodeName;
        Assert.That(_cgroups.Calls, Is.EqualTo(new[] { $"remove {node}", "create alice 128 MB 0.5 CPU", "create bob 256 MB 1 CPU", $"remove {node}" }));
        Assert.That(runningAtRemoval, Is.Empty);
    }

    /// <summary>Starts the node with alice only; returns her container once it is ready.</summary>
    private async Task<FakeContainer> StartAliceAsync()
    {
        _settings.Users.RemoveAt(1);
        await Manager.StartAsync(CancellationToken.None);
        return await _containers.NextStartedAsync();
    }

    /// <summary>Whether the far end closed the connection (a reset when it had not read what was sent).</summary>
    private static async Task<bool> ClosedAsync(ControlChannel channel)
    {
        try
        {
            return await channel.ReceiveAsync(CancellationToken.None) is null;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            return true;
        }
    }

    /// <summary>A fake clock that tells the test each timer the code under test sets, and for how long.</summary>
    private sealed class TimerClock(FakeTimeProvider fake) : ObservedClock(fake)
    {
        private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

        /// <summary>The due time of the next timer set that <paramref name="wanted"/> picks, once it is set.</summary>
        public async Task<TimeSpan> NextTimerAsync(Func<TimeSpan, bool> wanted)
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (true)
            {
                var due = await _timers.Reader.ReadAsync(patience.Token);
                if (wanted(due))
                {
                    return due;
                }
            }
        }

        protected override void Created(TimeSpan dueTime) => _timers.Writer.TryWrite(dueTime);
    }

    private sealed class RestartRecorder : IContainerEvents
    {
        private readonly Channel<(string User, ContainerRestartReason Reason)> _restarted = Channel.CreateUnbounded<(string, ContainerRestartReason)>();

        public int Count => _restarted.Reader.Count;

        public Task ContainerRestartedAsync(string user, ContainerRestartReason reason)
        {
            _restarted.Writer.TryWrite((user, reason));
            return Task.CompletedTask;
        }

        public Task ModuleFailedAsync(string user, ModuleFailedMessage failure) => Task.CompletedTask;

        public async Task<(string User, ContainerRestartReason Reason)> NextAsync()
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await _restarted.Reader.ReadAsync(patience.Token);
        }
    }
}
