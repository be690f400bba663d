using System.Diagnostics;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Tests.Linux;

/// <summary>
/// The reaper against real namespaces and processes (root): what no record lists survives, a run
/// killed with SIGKILL is cleaned, a live run is left alone. Records live in a temporary root, except
/// where the machine's reaper itself is run, which may only ever remove dead runs' leftovers.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RunReaperMachineTests
{
    private readonly List<Process> _processes = [];
    private readonly List<string> _namespaces = [];
    private string _root = null!;

    [SetUp]
    public void SetUp()
    {
        RequiresRoot.Check();
        _root = Directory.CreateTempSubdirectory("netserv-runs-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        foreach (var process in _processes)
        {
            using (process)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    process.WaitForExit();
                }
            }
        }

        _processes.Clear();

        foreach (var name in _namespaces)
        {
            CommandRunner.Run("ip", ["netns", "del", name]);
        }

        _namespaces.Clear();

        Directory.Delete(_root, recursive: true);
    }

    [Test]
    public void Reap_NamespaceAndProcessStartedOutsideAnyRun_Survive()
    {
        var outsider = AddNamespace($"ns-outsider-{Random.Shared.Next(100_000):d5}");
        var sleeper = StartSleep();
        var dead = RunOf(StartSleep());
        var deadNamespace = AddNamespace($"ns-rdead-{Random.Shared.Next(100_000):d5}");
        dead.Add(RunResource.Namespace(deadNamespace));
        Kill(dead.Owner);

        var runs = new RunReaper(_root, new MachineResourceRemover()).Reap();
        var machine = RunReaper.ForMachine().Reap();

        Assert.Multiple(() =>
        {
            Assert.That(runs.Single().Outcome, Is.EqualTo(ReapOutcome.Removed));
            Assert.That(NetworkNamespace.List(), Does.Not.Contain(deadNamespace), "the dead run's namespace is removed");
            Assert.That(NetworkNamespace.List(), Does.Contain(outsider), "a namespace no run recorded survives both reapers");
            Assert.That(sleeper.HasExited, Is.False, "a process no run recorded survives both reapers");
            Assert.That(machine.Where(r => r.Removed.Contains(RunResource.Namespace(outsider))), Is.Empty);
        });
    }

    [Test]
    public void Reap_RunKilledWithSigkill_RemovesItsNamespaceItsProcessAndItsRecord()
    {
        var run = RunOf(StartSleep());
        var name = AddNamespace($"ns-rkill-{Random.Shared.Next(100_000):d5}");
        run.Add(RunResource.Namespace(name));
        var inside = StartSleep("ip", "netns", "exec", name, "sleep", "600");
        run.Add(RunResource.Process(ProcessIdentity.Of(inside.Id)!.Value));
        Kill(run.Owner);

        var reaped = new RunReaper(_root, new MachineResourceRemover()).Reap().Single();

        Assert.Multiple(() =>
        {
            Assert.That(reaped.Outcome, Is.EqualTo(ReapOutcome.Removed), string.Join("; ", reaped.Failures));
            Assert.That(NetworkNamespace.List(), Does.Not.Contain(name));
            Assert.That(inside.WaitForExit(5000), Is.True, "the run's process is killed");
            Assert.That(Directory.Exists(run.Directory), Is.False);
        });
    }

    [Test]
    public void Reap_LiveRun_LeavesItsNamespaceAndProcessAlone()
    {
        var run = RunOf(StartSleep());
        var name = AddNamespace($"ns-rlive-{Random.Shared.Next(100_000):d5}");
        run.Add(RunResource.Namespace(name));
        var inside = StartSleep();
        run.Add(RunResource.Process(ProcessIdentity.Of(inside.Id)!.Value));

        var reaped = new RunReaper(_root, new MachineResourceRemover()).Reap().Single();

        Assert.Multiple(() =>
        {
            Assert.That(reaped.Outcome, Is.EqualTo(ReapOutcome.OwnerAlive));
            Assert.That(NetworkNamespace.List(), Does.Contain(name));
            Assert.That(inside.HasExited, Is.False);
            Assert.That(Directory.Exists(run.Directory), Is.True);
        });
    }

    [Test]
    public void Kill_PidNowOfAnotherProcess_LeavesThatProcessAlone()
    {
        var sleeper = StartSleep();
        var identity = ProcessIdentity.Of(sleeper.Id)!.Value;

        new MachineResourceRemover().Kill(identity with { StartTime = identity.StartTime - 1 });

        Assert.That(sleeper.WaitForExit(300), Is.False, "the start time differs: not the recorded process");
    }

    [Test]
    public void Create_NotesTheNamespaceInThisRunsRecord_AndDisposeForgetsIt()
    {
        var name = $"ns-rrec-{Random.Shared.Next(100_000):d5}";
        _namespaces.Add(name);
        string[] recorded;
        using (NetworkNamespace.Create(name))
        {
            recorded = File.ReadAllLines(Path.Combine(LabRunRecord.Current.Directory, "resources"));
        }

        Assert.Multiple(() =>
        {
            Assert.That(recorded, Does.Contain($"namespace {name}"));
            Assert.That(LabRunRecord.Current.Owner, Is.EqualTo(ProcessIdentity.Current));
            Assert.That(LabRunRecord.Current.Resources, Does.Not.Contain(RunResource.Namespace(name)));
            Assert.That(File.ReadAllLines(Path.Combine(LabRunRecord.Current.Directory, "resources")), Does.Not.Contain($"namespace {name}"));
        });
    }

    private LabRunRecord RunOf(Process owner) => LabRunRecord.Open(_root, ProcessIdentity.Of(owner.Id)!.Value);

    private Process StartSleep(string file = "sleep", params string[] arguments)
    {
        var process = Process.Start(file, arguments.Length == 0 ? ["600"] : arguments);
        _processes.Add(process);
        return process;
    }

    private string AddNamespace(string name)
    {
        CommandRunner.RunChecked("ip", "netns", "add", name);
        _namespaces.Add(name);
        return name;
    }

    private void Kill(ProcessIdentity owner)
    {
        var process = _processes.Single(p => p.Id == owner.Pid);
        process.Kill();
        process.WaitForExit();
    }
}
