using System.Text;
using NetServ.Apps.KeepAlive.Server;

namespace NetServ.Apps.KeepAlive.Tests.Server;

[TestFixture]
public sealed class SipRegistrarTests
{
    private const string Headers =
        "Via: SIP/2.0/UDP 198.18.1.1:40000;branch=z9hG4bK-1\r\n" +
        "From: <sip:ua@198.18.1.1>;tag=1\r\n" +
        "To: <sip:ua@198.18.2.2>\r\n" +
        "Call-ID: c1\r\n";

    private readonly SipRegistrar _registrar = new("srvtag", registrationSeconds: 600);

    [Test]
    public void Handle_KeepAliveNotify_Answers200AndSaysItIsAKeepAlive()
    {
        var (answer, response) = Handle("NOTIFY sip:s@198.18.2.2 SIP/2.0\r\n" + Headers + "CSeq: 1 NOTIFY\r\nEvent: keep-alive\r\nContent-Length: 0\r\n\r\n");

        Assert.That(answer.Kind, Is.EqualTo(SipDatagramKind.KeepAliveNotify));
        Assert.That(answer.IsKeepAlive, Is.True);
        Assert.That(response, Does.StartWith("SIP/2.0 200 OK\r\n").And.Contain("To: <sip:ua@198.18.2.2>;tag=srvtag\r\n"));
    }

    [Test]
    public void Handle_CrlfPing_AnswersAPong()
    {
        var (answer, response) = Handle("\r\n\r\n");

        Assert.That((answer.Kind, response), Is.EqualTo((SipDatagramKind.CrlfPing, "\r\n")));
    }

    [Test]
    public void Handle_Register_EchoesTheContactWithExpires()
    {
        var (answer, response) = Handle("REGISTER sip:198.18.2.2 SIP/2.0\r\n" + Headers + "CSeq: 1 REGISTER\r\nm: <sip:ua@198.18.1.1:40000>\r\n\r\n");

        Assert.That((answer.Kind, answer.Method), Is.EqualTo((SipDatagramKind.Request, "REGISTER")));
        Assert.That(response, Does.Contain("\r\nContact: <sip:ua@198.18.1.1:40000>\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n"));
    }

    [TestCase("OPTIONS")]
    [TestCase("MESSAGE")]
    [TestCase("NOTIFY")]
    public void Handle_OtherRequests_Answer200AndAreNotKeepAlives(string method)
    {
        var (answer, response) = Handle($"{method} sip:s@198.18.2.2 SIP/2.0\r\n" + Headers + $"CSeq: 2 {method}\r\n\r\n");

        Assert.That((answer.Kind, answer.Method, answer.IsKeepAlive), Is.EqualTo((SipDatagramKind.Request, method, false)));
        Assert.That(response, Does.StartWith("SIP/2.0 200 OK\r\n").And.Contain($"CSeq: 2 {method}\r\n"));
    }

    [Test]
    public void Handle_Ack_IsNotAnswered() =>
        Assert.That(Handle("ACK sip:s@198.18.2.2 SIP/2.0\r\n" + Headers + "CSeq: 1 ACK\r\n\r\n").Answer.ResponseLength, Is.Zero);

    [TestCase("SIP/2.0 200 OK\r\n\r\n")]
    [TestCase("not SIP")]
    [TestCase("OPTIONS sip:s SIP/2.0\r\nVia: unended")]
    public void Handle_ResponsesAndJunk_AreIgnored(string datagram) =>
        Assert.That(Handle(datagram).Answer, Is.EqualTo(new SipAnswer(SipDatagramKind.Ignored, datagram.StartsWith("OPTIONS", StringComparison.Ordinal) ? "OPTIONS" : string.Empty, 0)));

    private (SipAnswer Answer, string Response) Handle(string datagram)
    {
        var buffer = new byte[4096];
        var answer = _registrar.Handle(Encoding.ASCII.GetBytes(datagram), buffer);
        return (answer, Encoding.ASCII.GetString(buffer, 0, answer.ResponseLength));
    }
}
