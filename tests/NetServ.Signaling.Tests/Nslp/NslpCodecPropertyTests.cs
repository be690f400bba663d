using System.Text;
using NetServ.Signaling.Nslp;

namespace NetServ.Signaling.Tests.Nslp;

/// <summary>Whatever the bytes, the codec answers with a status and never throws.</summary>
[TestFixture]
public sealed class NslpCodecPropertyTests
{
    private static readonly byte[] Alphabet = "SETUPREMOVEPROBETRIGGERNETSERV/0.1 :-_.\r\n\r\n0123456789content-length:user:%\u00e9"u8.ToArray();

    [Test]
    public void TryParse_RandomBytes_NeverThrows()
    {
        var random = new Random(20100);
        var failures = new List<string>();
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            if (i % 2 == 0)
            {
                random.NextBytes(bytes);
            }
            else
            {
                // Bytes from the protocol's own alphabet reach deeper into the parser than uniform noise.
                for (var j = 0; j < bytes.Length; j++)
                {
                    bytes[j] = Alphabet[random.Next(Alphabet.Length)];
                }
            }

            Check(bytes, failures);
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void TryParse_MutationsOfAValidMessage_NeverThrowAndStayConsistent()
    {
        var valid = Encoding.UTF8.GetBytes(NslpCodecTests.Figure4.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n");
        var withBody = new NslpResponse(200);
        withBody.Headers.Add("node", "n1");
        withBody.Body = "{\"status\":\"ok\"}"u8.ToArray();
        var seeds = new[] { valid, NslpCodec.Encode(withBody) };
        var random = new Random(1071);
        var failures = new List<string>();
        for (var i = 0; i < 2000; i++)
        {
            var bytes = seeds[i % seeds.Length].ToList();
            var mutations = random.Next(1, 6);
            for (var m = 0; m < mutations && bytes.Count > 0; m++)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(5))
                {
                    case 0: bytes[at] = (byte)random.Next(256); break;
                    case 1: bytes.RemoveAt(at); break;
                    case 2: bytes.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                    case 3: bytes.Insert(at, (byte)'\r'); break;
                    default: bytes.RemoveRange(at, bytes.Count - at); break;
                }
            }

            Check([.. bytes], failures);
        }

        Assert.That(failures, Is.Empty);
    }

    private static void Check(byte[] bytes, List<string> failures)
    {
        try
        {
            var status = NslpCodec.TryParse(bytes, out var consumed, out var message, out var error);
            var consistent = status switch
            {
                NslpParseStatus.Complete => message is not null && consumed > 0 && consumed <= bytes.Length,
                NslpParseStatus.Incomplete => message is null && consumed == 0,
                _ => message is null && !string.IsNullOrEmpty(error) && !error.Contains('\r', StringComparison.Ordinal) && !error.Contains('\n', StringComparison.Ordinal),
            };
            if (!consistent)
            {
                failures.Add($"{status} with consumed={consumed}, error={error}: {Convert.ToHexString(bytes)}");
            }

            // What parsed must encode and parse back the same.
            if (status == NslpParseStatus.Complete && !NslpCodec.TryParseWhole(NslpCodec.Encode(message!), out _, out var again))
            {
                failures.Add($"re-encoding failed ({again}): {Convert.ToHexString(bytes)}");
            }
        }
        catch (Exception e)
        {
            failures.Add($"{e.GetType().Name}: {e.Message}: {Convert.ToHexString(bytes)}");
        }
    }
}
