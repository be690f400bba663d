using System.Text;
using NetServ.Apps.MediaRelay.Server;
using NetServ.Sip;

namespace NetServ.Apps.MediaRelay.Tests.Server;

public sealed class SipMessageTests
{
    private const string Invite =
        "INVITE sip:ua2@itsp SIP/2.0\r\nv: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bK1\r\nf: <sip:ua1@itsp>;tag=1\r\nTo: <sip:ua2@itsp>\r\n" +
        "Call-ID: c1\r\nCSeq: 7 INVITE\r\nSubject: a\r\n folded\r\nX-Name: \u00e9t\u00e9\r\nc: application/sdp\r\nl: 4\r\n\r\nv=0\r\n";

    [Test]
    public void TryParse_Request_ReadsItsParts()
    {
        Assert.That(SipMessage.TryParse(Encoding.Latin1.GetBytes(Invite), out var message), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(message!.Method, Is.EqualTo("INVITE"));
            Assert.That(message.RequestUri, Is.EqualTo("sip:ua2@itsp"));
            Assert.That(message.CallId, Is.EqualTo("c1"));
            Assert.That(message.Sequence, Is.EqualTo(7));
            Assert.That(message.CSeqMethod, Is.EqualTo("INVITE"));
            Assert.That(message.Get(SipHeaderName.Via), Is.EqualTo("SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bK1"));
            Assert.That(message.BodyText, Is.EqualTo("v=0\r"), "Content-Length says four bytes");
            Assert.That(message.HasSdp, Is.True);
        });
    }

    [Test]
    public void ToBytes_Message_WritesFullNamesUnfoldedValuesAndTheBodyLength()
    {
        var message = Parse(Invite);
        message.Body = "v=0\r\ns=-\r\n"u8.ToArray();
        var text = Encoding.Latin1.GetString(message.ToBytes());
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.StartWith("INVITE sip:ua2@itsp SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bK1\r\nFrom: "));
            Assert.That(text, Does.Contain("Subject: a folded\r\n"));
            Assert.That(text, Does.Contain("X-Name: \u00e9t\u00e9\r\n"), "bytes that are not ASCII come out as they went in");
            Assert.That(text, Does.EndWith("Content-Length: 10\r\n\r\nv=0\r\ns=-\r\n"));
        });
    }

    [Test]
    public void TryParse_TwoCallIds_ReturnsFalse() =>
        Assert.That(SipMessage.TryParse(Encoding.Latin1.GetBytes(Invite.Replace("Call-ID: c1\r\n", "Call-ID: c1\r\ni: c2\r\n", StringComparison.Ordinal)), out _), Is.False);

    [Test]
    public void TryParse_NoContentLength_TakesTheRestAsBody()
    {
        var message = Parse(Invite.Replace("l: 4\r\n", string.Empty, StringComparison.Ordinal));
        Assert.That(message.BodyText, Is.EqualTo("v=0\r\n"));
    }

    private static SipMessage Parse(string text)
    {
        Assert.That(SipMessage.TryParse(Encoding.Latin1.GetBytes(text), out var message), Is.True);
        return message!;
    }
}
