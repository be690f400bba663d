using System.Text;
using NetServ.Networking;

namespace NetServ.Traffic.Tests;

[TestFixture]
public sealed class SipKeepAliveMessageTests
{
    private static readonly Ipv4Address Sender = Ipv4Address.Parse("198.18.0.1");
    private static readonly Ipv4Address Receiver = Ipv4Address.Parse("198.19.0.1");

    [Test]
    public void Build_AnyLengthFromTheMinimum_IsExactlyThatLong([Values(0, 1, 57, 1000)] int extra)
    {
        var length = SipKeepAliveMessage.MinimumLength(Sender, 5060, Receiver, 5060) + extra;

        Assert.That(SipKeepAliveMessage.Build(Sender, 5060, Receiver, 5060, length), Has.Length.EqualTo(length));
    }

    [Test]
    public void Build_Message_IsANotifyRequestWithEveryMandatoryHeaderAndTheKeepAliveEvent()
    {
        var text = Encoding.ASCII.GetString(SipKeepAliveMessage.Build(Sender, 5061, Receiver, 5060, 294));
        var lines = text.Split("\r\n");

        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Is.EqualTo("NOTIFY sip:198.19.0.1:5060 SIP/2.0"), "request line");
            Assert.That(lines, Has.Some.Match(@"^Via: SIP/2\.0/UDP 198\.18\.0\.1:5061;branch=z9hG4bK\S+$"), "Via with the RFC 3261 magic cookie");
            Assert.That(lines, Has.Some.EqualTo("Max-Forwards: 70"));
            Assert.That(lines, Has.Some.Match(@"^From: <sip:\S+@198\.18\.0\.1>;tag=\S+$"), "From with a tag");
            Assert.That(lines, Has.Some.EqualTo("To: <sip:ua@198.19.0.1>"));
            Assert.That(lines, Has.Some.Match(@"^Call-ID: \S+$"));
            Assert.That(lines, Has.Some.EqualTo("CSeq: 1 NOTIFY"), "CSeq names the request's method");
            Assert.That(lines, Has.Some.EqualTo("Event: keep-alive"));
            Assert.That(text, Does.EndWith("\r\nContent-Length: 0\r\n\r\n"), "headers end with an empty line and no body follows");
            Assert.That(text.Count(c => c == '\n'), Is.EqualTo(text.Split("\r\n").Length - 1), "every line ends with CRLF");
        });
    }

    [Test]
    public void Build_ShorterThanTheMinimum_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            SipKeepAliveMessage.Build(Sender, 5060, Receiver, 5060, SipKeepAliveMessage.MinimumLength(Sender, 5060, Receiver, 5060) - 1));

    [Test]
    public void Build_PaperFrameSize_FitsA340ByteFrame() =>
        Assert.That(SipKeepAliveMessage.MinimumLength(Ipv4Address.Parse("198.19.255.254"), 65535, Ipv4Address.Parse("198.19.255.254"), 65535), Is.LessThanOrEqualTo(340 - 46));

    [Test]
    public void MinimumLengthAnyEndpoints_IsTheLengthWithTheLongestAddressesAndPorts()
    {
        var longest = Ipv4Address.Parse("255.255.255.255");

        Assert.That(SipKeepAliveMessage.MinimumLength(longest, 65535, longest, 65535), Is.EqualTo(SipKeepAliveMessage.MinimumLengthAnyEndpoints));
    }

    [Test]
    public void Build_WithABody_AnnouncesItAndLeavesItsBytesLast()
    {
        var message = SipKeepAliveMessage.Build(Sender, 5060, Receiver, 5060, 294, bodyBytes: 16);
        var text = Encoding.ASCII.GetString(message, 0, message.Length - 16);

        Assert.Multiple(() =>
        {
            Assert.That(message, Has.Length.EqualTo(294));
            Assert.That(text, Does.EndWith("\r\nContent-Length: 16\r\n\r\n"), "the headers announce the body and end where it starts");
            Assert.That(message[^16..], Is.All.EqualTo(0), "the body is left for the caller (a latency stamp)");
        });
    }

    [Test]
    public void Build_WithABodyThatLeavesNoRoom_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            SipKeepAliveMessage.Build(Sender, 5060, Receiver, 5060, SipKeepAliveMessage.MinimumLength(Sender, 5060, Receiver, 5060) + 15, bodyBytes: 16));
}
