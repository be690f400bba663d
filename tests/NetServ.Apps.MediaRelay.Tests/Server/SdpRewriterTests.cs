using System.Net;
using NetServ.Apps.MediaRelay.Server;

namespace NetServ.Apps.MediaRelay.Tests.Server;

public sealed class SdpRewriterTests
{
    private const string Offer =
        "v=0\r\no=alice 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\n" +
        "m=audio 4000 RTP/AVP 0 8\r\na=rtcp:4001\r\na=rtpmap:0 PCMU/8000\r\nm=video 5000 RTP/AVP 96\r\n";

    private static readonly IPAddress Relay = IPAddress.Parse("198.18.1.2");

    [Test]
    public void TryRewrite_AudioOffer_PointsConnectionAndAudioPortAtRelay()
    {
        Assert.That(SdpRewriter.TryRewrite(Offer, Relay, 30002, out var sdp), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(sdp, Does.Contain("c=IN IP4 198.18.1.2\r\n"));
            Assert.That(sdp, Does.Contain("m=audio 30002 RTP/AVP 0 8\r\n"));
            Assert.That(sdp, Does.Contain("a=rtcp:30003\r\n"));
            Assert.That(sdp, Does.Not.Contain("c=IN IP4 10.0.0.5"));
        });
    }

    [Test]
    public void TryRewrite_VideoLine_IsLeftAsItWas()
    {
        SdpRewriter.TryRewrite(Offer, Relay, 30002, out var sdp);
        Assert.That(sdp, Does.Contain("m=video 5000 RTP/AVP 96\r\n"));
    }

    [Test]
    public void TryRewrite_NoAudioLine_ReturnsFalse() =>
        Assert.That(SdpRewriter.TryRewrite("v=0\r\nc=IN IP4 10.0.0.5\r\nm=video 5000 RTP/AVP 96\r\n", Relay, 30002, out _), Is.False);

    [Test]
    public void TryRewrite_TruncatedAudioLine_ReturnsFalse() =>
        Assert.That(SdpRewriter.TryRewrite("v=0\r\nm=audio 4000\r\n", Relay, 30002, out _), Is.False);
}
