using System.Text;
using NetServ.Testbed.Http;

namespace NetServ.Testbed.Tests.Http;

/// <summary>The forward proxy's request heads, as apt sends them (RFC 9112 §3.2.2's absolute form).</summary>
[TestFixture]
public sealed class ProxyRequestParserTests
{
    private const string AptHead =
        "GET http://deb.debian.org/debian/dists/bookworm/InRelease HTTP/1.1\r\n" +
        "Host: deb.debian.org\r\n" +
        "Cache-Control: max-age=0\r\n" +
        "If-Modified-Since: Sat, 07 Oct 2023 09:04:31 GMT\r\n" +
        "User-Agent: Debian APT-HTTP/1.3 (2.6.1)\r\n" +
        "\r\n";

    [Test]
    public void TryParse_AptGetOfAnAbsoluteUrl_ForwardsItWithItsHeadersAndConsumesTheHead()
    {
        var status = ProxyRequestParser.TryParse(Bytes(AptHead), out var request, out var consumed);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ProxyParseStatus.Forward));
            Assert.That(request!.Target, Is.EqualTo(new Uri("http://deb.debian.org/debian/dists/bookworm/InRelease")));
            Assert.That(request.Headers.Select(h => h.Key), Is.EqualTo(new[] { "Host", "Cache-Control", "If-Modified-Since", "User-Agent" }));
            Assert.That(request.Headers[2].Value, Is.EqualTo("Sat, 07 Oct 2023 09:04:31 GMT"));
            Assert.That(request.KeepAlive, Is.True, "HTTP/1.1 keeps the connection unless told otherwise");
            Assert.That(consumed, Is.EqualTo(AptHead.Length));
        });
    }

    [Test]
    public void TryParse_TwoPipelinedRequests_ConsumesOnlyTheFirst()
    {
        var two = AptHead + AptHead.Replace("GET", "HEAD", StringComparison.Ordinal);

        ProxyRequestParser.TryParse(Bytes(two), out _, out var consumed);
        var status = ProxyRequestParser.TryParse(Bytes(two).AsSpan(consumed), out var second, out _);

        Assert.Multiple(() =>
        {
            Assert.That(consumed, Is.EqualTo(AptHead.Length));
            Assert.That(status, Is.EqualTo(ProxyParseStatus.Forward));
            Assert.That(second!.IsHead, Is.True);
        });
    }

    [Test]
    public void TryParse_HeadNotComplete_NeedsMoreAndConsumesNothing()
    {
        var status = ProxyRequestParser.TryParse(Bytes(AptHead[..^2]), out var request, out var consumed);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ProxyParseStatus.NeedMore));
            Assert.That(request, Is.Null);
            Assert.That(consumed, Is.Zero);
        });
    }

    [Test]
    public void TryParse_Connect_IsRefusedSayingNoTunnels()
    {
        var status = ProxyRequestParser.TryParse(Bytes("CONNECT deb.debian.org:443 HTTP/1.1\r\nHost: deb.debian.org:443\r\n\r\n"), out var request, out _);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ProxyParseStatus.Refused));
            Assert.That(request!.Problem, Does.Contain("CONNECT").And.Contain("GET and HEAD"));
        });
    }

    [TestCase("POST http://deb.debian.org/ HTTP/1.1", "POST")]
    [TestCase("GET /debian/dists/bookworm/InRelease HTTP/1.1", "not an absolute http:// URL")]
    [TestCase("GET https://deb.debian.org/debian/ HTTP/1.1", "not an absolute http:// URL")]
    [TestCase("GET file:///etc/shadow HTTP/1.1", "not an absolute http:// URL")]
    public void TryParse_AnythingButGetOrHeadOfAnHttpUrl_IsRefusedSayingWhy(string requestLine, string problem)
    {
        var status = ProxyRequestParser.TryParse(Bytes($"{requestLine}\r\nHost: deb.debian.org\r\n\r\n"), out var request, out _);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ProxyParseStatus.Refused));
            Assert.That(request!.Problem, Does.Contain(problem));
        });
    }

    [TestCase("GET http://deb.debian.org/\r\n\r\n")]
    [TestCase("GET http://deb.debian.org/ SPDY/3\r\n\r\n")]
    [TestCase("GET http://deb.debian.org/ HTTP/1.1\r\nno colon here\r\n\r\n")]
    [TestCase("GET http://deb.debian.org/ HTTP/1.1\r\nHost : deb.debian.org\r\n\r\n")]
    public void TryParse_NoHttp1RequestHead_IsMalformed(string head) =>
        Assert.That(ProxyRequestParser.TryParse(Bytes(head), out _, out _), Is.EqualTo(ProxyParseStatus.Malformed));

    [Test]
    public void TryParse_HeadLongerThanTheLimitWithoutItsEnd_IsMalformed()
    {
        var endless = "GET http://deb.debian.org/ HTTP/1.1\r\nX-Filler: " + new string('a', ProxyRequestParser.MaxHeadBytes);

        var status = ProxyRequestParser.TryParse(Bytes(endless), out var request, out _);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(ProxyParseStatus.Malformed));
            Assert.That(request!.Problem, Does.Contain("longer than"));
        });
    }

    [TestCase("HTTP/1.1", "", true)]
    [TestCase("HTTP/1.1", "Connection: close\r\n", false)]
    [TestCase("HTTP/1.0", "", false)]
    [TestCase("HTTP/1.0", "Proxy-Connection: keep-alive\r\n", true)]
    public void TryParse_ConnectionHeaders_DecideWhetherTheConnectionIsKept(string version, string header, bool kept)
    {
        ProxyRequestParser.TryParse(Bytes($"GET http://deb.debian.org/ {version}\r\n{header}\r\n"), out var request, out _);

        Assert.That(request!.KeepAlive, Is.EqualTo(kept));
    }

    [TestCase("Proxy-Connection", true)]
    [TestCase("transfer-encoding", true)]
    [TestCase("Host", true)]
    [TestCase("If-Modified-Since", false)]
    [TestCase("Range", false)]
    public void IsHopByHop_Header_TellsWhetherItIsLeftOut(string name, bool hopByHop) =>
        Assert.That(ProxyRequestParser.IsHopByHop(name), Is.EqualTo(hopByHop));

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);
}
