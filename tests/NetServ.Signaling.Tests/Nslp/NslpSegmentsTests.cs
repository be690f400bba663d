using NetServ.Signaling.Gist;
using NetServ.Signaling.Nslp;

namespace NetServ.Signaling.Tests.Nslp;

[TestFixture]
public sealed class NslpSegmentsTests
{
    [Test]
    public void Encode_ResponseThatFitsOneGistMessage_IsSentWholeAndUnchanged()
    {
        var response = Response(2000);

        var messages = NslpSegments.Encode(response);

        Assert.That(messages, Has.Count.EqualTo(1));
        Assert.That(messages[0], Is.EqualTo(NslpCodec.Encode(response)));
    }

    [Test]
    public void Encode_ResponseLongerThanOneNslpDataObjectHolds_IsCutIntoSegmentsThatEachFitOne()
    {
        var response = Response(40_000);

        var messages = NslpSegments.Encode(response);

        Assert.That(messages, Has.Count.EqualTo(3));
        Assert.That(messages.Select(m => m.Length), Is.All.LessThanOrEqualTo(GistConstants.MaxObjectContentLength));
        Assert.That(messages.Select(m => GistNslpData.FromNslpMessage(m).Payload.Length), Is.All.LessThanOrEqualTo(GistConstants.MaxObjectContentLength));
        var segments = messages.Select(m => NslpCodec.TryParseWhole(m, out var message, out _) ? (NslpResponse)message! : throw new AssertionException("a segment does not parse")).ToList();
        Assert.That(segments.Select(s => s.Headers[NslpHeaderNames.Segment]), Is.EqualTo(new[] { "1/3", "2/3", "3/3" }));
        Assert.That(segments.Select(s => s.StatusCode), Is.All.EqualTo(NslpStatus.Ok));
    }

    [Test]
    public void Accept_SegmentsOutOfOrderAndRepeated_GiveTheWholeResponseWithTheLastMissingOne()
    {
        var response = Response(40_000);
        var segments = NslpSegments.Encode(response).Select(Parse).ToList();
        var assembler = new NslpSegmentAssembler();

        var afterThird = assembler.Accept(segments[2], out var error3);
        var afterFirst = assembler.Accept(segments[0], out var error1);
        var afterFirstAgain = assembler.Accept(segments[0], out _);
        var whole = assembler.Accept(segments[1], out var error2);

        Assert.That((afterThird, afterFirst, afterFirstAgain), Is.EqualTo(((NslpResponse?)null, (NslpResponse?)null, (NslpResponse?)null)));
        Assert.That((error1, error2, error3), Is.EqualTo(((string?)null, (string?)null, (string?)null)));
        Assert.That(whole, Is.Not.Null);
        Assert.That(NslpCodec.Encode(whole!), Is.EqualTo(NslpCodec.Encode(response)));
        Assert.That(whole!.Headers["target"], Is.EqualTo("*"));
    }

    [Test]
    public void Accept_ResponseWithoutSegmentHeader_IsTheAnswerItself()
    {
        var response = Response(100);

        Assert.That(new NslpSegmentAssembler().Accept(response, out var error), Is.SameAs(response));
        Assert.That(error, Is.Null);
    }

    [TestCase("0/2")]
    [TestCase("3/2")]
    [TestCase("1/1000")]
    [TestCase("one/two")]
    [TestCase("2")]
    public void Accept_MalformedSegmentHeader_IsAnError(string header)
    {
        var segment = new NslpResponse(NslpStatus.Ok);
        segment.Headers.Add(NslpHeaderNames.Segment, header);

        Assert.That(new NslpSegmentAssembler().Accept(segment, out var error), Is.Null);
        Assert.That(error, Does.Contain("segment"));
    }

    [Test]
    public void Accept_SegmentsThatDoNotMakeAResponse_IsAnError()
    {
        var assembler = new NslpSegmentAssembler();
        NslpResponse? whole = null;
        string? error = null;
        foreach (var index in new[] { 1, 2 })
        {
            var segment = new NslpResponse(NslpStatus.Ok);
            segment.Headers.Add(NslpHeaderNames.Segment, $"{index}/2");
            segment.Body = "not an NSLP message "u8.ToArray();
            whole = assembler.Accept(segment, out error);
        }

        Assert.That(whole, Is.Null);
        Assert.That(error, Does.Contain("2 segments"));
    }

    /// <summary>A PROBE-like answer whose body is <paramref name="bodyLength"/> bytes of JSON-ish text.</summary>
    internal static NslpResponse Response(int bodyLength)
    {
        var response = new NslpResponse(NslpStatus.Ok);
        response.Headers.Add("method", "PROBE");
        response.Headers.Add("target", "*");
        response.Headers.Add(NslpHeaderNames.ContentType, "application/json");
        var body = new byte[bodyLength];
        for (var i = 0; i < body.Length; i++)
        {
            body[i] = (byte)('a' + (i % 26));
        }

        response.Body = body;
        return response;
    }

    private static NslpResponse Parse(byte[] bytes) =>
        NslpCodec.TryParseWhole(bytes, out var message, out var error) ? (NslpResponse)message! : throw new AssertionException(error ?? "not a response");
}
