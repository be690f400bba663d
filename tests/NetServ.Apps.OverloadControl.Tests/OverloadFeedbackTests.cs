using System.Text;

namespace NetServ.Apps.OverloadControl.Tests;

[TestFixture]
public sealed class OverloadFeedbackTests
{
    [TestCase("OC-FEEDBACK rate=120 seq=7", "Rate", 120, 7)]
    [TestCase("OC-FEEDBACK rate=12.5 seq=0\r\n", "Rate", 12.5, 0)]
    [TestCase("OC-FEEDBACK seq=8 drop=0.25", "Drop", 0.25, 8)]
    [TestCase("OC-FEEDBACK off seq=9\n", "Off", 0, 9)]
    [TestCase("OC-FEEDBACK rate=50", "Rate", 50, 0)]
    [TestCase("OC-FEEDBACK rate=50 seq=3 window=2s", "Rate", 50, 3)]
    public void TryParse_WellFormed_ReadsKindValueAndSequence(string text, string kind, double value, long sequence)
    {
        Assert.That(OverloadFeedback.TryParse(Encoding.ASCII.GetBytes(text), out var feedback), Is.True);

        Assert.That(feedback, Is.EqualTo(new OverloadFeedback(Enum.Parse<FeedbackKind>(kind), value, sequence)));
    }

    [TestCase("")]
    [TestCase("OC-FEEDBACK")]
    [TestCase("OC-FEEDBACK ")]
    [TestCase("OC-FEEDBACKrate=5")]
    [TestCase("oc-feedback rate=5")]
    [TestCase("OC-FEEDBACK seq=7")]
    [TestCase("OC-FEEDBACK rate=-5")]
    [TestCase("OC-FEEDBACK rate=NaN")]
    [TestCase("OC-FEEDBACK rate=5x")]
    [TestCase("OC-FEEDBACK rate=")]
    [TestCase("OC-FEEDBACK drop=1.5")]
    [TestCase("OC-FEEDBACK rate=5 drop=0.5")]
    [TestCase("OC-FEEDBACK off rate=5")]
    [TestCase("OC-FEEDBACK rate=5 seq=-1")]
    [TestCase("OC-FEEDBACK rate=5 seq=x")]
    [TestCase("OC-FEEDBACK =5")]
    [TestCase("OC-FEEDBACK nonsense")]
    [TestCase("INVITE sip:bob@198.19.0.1 SIP/2.0\r\n\r\n")]
    public void TryParse_Malformed_ReturnsFalse(string text)
    {
        Assert.That(OverloadFeedback.TryParse(Encoding.ASCII.GetBytes(text), out _), Is.False);
    }

    [TestCase("Rate", 50)]
    [TestCase("Drop", 0.125)]
    [TestCase("Off", 0)]
    public void TryFormat_ThenTryParse_RoundTrips(string kind, double value)
    {
        var feedback = new OverloadFeedback(Enum.Parse<FeedbackKind>(kind), value, 42);
        var buffer = new byte[64];

        Assert.That(feedback.TryFormat(buffer, out var written), Is.True);
        Assert.That(OverloadFeedback.TryParse(buffer.AsSpan(0, written), out var parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(feedback));
    }

    [TestCase("OC-FEEDBACK rate=1 seq=1")]
    [TestCase("MESSAGE sip:bob@198.19.0.1 SIP/2.0\r\nTo: <sip:bob@198.19.0.1>\r\nCSeq: 1 MESSAGE\r\n\r\n")]
    public void Fuzz_MutationsOfASeed_NeverThrow(string seed)
    {
        var random = new Random(5);
        var bytes = System.Text.Encoding.ASCII.GetBytes(seed);
        for (var i = 0; i < 20_000; i++)
        {
            var mutated = bytes[..random.Next(bytes.Length + 1)];
            for (var flips = random.Next(3); flips > 0 && mutated.Length > 0; flips--)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            Assert.DoesNotThrow(() => OverloadControlFuzz.Fuzz(mutated), Encoding.Latin1.GetString(mutated));
        }
    }
}
