namespace NetServ.Apps.MediaRelay.Tests;

public sealed class PortAllocatorTests
{
    private static HashSet<int> Range(int first, int last) => [.. Enumerable.Range(first, last - first + 1)];

    [Test]
    public void TryAllocate_OddFirstPort_HandsOutEvenRtpPortsOnly()
    {
        var allocator = new PortAllocator(30001, 30008, Range(30000, 30010));
        var ports = new List<int>();
        while (allocator.TryAllocate(out var port))
        {
            ports.Add(port);
        }

        Assert.That(ports, Is.EquivalentTo(new[] { 30002, 30004, 30006 }));
    }

    [Test]
    public void Capacity_PairWithDisallowedRtcpPort_IsSkipped()
    {
        var allowed = Range(30000, 30007);
        allowed.Remove(30003);
        var allocator = new PortAllocator(30000, 30007, allowed);
        Assert.That(allocator.Capacity, Is.EqualTo(3));
    }

    [Test]
    public void TryAllocate_AllPairsTaken_ReturnsFalse()
    {
        var allocator = new PortAllocator(30000, 30003, Range(30000, 30003));
        Assert.Multiple(() =>
        {
            Assert.That(allocator.TryAllocate(out _), Is.True);
            Assert.That(allocator.TryAllocate(out _), Is.True);
            Assert.That(allocator.TryAllocate(out _), Is.False);
        });
    }

    [Test]
    public void TryAllocate_AfterRelease_ReusesThePair()
    {
        var allocator = new PortAllocator(30000, 30001, Range(30000, 30001));
        allocator.TryAllocate(out var first);
        allocator.Release(first);
        Assert.That(allocator.TryAllocate(out var again) && again == first, Is.True);
    }

    [Test]
    public void TryAllocate_AfterRelease_PrefersPairsNotJustReleased()
    {
        var allocator = new PortAllocator(30000, 30005, Range(30000, 30005));
        allocator.TryAllocate(out var first);
        allocator.Release(first);
        allocator.TryAllocate(out var next);
        Assert.That(next, Is.Not.EqualTo(first));
    }
}
