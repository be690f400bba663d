using Microsoft.Extensions.Time.Testing;

namespace NetServ.Apps.MediaRelay.Tests;

public sealed class SessionTableTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new();

    private SessionTable NewTable(int pairs = 4) =>
        new(new PortAllocator(30000, 30000 + (pairs * 2) - 1, Enumerable.Range(30000, pairs * 2).ToHashSet()), Timeout, _time);

    [Test]
    public void TryGetOrAdd_NewCall_AllocatesTwoDistinctPairs()
    {
        var table = NewTable();
        table.TryGetOrAdd("c1", out var session, out var created);
        Assert.Multiple(() =>
        {
            Assert.That(created, Is.True);
            Assert.That(session!.A.RtpPort % 2, Is.Zero);
            Assert.That(session.B.RtpPort, Is.Not.EqualTo(session.A.RtpPort));
            Assert.That(table.PortPairsFree, Is.EqualTo(2));
        });
    }

    [Test]
    public void TryGetOrAdd_SameCallAgain_ReturnsTheSameSession()
    {
        var table = NewTable();
        table.TryGetOrAdd("c1", out var first, out _);
        table.TryGetOrAdd("c1", out var again, out var created);
        Assert.Multiple(() =>
        {
            Assert.That(again, Is.SameAs(first));
            Assert.That(created, Is.False);
        });
    }

    [Test]
    public void TryGetOrAdd_RangeExhausted_ReturnsFalseAndLeaksNoPair()
    {
        var table = NewTable(pairs: 3);
        table.TryGetOrAdd("c1", out _, out _);
        var added = table.TryGetOrAdd("c2", out _, out _);
        Assert.Multiple(() =>
        {
            Assert.That(added, Is.False);
            Assert.That(table.PortPairsFree, Is.EqualTo(1));
        });
    }

    [Test]
    public void RemoveIdle_SessionSilentForTheTimeout_IsRemovedAndItsPortsFreed()
    {
        var table = NewTable();
        table.TryGetOrAdd("c1", out _, out _);
        _time.Advance(Timeout);
        var idle = table.RemoveIdle();
        Assert.Multiple(() =>
        {
            Assert.That(idle.Select(s => s.CallId), Is.EqualTo(new[] { "c1" }));
            Assert.That(table.Active, Is.Zero);
            Assert.That(table.Closed, Is.EqualTo(1));
            Assert.That(table.PortPairsFree, Is.EqualTo(4));
        });
    }

    [Test]
    public void RemoveIdle_SessionWithRecentMedia_IsKept()
    {
        var table = NewTable();
        table.TryGetOrAdd("c1", out var session, out _);
        _time.Advance(Timeout - TimeSpan.FromSeconds(1));
        session!.Route(RelayLegId.A, MediaChannel.Rtp, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1).Serialize(), RtpPackets.Rtp(1, []), _time.GetTimestamp(), out _);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(table.RemoveIdle(), Is.Empty);
    }

    [Test]
    public void TryRemove_KnownCall_FreesItsPorts()
    {
        var table = NewTable();
        table.TryGetOrAdd("c1", out _, out _);
        Assert.Multiple(() =>
        {
            Assert.That(table.TryRemove("c1", out _), Is.True);
            Assert.That(table.TryRemove("c1", out _), Is.False);
            Assert.That(table.PortPairsFree, Is.EqualTo(4));
        });
    }
}
