using System.Text;
using NetServ.Apps.MediaRelay.Server;
using NetServ.Networking;
using NetServ.Sip;

namespace NetServ.Apps.MediaRelay.Tests.Server;

public sealed class SipRegisterTests
{
    private const string Register =
        "REGISTER sip:itsp SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bK1\r\nFrom: <sip:alice@itsp>;tag=1\r\n" +
        "To: \"Alice\" <sip:alice@itsp>\r\nCall-ID: r1\r\nCSeq: 1 REGISTER\r\nContact: <sip:alice@198.18.1.1:5060>\r\nContent-Length: 0\r\n\r\n";

    private static readonly SipEndpoint Agent = new(Ipv4Address.Parse("198.18.1.1"), 5060);

    private readonly SipToTags _toTags = new();

    [Test]
    public void TryRead_Register_ReturnsTheToUri()
    {
        Assert.That(SipRegister.TryRead(Encoding.ASCII.GetBytes(Register), out var aor), Is.True);
        Assert.That(aor, Is.EqualTo("sip:alice@itsp"));
    }

    [Test]
    public void TryRead_OtherMethod_ReturnsFalse() =>
        Assert.That(SipRegister.TryRead(Encoding.ASCII.GetBytes(Register.Replace("REGISTER sip", "OPTIONS sip", StringComparison.Ordinal)), out _), Is.False);

    [Test]
    public void TryRead_RandomBytes_NeverThrows()
    {
        var random = new Random(9);
        var bytes = Encoding.ASCII.GetBytes(Register);
        for (var i = 0; i < 5000; i++)
        {
            var copy = bytes[..random.Next(0, bytes.Length)];
            if (copy.Length > 0)
            {
                copy[random.Next(copy.Length)] = (byte)random.Next(256);
            }

            Assert.DoesNotThrow(() => SipRegister.TryRead(copy, out _));
        }
    }

    [Test]
    public void TryWriteOk_Register_AnswersWithExpiresAndATagToTheSentByPort()
    {
        var (text, sendTo) = WriteOk(Register, Agent);
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.StartWith("SIP/2.0 200 OK\r\n").And.Contain("Expires: 3600\r\n").And.Match("To: \"Alice\" <sip:alice@itsp>;tag=[0-9a-f]{16}\r\n"));
            Assert.That(sendTo, Is.EqualTo(Agent));
        });
    }

    [Test]
    public void TryWriteOk_RegisterFromBehindANatWithRport_FillsInViaAndAnswersTheSourcePort()
    {
        // RFC 3581 section 4 with the example of its section 6: sent from 10.1.1.1:4540, seen from 192.0.2.1:9988.
        var nat = new SipEndpoint(Ipv4Address.Parse("192.0.2.1"), 9988);
        var (text, sendTo) = WriteOk(Register.Replace("198.18.1.1:5060;branch=z9hG4bK1", "10.1.1.1:4540;rport;branch=z9hG4bKkjshdyff", StringComparison.Ordinal), nat);
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("\r\nVia: SIP/2.0/UDP 10.1.1.1:4540;received=192.0.2.1;rport=9988;branch=z9hG4bKkjshdyff\r\n"));
            Assert.That(sendTo, Is.EqualTo(nat));
        });
    }

    [Test]
    public void TryWriteOk_RegisterFromAnotherAddressThanSentBy_AddsReceivedAndAnswersTheSentByPort()
    {
        // RFC 3261 section 18.2.1 (received), 18.2.2 (no rport: the sent-by port at the source address).
        var (text, sendTo) = WriteOk(Register, new SipEndpoint(Ipv4Address.Parse("192.0.2.1"), 9988));
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("\r\nVia: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bK1;received=192.0.2.1\r\n"));
            Assert.That(sendTo, Is.EqualTo(new SipEndpoint(Ipv4Address.Parse("192.0.2.1"), 5060)));
        });
    }

    [Test]
    public void TryWriteOk_RegistersOfTwoCallIds_CarryDifferentToTags_AndARetransmissionTheSame()
    {
        var first = WriteOk(Register, Agent).Text;
        var again = WriteOk(Register, Agent).Text;
        var other = WriteOk(Register.Replace("Call-ID: r1", "Call-ID: r2", StringComparison.Ordinal), Agent).Text;
        Assert.Multiple(() =>
        {
            Assert.That(ToLine(again), Is.EqualTo(ToLine(first)));
            Assert.That(ToLine(other), Is.Not.EqualTo(ToLine(first)));
        });
    }

    private static string ToLine(string response) => response.Split("\r\n").Single(l => l.StartsWith("To:", StringComparison.Ordinal));

    private (string Text, SipEndpoint SendTo) WriteOk(string request, SipEndpoint source)
    {
        var response = new byte[1024];
        Assert.That(SipRegister.TryWriteOk(response, Encoding.ASCII.GetBytes(request), source, _toTags, 3600, out var written, out var sendTo), Is.True);
        return (Encoding.ASCII.GetString(response, 0, written), sendTo);
    }
}
