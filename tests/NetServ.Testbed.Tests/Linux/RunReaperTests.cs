using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Tests.Linux;

/// <summary>The record and the reaper on a temporary root, with a fake remover: no root needed.</summary>
[TestFixture]
public sealed class RunReaperTests
{
    private static readonly ProcessIdentity DeadOwner = new(1_000_001, 11);
    private static readonly ProcessIdentity LiveOwner = new(1_000_002, 22);
    private string _root = null!;
    private FakeRemover _remover = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("netserv-runs-").FullName;
        _remover = new FakeRemover(LiveOwner);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Record_AddAndRemove_TheResourcesFileListsWhatIsStillHeld()
    {
        var record = LabRunRecord.Open(_root, DeadOwner);
        record.Add(RunResource.Namespace("ns-abc-router"));
        record.Add(RunResource.Process(new ProcessIdentity(77, 88)));
        record.Add(RunResource.Namespace("ns-abc-sender"));

        record.Remove(RunResource.Namespace("ns-abc-router"));

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllLines(Path.Combine(record.Directory, "resources")), Is.EqualTo(new[] { "process 77 88", "namespace ns-abc-sender" }));
            Assert.That(File.ReadAllText(Path.Combine(record.Directory, "owner")).Trim(), Is.EqualTo("1000001 11"));
        });
    }

    [Test]
    public void RemoveIfEmpty_AfterEverythingWasRemoved_DeletesTheRecord()
    {
        var record = LabRunRecord.Open(_root, DeadOwner);
        record.Add(RunResource.Namespace("ns-abc-router"));
        record.RemoveIfEmpty();
        Assert.That(Directory.Exists(record.Directory), Is.True, "a record that still lists something stays");

        record.Remove(RunResource.Namespace("ns-abc-router"));
        record.RemoveIfEmpty();

        Assert.That(Directory.Exists(record.Directory), Is.False);
    }

    [Test]
    public void Reap_DeadOwner_RemovesExactlyTheRecordedResourcesProcessesFirstAndTheRecord()
    {
        var record = LabRunRecord.Open(_root, DeadOwner);
        var directory = Path.Combine(Path.GetTempPath(), "netserv-node-edge-abc-1");
        record.Add(RunResource.Namespace("ns-abc-router"));
        record.Add(RunResource.Directory(directory));
        record.Add(RunResource.Process(new ProcessIdentity(77, 88)));
        record.Add(RunResource.Cgroup("/sys/fs/cgroup/netserv/edge-abc"));

        var runs = new RunReaper(_root, _remover).Reap();

        Assert.Multiple(() =>
        {
            Assert.That(runs.Single().Outcome, Is.EqualTo(ReapOutcome.Removed));
            Assert.That(runs.Single().Owner, Is.EqualTo(DeadOwner));
            Assert.That(_remover.Calls, Is.EqualTo(new[]
            {
                "kill 77 88", "namespace ns-abc-router", "cgroup /sys/fs/cgroup/netserv/edge-abc", $"directory {directory}",
            }));
            Assert.That(Directory.Exists(record.Directory), Is.False, "the record goes with its resources");
        });
    }

    [Test]
    public void Reap_DeadOwnerWithAChain_RemovesTheChainAfterTheProcessesAndBeforeItsNamespace()
    {
        var record = LabRunRecord.Open(_root, DeadOwner);
        record.Add(RunResource.Namespace("ns-abc-router"));
        record.Add(RunResource.Process(new ProcessIdentity(77, 88)));
        record.Add(RunResource.Chain("ns-abc-router", "ns-eval-config3"));

        var runs = new RunReaper(_root, _remover).Reap();

        Assert.Multiple(() =>
        {
            Assert.That(runs.Single().Outcome, Is.EqualTo(ReapOutcome.Removed));
            Assert.That(_remover.Calls, Is.EqualTo(new[] { "kill 77 88", "chain ns-abc-router ns-eval-config3", "namespace ns-abc-router" }));
        });
    }

    [Test]
    public void Reap_DeadOwnerWithAContainer_RemovesTheContainerBeforeKillingTheDockerdAndBeforeItsNamespace()
    {
        var container = new string('c', 64);
        var record = LabRunRecord.Open(_root, DeadOwner);
        record.Add(RunResource.Process(new ProcessIdentity(77, 88)));
        record.Add(RunResource.Container(container));
        record.Add(RunResource.Namespace("ns-abc-router"));

        var runs = new RunReaper(_root, _remover).Reap();

        Assert.Multiple(() =>
        {
            Assert.That(runs.Single().Outcome, Is.EqualTo(ReapOutcome.Removed));
            Assert.That(_remover.Calls, Is.EqualTo(new[] { $"container {container}", "kill 77 88", "namespace ns-abc-router" }));
        });
    }

    [Test]
    public void Reap_LiveOwner_TouchesNothingAndKeepsTheRecord()
    {
        var record = LabRunRecord.Open(_root, LiveOwner);
        record.Add(RunResource.Namespace("ns-abc-router"));
        record.Add(RunResource.Process(new ProcessIdentity(77, 88)));

        var runs = new RunReaper(_root, _remover).Reap();

        Assert.Multiple(() =>
        {
            Assert.That(runs.Single().Outcome, Is.EqualTo(ReapOutcome.OwnerAlive));
            Assert.That(_remover.Calls, Is.Empty);
            Assert.That(File.ReadAllLines(Path.Combine(record.Directory, "resources")), Has.Length.EqualTo(2));
        });
    }

    [Test]
    public void Reap_OwnerPidReusedByAnotherProcess_CountsTheOwnerAsDead()
    {
        LabRunRecord.Open(_root, LiveOwner with { StartTime = LiveOwner.StartTime + 1 }).Add(RunResource.Namespace("ns-abc-router"));

        var runs = new RunReaper(_root, _remover).Reap();

        Assert.Multiple(() =>
        {
            Assert.That(runs.Single().Outcome, Is.EqualTo(ReapOutcome.Removed));
            Assert.That(_remover.Calls, Is.EqualTo(new[] { "namespace ns-abc-router" }));
        });
    }

    [TestCase("namespace systemd-netns")]
    [TestCase("namespace ns-../../etc")]
    [TestCase("chain ns-abc-router NETSERV")]
    [TestCase("chain ns-abc-router ns-a-chain-name-longer-than-28")]
    [TestCase("chain systemd-netns ns-eval-config3")]
    [TestCase("chain ns-abc-router")]
    [TestCase("container netserv-abc-router")]
    [TestCase("cgroup /sys/fs/cgroup/system.slice")]
    [TestCase("directory /etc")]
    [TestCase("directory /tmp/../etc")]
    public void Reap_RecordNamingSomethingTheProjectDoesNotMake_DoesNotFollowItAndKeepsTheLine(string line)
    {
        var record = LabRunRecord.Open(_root, DeadOwner);
        File.WriteAllText(Path.Combine(record.Directory, "resources"), line + "\n");

        var run = new RunReaper(_root, _remover).Reap().Single();

        Assert.Multiple(() =>
        {
            Assert.That(run.Outcome, Is.EqualTo(ReapOutcome.Incomplete));
            Assert.That(_remover.Calls, Is.Empty);
            Assert.That(File.ReadAllLines(Path.Combine(record.Directory, "resources")), Is.EqualTo(new[] { line }));
        });
    }

    [Test]
    public void Reap_DirectoryWithoutOwner_IsLeftAlone()
    {
        var stranger = Directory.CreateDirectory(Path.Combine(_root, "not-a-run")).FullName;
        File.WriteAllText(Path.Combine(stranger, "resources"), "namespace ns-abc-router\n");

        var run = new RunReaper(_root, _remover).Reap().Single();

        Assert.Multiple(() =>
        {
            Assert.That(run.Outcome, Is.EqualTo(ReapOutcome.NotARun));
            Assert.That(_remover.Calls, Is.Empty);
            Assert.That(Directory.Exists(stranger), Is.True);
        });
    }

    [Test]
    public void Reap_OneRemovalFails_RemovesTheRestAndKeepsOnlyTheFailedLine()
    {
        var record = LabRunRecord.Open(_root, DeadOwner);
        record.Add(RunResource.Namespace("ns-abc-router"));
        record.Add(RunResource.Namespace("ns-abc-stuck"));
        _remover.Failing.Add("namespace ns-abc-stuck");

        var run = new RunReaper(_root, _remover).Reap().Single();

        Assert.Multiple(() =>
        {
            Assert.That(run.Outcome, Is.EqualTo(ReapOutcome.Incomplete));
            Assert.That(run.Removed, Is.EqualTo(new[] { RunResource.Namespace("ns-abc-router") }));
            Assert.That(File.ReadAllLines(Path.Combine(record.Directory, "resources")), Is.EqualTo(new[] { "namespace ns-abc-stuck" }));
        });
    }

    [Test]
    public void Reap_NoRoot_FindsNothing() =>
        Assert.That(new RunReaper(Path.Combine(_root, "absent"), _remover).Reap(), Is.Empty);

    private sealed class FakeRemover(ProcessIdentity alive) : IRunResourceRemover
    {
        public List<string> Calls { get; } = [];

        public HashSet<string> Failing { get; } = [];

        public bool IsAlive(ProcessIdentity process) => process == alive;

        public void Kill(ProcessIdentity process) => Call($"kill {process}");

        public void DeleteNamespace(string name) => Call($"namespace {name}");

        public void RemoveChain(string namespaceName, string chain) => Call($"chain {namespaceName} {chain}");

        public void RemoveContainer(string id) => Call($"container {id}");

        public void RemoveCgroup(string path) => Call($"cgroup {path}");

        public void DeleteDirectory(string path) => Call($"directory {path}");

        private void Call(string call)
        {
            if (Failing.Contains(call))
            {
                throw new IOException($"{call} failed");
            }

            Calls.Add(call);
        }
    }
}
