using NetServ.Contracts.Status;
using NetServ.Node.Signaling;
using NetServ.Signaling.Gist;

namespace NetServ.Node.Tests.Signaling;

[TestFixture]
public sealed class SignalingStatisticsTests
{
    [Test]
    public void Snapshot_CountsRepeatsAnsweredAndInProgressApart()
    {
        var statistics = new SignalingStatistics();

        statistics.RepeatAnswered();
        statistics.RepeatAnswered();
        statistics.RepeatInProgress();

        var counters = statistics.Snapshot();
        Assert.That((counters.RepeatsAnswered, counters.RepeatsInProgress), Is.EqualTo((2L, 1L)));
    }

    [Test]
    public void Snapshot_DropsByReason_AreTheEndpointsCountsEachInItsField()
    {
        var statistics = new SignalingStatistics();
        statistics.CountDropsWith(reason => reason switch
        {
            GistDiscardReason.Malformed => 6,
            GistDiscardReason.UnknownAssociation => 1,
            GistDiscardReason.WrongEncapsulation => 2,
            _ => 3,
        });

        Assert.That(statistics.Snapshot().Dropped, Is.EqualTo(new DroppedMessages { Malformed = 6, UnknownAssociation = 1, WrongEncapsulation = 2, RefusedConfirm = 3 }));
    }

    [Test]
    public void Snapshot_WhileSignalingDoesNotRun_CountsNoDrops()
    {
        var statistics = new SignalingStatistics();
        statistics.CountDropsWith(_ => 5);

        statistics.CountDropsWith(null);

        Assert.That(statistics.Snapshot(), Is.EqualTo(new SignalingCounters()));
    }
}
