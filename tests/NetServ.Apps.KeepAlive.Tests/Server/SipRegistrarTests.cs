using System.Text;
using NetServ.Apps.KeepAlive.Server;
using NetServ.Networking;
using NetServ.Sip;

namespace NetServ.Apps.KeepAlive.Tests.Server;

[TestFixture]
public sealed class SipRegistrarTests
{
    private const string Headers =
        "Via: SIP/2.0/UDP 198.18.1.1:40000;branch=z9hG4bK-1\r\n" +
        "From: <sip:ua@198.18.1.1>;tag=1\r\n" +
        "To: <sip:ua@198.18.2.2>\r\n" +
        "Call-ID: c1\r\n";

    private static readonly SipEndpoint Agent = new(Ipv4Address.Parse("198.18.1.1"), 40000);

    private readonly SipRegistrar _registrar = new(new SipToTags(), registrationSeconds: 600);

    [Test]
    public void Handle_KeepAliveNotify_Answers200AndSaysItIsAKeepAlive()
    {
        var (answer, response) = Handle("NOTIFY sip:s@198.18.2.2 SIP/2.0\r\n" + Headers + "CSeq: 1 NOTIFY\r\nEvent: keep-alive\r\nContent-Length: 0\r\n\r\n");

        Assert.That(answer.Kind, Is.EqualTo(SipDatagramKind.KeepAliveNotify));
        Assert.That(answer.IsKeepAlive, Is.True);
        Assert.That(response, Does.StartWith("SIP/2.0 200 OK\r\n").And.Match("To: <sip:ua@198\\.18\\.2\\.2>;tag=[0-9a-f]{16}\r\n"));
        Assert.That(answer.SendTo, Is.EqualTo(Agent));
    }

    [Test]
    public void Handle_RequestFromBehindANatWithRport_FillsInViaAndAnswersTheSourcePort()
    {
        // RFC 3581 section 4 with the example of its section 6.
        var nat = new SipEndpoint(Ipv4Address.Parse("192.0.2.1"), 9988);
        var request = "OPTIONS sip:s@198.18.2.2 SIP/2.0\r\n" + Headers.Replace("198.18.1.1:40000;branch=z9hG4bK-1", "10.1.1.1:4540;rport;branch=z9hG4bKkjshdyff", StringComparison.Ordinal) + "CSeq: 1 OPTIONS\r\n\r\n";

        var (answer, response) = Handle(request, nat);

        Assert.That(response, Does.Contain("\r\nVia: SIP/2.0/UDP 10.1.1.1:4540;received=192.0.2.1;rport=9988;branch=z9hG4bKkjshdyff\r\n"));
        Assert.That(answer.SendTo, Is.EqualTo(nat));
    }

    [Test]
    public void Handle_RequestFromAnotherAddressThanSentBy_AddsReceivedAndAnswersTheSentByPort()
    {
        // RFC 3261 sections 18.2.1 and 18.2.2.
        var (answer, response) = Handle("OPTIONS sip:s@198.18.2.2 SIP/2.0\r\n" + Headers + "CSeq: 1 OPTIONS\r\n\r\n", new SipEndpoint(Ipv4Address.Parse("192.0.2.1"), 9988));

        Assert.That(response, Does.Contain("\r\nVia: SIP/2.0/UDP 198.18.1.1:40000;branch=z9hG4bK-1;received=192.0.2.1\r\n"));
        Assert.That(answer.SendTo, Is.EqualTo(new SipEndpoint(Ipv4Address.Parse("192.0.2.1"), 40000)));
    }

    [Test]
    public void Handle_RequestsOfTwoCallIds_CarryDifferentToTags()
    {
        var first = Handle("OPTIONS sip:s@198.18.2.2 SIP/2.0\r\n" + Headers + "CSeq: 1 OPTIONS\r\n\r\n").Response;
        var second = Handle("OPTIONS sip:s@198.18.2.2 SIP/2.0\r\n" + Headers.Replace("Call-ID: c1", "Call-ID: c2", StringComparison.Ordinal) + "CSeq: 1 OPTIONS\r\n\r\n").Response;

        Assert.That(ToLine(second), Is.Not.EqualTo(ToLine(first)));
    }

    [Test]
    public void Handle_CrlfPing_AnswersAPong()
    {
        var (answer, response) = Handle("\r\n\r\n");

        Assert.That((answer.Kind, response, answer.SendTo), Is.EqualTo((SipDatagramKind.CrlfPing, "\r\n", Agent)));
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

    private static string ToLine(string response) => response.Split("\r\n").Single(l => l.StartsWith("To:", StringComparison.Ordinal));

    private (SipAnswer Answer, string Response) Handle(string datagram, SipEndpoint? source = null)
    {
        var buffer = new byte[4096];
        var answer = _registrar.Handle(Encoding.ASCII.GetBytes(datagram), source ?? Agent, buffer);
        return (answer, Encoding.ASCII.GetString(buffer, 0, answer.ResponseLength));
    }
}
