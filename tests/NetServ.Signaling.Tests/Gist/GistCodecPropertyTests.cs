using NetServ.Signaling.Gist;

namespace NetServ.Signaling.Tests.Gist;

/// <summary>Whatever the bytes, the decoders answer with a message or an error and never throw; what they accept re-encodes to a message they accept again.</summary>
[TestFixture]
public sealed class GistCodecPropertyTests
{
    private const int Runs = 5000;

    [Test]
    public void TryDecode_RandomBytes_NeverThrow()
    {
        var random = new Random(5971);
        var failures = new List<string>();
        for (var i = 0; i < Runs; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            if (i % 2 == 1 && bytes.Length >= 12)
            {
                // A plausible magic and header take the decoder past its first checks.
                byte[] start = [0x4e, 0x04, 0xbd, 0xa5, 1, (byte)random.Next(256), (byte)((bytes.Length - 12) / 4 >> 8), (byte)((bytes.Length - 12) / 4)];
                start.CopyTo(bytes, 0);
                bytes[10] = (byte)random.Next(6);
                bytes[10] |= (byte)(bytes[10] is 0 or 3 ? 0x80 : 0);
            }

            Check(bytes, failures);
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void TryDecode_SingleByteMutationsOfValidMessages_NeverThrowAndStayConsistent()
    {
        var seeds = GistSamples.EncodedMessages().Select(m => (byte[])[0x4e, 0x04, 0xbd, 0xa5, .. m]).ToArray();
        var random = new Random(2010);
        var failures = new List<string>();
        var accepted = 0;
        for (var i = 0; i < Runs; i++)
        {
            var bytes = (byte[])seeds[i % seeds.Length].Clone();
            var at = random.Next(bytes.Length);
            bytes[at] = i % 3 == 0 ? (byte)(bytes[at] ^ (1 << random.Next(8))) : (byte)random.Next(256);
            accepted += Check(bytes, failures) ? 1 : 0;
        }

        Assert.That(failures, Is.Empty);
        TestContext.Out.WriteLine($"{accepted} of {Runs} mutated messages still decoded");
    }

    /// <summary>Decodes with and without the magic number, as a lone object and as a raw packet; true if a message decoded.</summary>
    private static bool Check(byte[] bytes, List<string> failures)
    {
        var decodedAny = false;
        try
        {
            foreach (var withMagic in new[] { true, false })
            {
                if (GistCodec.TryDecode(bytes, withMagic, out var message, out var error))
                {
                    decodedAny = true;
                    if (error.IsError)
                    {
                        failures.Add($"{Convert.ToHexString(bytes)}: success with an error {error}");
                    }

                    var again = GistCodec.Encode(message, withMagic);
                    if (!GistCodec.TryDecode(again, withMagic, out var second, out error) || second != message)
                    {
                        failures.Add($"{Convert.ToHexString(bytes)}: decoded to {message}, which does not survive re-encoding ({error})");
                    }
                }
                else if (!error.IsError || error.Reason.Length == 0 || message is not null)
                {
                    failures.Add($"{Convert.ToHexString(bytes)}: failure without a reason");
                }
            }

            if (GistObjectCodec.TryDecode(bytes, out var gistObject, out var consumed, out _)
                && (consumed > bytes.Length
                    || !GistObjectCodec.TryDecode(GistObjectCodec.Encode(gistObject), out var sameObject, out _, out _)
                    || sameObject != gistObject))
            {
                failures.Add($"{Convert.ToHexString(bytes)}: object {gistObject} does not survive re-encoding");
            }

            Ipv4RouterAlert.TryReadUdpPacket(bytes, out _, out _);
        }
        catch (Exception e) when (e is not AssertionException)
        {
            failures.Add($"{Convert.ToHexString(bytes)}: threw {e.GetType().Name}: {e.Message}");
        }

        return decodedAny;
    }
}
