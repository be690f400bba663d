namespace NetServ.OpenFlow.Tests;

/// <summary>Random mutations and truncations of valid messages: the decoder gives a message or a typed error, nothing else.</summary>
public sealed class OpenFlowFuzzTests
{
    [Test]
    public void Decode_MutatedAndTruncatedMessages_GiveMessageOrTypedError()
    {
        var seeds = OpenFlowCodecTests.EveryMessage().Select(OpenFlowCodec.Encode).ToArray();
        var random = new Random(1403);
        int decoded = 0, rejected = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var input = Mutate(seeds[random.Next(seeds.Length)], random);
            if (Fuzz(input))
            {
                decoded++;
            }
            else
            {
                rejected++;
            }
        }

        // Both outcomes must occur, or the mutations do not exercise the decoder.
        Assert.That(decoded, Is.GreaterThan(1000));
        Assert.That(rejected, Is.GreaterThan(1000));
    }

    /// <summary>
    /// The fuzz target: decoding never throws; what decodes encodes again and decodes to the same message (the
    /// encoding may differ from the input only in padding and in what the decoder ignores).
    /// </summary>
    public static bool Fuzz(ReadOnlySpan<byte> input)
    {
        if (!OpenFlowCodec.TryDecode(input, out var message, out var error))
        {
            Assert.That(error.Kind, Is.Not.EqualTo(OpenFlowErrorKind.None));
            return false;
        }

        var again = OpenFlowCodec.Encode(message);
        Assert.That(OpenFlowCodec.TryDecode(again, out var second, out error), Is.True, $"{message} re-encoded does not decode: {error}");
        Assert.That(second, Is.EqualTo(message));
        return true;
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = (byte[])seed.Clone();
        switch (random.Next(5))
        {
            case 0:
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                break;
            case 2:
                bytes = bytes[..random.Next(bytes.Length)];
                break;
            case 3:
                // Lengths inside the message are the likeliest to be trusted: rewrite a 16-bit word past the header.
                if (bytes.Length > 10)
                {
                    var at = random.Next(8, bytes.Length - 1);
                    bytes[at] = (byte)random.Next(2);
                    bytes[at + 1] = (byte)random.Next(256);
                }

                break;
            default:
                bytes = [.. bytes, .. Enumerable.Range(0, random.Next(1, 16)).Select(_ => (byte)random.Next(256))];
                break;
        }

        // Keep the header's length consistent half the time, so that mutations reach the body.
        if (bytes.Length >= 4 && random.Next(2) == 0)
        {
            bytes[2] = (byte)(bytes.Length >> 8);
            bytes[3] = (byte)bytes.Length;
        }

        return bytes;
    }
}
