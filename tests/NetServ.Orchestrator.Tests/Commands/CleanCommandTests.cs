using NetServ.Orchestrator.Commands;
using NetServ.Testbed.Linux;

namespace NetServ.Orchestrator.Tests.Commands;

[TestFixture]
public sealed class CleanCommandTests
{
    [Test]
    public void Describe_LiveAndDeadRuns_SaysWhatWasRemovedAndWhatWasLeftAlone()
    {
        var runs = new[]
        {
            new ReapedRun("/run/netserv-lab/100-5", new ProcessIdentity(100, 5), ReapOutcome.OwnerAlive, [], []),
            new ReapedRun("/run/netserv-lab/200-6", new ProcessIdentity(200, 6), ReapOutcome.Removed, [RunResource.Namespace("ns-abc-router")], []),
            new ReapedRun("/run/netserv-lab/300-7", new ProcessIdentity(300, 7), ReapOutcome.Incomplete, [], ["namespace ns-abc-stuck: busy"]),
        };

        var lines = CleanCommand.Describe(runs).ToArray();

        Assert.That(lines, Is.EqualTo(new[]
        {
            "run 100-5: its owner (pid 100) is alive; left alone",
            "run 200-6: its owner (pid 200) is gone; removed namespace ns-abc-router",
            "run 300-7: its owner (pid 300) is gone; nothing removed; could not remove namespace ns-abc-stuck: busy",
        }));
    }

    [Test]
    public void Describe_NoRecords_SaysThereIsNothingToClean() =>
        Assert.That(CleanCommand.Describe([]), Is.EqualTo(new[] { "no run records: nothing to clean" }));
}
