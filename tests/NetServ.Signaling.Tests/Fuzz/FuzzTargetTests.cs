using System.Globalization;
using System.Text;
using NetServ.Signaling.Gist;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Tests.Gist;
using NetServ.Signaling.Tests.Nslp;

namespace NetServ.Signaling.Tests.Fuzz;

/// <summary>
/// Runs each fuzz target under <see cref="MutationalFuzzer"/> for a bounded time (10 s, or
/// NETSERV_FUZZ_SECONDS) and fails on the first input that makes it throw.
/// </summary>
[TestFixture]
[Category("Fuzz")]
public sealed class FuzzTargetTests
{
    private static TimeSpan Duration =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("NETSERV_FUZZ_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? seconds : 10);

    [Test]
    public void GistDecoder_BoundedMutationalRun_NoInputMakesItThrow()
    {
        var seeds = GistSamples.EncodedMessages()
            .SelectMany(m => new[] { m, [0x4e, 0x04, 0xbd, 0xa5, .. m] })
            .Concat(GistSamples.Objects().Select(c => GistObjectCodec.Encode((GistObject)c.Arguments[0]!)))
            .Append(GistKnownAnswers.QueryDatagram())
            .Append(QueryPacket())
            .ToList();
        byte[][] dictionary =
        [
            [0x4e, 0x04, 0xbd, 0xa5],
            [0x01, 0x10, 0x00, 0x00, 0x7f, 0xc0, 0x80, 0x00],
            .. Enumerable.Range(0, 12).Select(t => new byte[] { 0x00, (byte)t, 0x00, 0x01 }),
            [0x80, 0x07, 0x00, 0x01],
            [0x40, 0x00, 0x00, 0x00],
            [0xC0, 0x00, 0x00, 0x00],
            [0x94, 0x04, 0xFF, 0xDF],
        ];

        Run("GIST decoder", GistDecoderFuzzTarget.Fuzz, seeds, dictionary, input => GistCodec.TryDecode(input, out _, out _) || GistCodec.TryDecode(input, withMagic: true, out _, out _));
    }

    [Test]
    public void NslpCodec_BoundedMutationalRun_NoInputMakesItThrow()
    {
        var withBody = new NslpResponse(200);
        withBody.Headers.Add("node", "n1");
        withBody.Body = "{\"status\":\"ok\"}"u8.ToArray();
        var probe = new NslpRequest(NslpMethod.Probe, "status");
        probe.Headers.Add("user", "janedoe");
        List<byte[]> seeds =
        [
            Encoding.UTF8.GetBytes(NslpCodecTests.Figure4),
            Encoding.UTF8.GetBytes(NslpCodecTests.Figure4.Replace("\n", "\r\n", StringComparison.Ordinal)),
            NslpCodec.Encode(withBody),
            NslpCodec.Encode(probe),
            NslpCodec.Encode(new NslpResponse(404)),
        ];
        var dictionary = new[]
        {
            "\r\n", "\n", ":", " ", "content-length:", "content-length: 99999999999", "NETSERV/0.1", "NETSERV/9.9 ", "SETUP ", "REMOVE ",
            "PROBE ", "TRIGGER ", "200 OK", "user:", "signature:", "\u00e9", "\r", "\0",
        }.Select(Encoding.UTF8.GetBytes).ToArray();

        Run("NSLP codec", NslpCodecFuzzTarget.Fuzz, seeds, dictionary, input => NslpCodec.TryParse(input, out _, out _, out _) == NslpParseStatus.Complete);
    }

    private static void Run(string name, FuzzTarget target, List<byte[]> seeds, byte[][] dictionary, Func<byte[], bool> isValid)
    {
        var fuzzer = new MutationalFuzzer(target, seeds, dictionary, isValid, randomSeed: 5971);

        fuzzer.Run(Duration);

        TestContext.Out.WriteLine($"{name}: {fuzzer.Executions} executions in {Duration.TotalSeconds} s, corpus grew from {seeds.Count} to {fuzzer.CorpusSize}");
        Assert.That(fuzzer.Finding, Is.Null, () => $"{name} threw {fuzzer.Finding!.Value.Exception} for input {Convert.ToHexString(fuzzer.Finding!.Value.Input)}");
    }

    private static byte[] QueryPacket()
    {
        var payload = GistKnownAnswers.QueryDatagram();
        var packet = new byte[Ipv4RouterAlert.GetUdpPacketLength(payload.Length)];
        Ipv4RouterAlert.TryWriteUdpPacket(packet, GistSamples.Sender, GistSamples.Receiver, 40000, GistConstants.UdpPort, payload, out _);
        return packet;
    }
}
