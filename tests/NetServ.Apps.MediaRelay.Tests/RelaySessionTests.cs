using System.Net;

namespace NetServ.Apps.MediaRelay.Tests;

public sealed class RelaySessionTests
{
    private static readonly SocketAddress UaA = new IPEndPoint(IPAddress.Parse("198.18.1.10"), 40000).Serialize();
    private static readonly SocketAddress UaB = new IPEndPoint(IPAddress.Parse("198.19.2.20"), 50000).Serialize();
    private static readonly SocketAddress Stranger = new IPEndPoint(IPAddress.Parse("198.18.9.9"), 40000).Serialize();

    private RelayCounters _totals = null!;

    [SetUp]
    public void Reset() => _totals = new RelayCounters();

    private RelaySession NewSession() => new("call-1", 30000, 30002, 0, _totals);

    [Test]
    public void Route_FirstPacket_LatchesSourceAsThatLegsPeer()
    {
        var session = NewSession();
        session.Route(RelayLegId.A, MediaChannel.Rtp, UaA, RtpPackets.Rtp(1, [1]), 1, out _);
        Assert.That(session.A.PeerEndPoint(MediaChannel.Rtp), Is.EqualTo(new IPEndPoint(IPAddress.Parse("198.18.1.10"), 40000)));
    }

    [Test]
    public void Route_FarSideNotYetLatched_DropsAndCounts()
    {
        var session = NewSession();
        var decision = session.Route(RelayLegId.A, MediaChannel.Rtp, UaA, RtpPackets.Rtp(1, [1]), 1, out var destination);
        Assert.Multiple(() =>
        {
            Assert.That(decision, Is.EqualTo(RelayDecision.FarSideUnlatched));
            Assert.That(destination, Is.Null);
            Assert.That(session.Counters.Dropped, Is.EqualTo(1));
        });
    }

    [Test]
    public void Route_BothSidesLatched_ForwardsToFarSidesLatchedAddress()
    {
        var session = NewSession();
        session.Route(RelayLegId.B, MediaChannel.Rtp, UaB, RtpPackets.Rtp(1, [1]), 1, out _);
        var decision = session.Route(RelayLegId.A, MediaChannel.Rtp, UaA, RtpPackets.Rtp(2, [1, 2]), 2, out var destination);
        Assert.Multiple(() =>
        {
            Assert.That(decision, Is.EqualTo(RelayDecision.Forward));
            Assert.That(destination, Is.EqualTo(UaB));
            Assert.That(session.Counters.PacketsAToB, Is.EqualTo(1));
            Assert.That(session.Counters.BytesAToB, Is.EqualTo(14));
            Assert.That(_totals.PacketsAToB, Is.EqualTo(1));
        });
    }

    [Test]
    public void Route_PacketFromAnotherSourceAfterLatching_IsDroppedAsForeign()
    {
        var session = NewSession();
        session.Route(RelayLegId.A, MediaChannel.Rtp, UaA, RtpPackets.Rtp(1, [1]), 1, out _);
        var decision = session.Route(RelayLegId.A, MediaChannel.Rtp, Stranger, RtpPackets.Rtp(2, [1]), 2, out _);
        Assert.Multiple(() =>
        {
            Assert.That(decision, Is.EqualTo(RelayDecision.Foreign));
            Assert.That(session.A.Peer(MediaChannel.Rtp), Is.EqualTo(UaA));
        });
    }

    [Test]
    public void Route_MalformedFirstPacket_DoesNotLatch()
    {
        var session = NewSession();
        var decision = session.Route(RelayLegId.A, MediaChannel.Rtp, Stranger, [0x00, 0x01], 1, out _);
        session.Route(RelayLegId.A, MediaChannel.Rtp, UaA, RtpPackets.Rtp(1, [1]), 2, out _);
        Assert.Multiple(() =>
        {
            Assert.That(decision, Is.EqualTo(RelayDecision.Malformed));
            Assert.That(session.Counters.Malformed, Is.EqualTo(1));
            Assert.That(session.A.Peer(MediaChannel.Rtp), Is.EqualTo(UaA));
        });
    }

    [Test]
    public void Route_RtcpChannel_LatchesSeparatelyFromRtp()
    {
        var session = NewSession();
        var rtcpSource = new IPEndPoint(IPAddress.Parse("198.18.1.10"), 40001).Serialize();
        session.Route(RelayLegId.A, MediaChannel.Rtp, UaA, RtpPackets.Rtp(1, [1]), 1, out _);
        session.Route(RelayLegId.A, MediaChannel.Rtcp, rtcpSource, RtpPackets.RtcpReceiverReport(), 1, out _);
        Assert.That(session.A.Peer(MediaChannel.Rtcp), Is.EqualTo(rtcpSource));
    }

    [Test]
    public void Route_RelayedPacket_UpdatesLastActivity()
    {
        var session = NewSession();
        session.Route(RelayLegId.A, MediaChannel.Rtp, UaA, RtpPackets.Rtp(1, [1]), 42, out _);
        Assert.That(session.LastActivity, Is.EqualTo(42));
    }

    [Test]
    public void Route_ForeignPacket_DoesNotKeepSessionAlive()
    {
        var session = NewSession();
        session.Route(RelayLegId.A, MediaChannel.Rtp, UaA, RtpPackets.Rtp(1, [1]), 5, out _);
        session.Route(RelayLegId.A, MediaChannel.Rtp, Stranger, RtpPackets.Rtp(1, [1]), 99, out _);
        Assert.That(session.LastActivity, Is.EqualTo(5));
    }
}
