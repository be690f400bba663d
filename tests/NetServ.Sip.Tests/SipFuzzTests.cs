using static NetServ.Sip.Tests.SipMessages;

namespace NetServ.Sip.Tests;

[TestFixture]
public sealed class SipFuzzTests
{
    private static readonly string[] Seeds =
    [
        SipMessages.KeepAliveNotify,
        "\r\n\r\n",
        "OPTIONS sip:198.19.0.1 SIP/2.0\r\nv: SIP/2.0/UDP a;branch=z9\r\nf: <sip:a@b>;tag=1\r\nt: <sip:c@d>\r\ni: x\r\nCSeq: 1 OPTIONS\r\nl: 0\r\n\r\n",
        "NOTIFY sip:x SIP/2.0\r\nSubject: a\r\n b\r\n\tc\r\nEvent: keep-alive\r\n\r\n",
        "MESSAGE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 10.1.1.1:4540;received=1.2.3.4;rport;maddr=239.1.1.1;x=\"a;b\", SIP/2.0/UDP [::1]\r\nf: <sip:a@b>;tag=1\r\nt: c\r\ni: x\r\nCSeq: 1 MESSAGE\r\n\r\n",
    ];

    [Test]
    public void Fuzz_MutatedMessages_NeverThrowAndWrittenResponsesParse()
    {
        // Bounded and reproducible: a fixed seed and a fixed number of cases.
        var random = new Random(5060);
        var alphabet = "\r\n \t:;<>\"\\=,aZ0-"u8.ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            var message = Bytes(Seeds[i % Seeds.Length]).ToList();
            var mutations = random.Next(1, 6);
            for (var m = 0; m < mutations && message.Count > 0; m++)
            {
                var at = random.Next(message.Count);
                switch (random.Next(4))
                {
                    case 0:
                        message[at] = random.Next(2) == 0 ? alphabet[random.Next(alphabet.Length)] : (byte)random.Next(256);
                        break;
                    case 1:
                        message.RemoveAt(at);
                        break;
                    case 2:
                        message.Insert(at, alphabet[random.Next(alphabet.Length)]);
                        break;
                    default:
                        message.RemoveRange(at, message.Count - at);
                        break;
                }
            }

            var bytes = message.ToArray();
            Assert.DoesNotThrow(() => SipFuzz.Fuzz(bytes), Text(bytes));
        }
    }

    [Test]
    public void Fuzz_RandomBytes_NeverThrow()
    {
        var random = new Random(270);
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            if (bytes.Length > 7 && i % 2 == 0)
            {
                "NOTIFY "u8.CopyTo(bytes);
            }

            Assert.DoesNotThrow(() => SipFuzz.Fuzz(bytes));
        }
    }
}
