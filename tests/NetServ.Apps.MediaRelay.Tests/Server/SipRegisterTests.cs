using System.Text;
using NetServ.Apps.MediaRelay.Server;

namespace NetServ.Apps.MediaRelay.Tests.Server;

public sealed class SipRegisterTests
{
    private const string Register =
        "REGISTER sip:itsp SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bK1\r\nFrom: <sip:alice@itsp>;tag=1\r\n" +
        "To: \"Alice\" <sip:alice@itsp>\r\nCall-ID: r1\r\nCSeq: 1 REGISTER\r\nContact: <sip:alice@198.18.1.1:5060>\r\nContent-Length: 0\r\n\r\n";

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
    public void TryWriteOk_Register_AnswersWithExpires()
    {
        var response = new byte[1024];
        Assert.That(SipRegister.TryWriteOk(response, Encoding.ASCII.GetBytes(Register), "t1"u8, 3600, out var written), Is.True);
        var text = Encoding.ASCII.GetString(response, 0, written);
        Assert.That(text, Does.StartWith("SIP/2.0 200 OK\r\n").And.Contain("Expires: 3600\r\n"));
    }
}
