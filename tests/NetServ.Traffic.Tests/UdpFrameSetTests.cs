using System.Net.NetworkInformation;
using NetServ.Networking;

namespace NetServ.Traffic.Tests;

[TestFixture]
public sealed class UdpFrameSetTests
{
    private static readonly PhysicalAddress Source = PhysicalAddress.Parse("02-00-00-00-00-01");
    private static readonly PhysicalAddress NextHop = PhysicalAddress.Parse("02-00-00-00-00-02");

    [Test]
    public void Indexer_PacketNumber_CyclesThroughTheFramesInOrder()
    {
        var frames = new[] { Frame(5060), Frame(5061), Frame(5062) };
        var set = UdpFrameSet.Of(frames);

        Assert.Multiple(() =>
        {
            Assert.That(set.Count, Is.EqualTo(3));
            Assert.That(Enumerable.Range(0, 7).Select(i => set[i]), Is.EqualTo(new[] { frames[0], frames[1], frames[2], frames[0], frames[1], frames[2], frames[0] }));
            Assert.That(set[3_000_000_002L], Is.SameAs(frames[2]), "packet numbers beyond int");
        });
    }

    [TestCase(0, 0, 0, 0)]
    [TestCase(3, 1, 1, 1)]
    [TestCase(7, 3, 2, 2)]
    [TestCase(8, 3, 3, 2)]
    public void PacketsOf_RunOfPackets_SharesThemEvenlyFirstFramesFirst(long packets, long first, long second, long third)
    {
        var set = UdpFrameSet.Of(Frame(5060), Frame(5061), Frame(5062));

        Assert.That(new[] { set.PacketsOf(0, packets), set.PacketsOf(1, packets), set.PacketsOf(2, packets) }, Is.EqualTo(new[] { first, second, third }));
    }

    [Test]
    public void Of_FramesToDifferentNextHops_Throws()
    {
        var other = UdpFrame.Create(64, Source, PhysicalAddress.Parse("02-00-00-00-00-03"), Ipv4Address.Parse("198.18.0.1"), Ipv4Address.Parse("198.19.0.1"), 5060, 5061);

        Assert.Throws<ArgumentException>(() => UdpFrameSet.Of(Frame(5060), other));
    }

    [Test]
    public void Of_NoFrame_Throws() =>
        Assert.Throws<ArgumentException>(() => UdpFrameSet.Of(Array.Empty<UdpFrame>()));

    private static UdpFrame Frame(ushort port) =>
        UdpFrame.Create(64, Source, NextHop, Ipv4Address.Parse("198.18.0.1"), Ipv4Address.Parse("198.19.0.1"), 5060, port);
}
