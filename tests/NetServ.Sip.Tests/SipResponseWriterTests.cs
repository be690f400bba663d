using static NetServ.Sip.Tests.SipMessages;

namespace NetServ.Sip.Tests;

[TestFixture]
public sealed class SipResponseWriterTests
{
    [Test]
    public void TryWriteResponse_KeepAlive_CopiesTheDialogHeadersInOrderAndTagsTo()
    {
        var response = Write(KeepAliveNotify);

        Assert.That(response, Is.EqualTo(
            "SIP/2.0 200 OK\r\n" +
            "Via: SIP/2.0/UDP 198.18.0.9:5060;branch=z9hG4bK-proxy\r\n" +
            "Via: SIP/2.0/UDP 198.18.0.1:40000;branch=z9hG4bK-ua;rport\r\n" +
            "From: \"Alice\" <sip:alice@198.18.0.1>;tag=a1\r\n" +
            "To: <sip:alice@198.19.0.1>;tag=srv\r\n" +
            "Call-ID: ka-1@198.18.0.1\r\n" +
            "CSeq: 7 NOTIFY\r\n" +
            "Content-Length: 0\r\n" +
            "\r\n"));
    }

    [Test]
    public void TryWriteResponse_RoundTrip_ParsesAsAResponseWithTheSameHeaders()
    {
        var request = Bytes(KeepAliveNotify);
        var buffer = new byte[1024];
        Assert.That(SipResponseWriter.TryWriteResponse(buffer, request, 200, "OK"u8, "srv"u8, [], out var written), Is.True);
        var response = buffer.AsSpan(0, written);

        Assert.That(SipParser.TryParseStatusLine(response, out var status, out var start), Is.True);
        var headers = Headers(response, start, out var bodyOffset);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status.StatusCode, Is.EqualTo(200));
            Assert.That(bodyOffset, Is.EqualTo(written), "no body");
            Assert.That(headers.Where(h => h.Name != SipHeaderName.To && h.Name != SipHeaderName.ContentLength), Is.EqualTo(Headers(request, KeepAliveNotify.IndexOf('\n', StringComparison.Ordinal) + 1, out _)
                .Where(h => h.Name is SipHeaderName.Via or SipHeaderName.From or SipHeaderName.CallId or SipHeaderName.CSeq)));
            Assert.That(headers.Single(h => h.Name == SipHeaderName.ContentLength).Value, Is.EqualTo("0"));
        }
    }

    [Test]
    public void TryWriteResponse_ToWithATag_KeepsItsTag()
    {
        var response = Write(Replace(KeepAliveNotify, "To:", "To: <sip:alice@198.19.0.1>;tag=existing"));

        Assert.That(response, Does.Contain("\r\nTo: <sip:alice@198.19.0.1>;tag=existing\r\n"));
    }

    [Test]
    public void TryWriteResponse_CompactAndFoldedHeaders_AreWrittenInFullOnOneLine()
    {
        var request = Replace(KeepAliveNotify, "Call-ID:", "i:\r\n  ka-1@198.18.0.1").Replace("CSeq: 7 NOTIFY", "cseq: 7\r\n\tNOTIFY", StringComparison.Ordinal);

        var response = Write(request);

        Assert.That(response, Does.Contain("\r\nCall-ID: ka-1@198.18.0.1\r\nCSeq: 7 NOTIFY\r\n"));
    }

    [Test]
    public void TryWriteResponse_ExtraHeaders_StandBeforeContentLength()
    {
        var buffer = new byte[1024];
        SipResponseWriter.TryWriteResponse(buffer, Bytes(KeepAliveNotify), 200, "OK"u8, "t"u8, "Expires: 60\r\n"u8, out var written);

        Assert.That(Text(buffer.AsSpan(0, written)), Does.EndWith("\r\nExpires: 60\r\nContent-Length: 0\r\n\r\n"));
    }

    [Test]
    public void TryWriteResponse_TooSmallABuffer_ReturnsFalse()
    {
        var full = Write(KeepAliveNotify).Length;

        Assert.That(SipResponseWriter.TryWriteResponse(new byte[full - 1], Bytes(KeepAliveNotify), 200, "OK"u8, "srv"u8, [], out var written), Is.False);
        Assert.That(written, Is.Zero);
    }

    [TestCase("SIP/2.0 200 OK\r\n\r\n", TestName = "TryWriteResponse_ToAResponse_ReturnsFalse")]
    [TestCase("NOTIFY sip:x SIP/2.0\r\nVia: a\r\n", TestName = "TryWriteResponse_UnendedHeaders_ReturnsFalse")]
    public void TryWriteResponse_NotARequest(string request) =>
        Assert.That(SipResponseWriter.TryWriteResponse(new byte[1024], Bytes(request), 200, "OK"u8, "t"u8, [], out _), Is.False);

    [TestCase(99)]
    [TestCase(700)]
    public void TryWriteResponse_StatusOutOfRange_ReturnsFalse(int status) =>
        Assert.That(SipResponseWriter.TryWriteResponse(new byte[1024], Bytes(KeepAliveNotify), status, "X"u8, "t"u8, [], out _), Is.False);

    [Test]
    public void TryWriteResponse_Repeated_AllocatesNothing()
    {
        var request = Bytes(KeepAliveNotify);
        var buffer = new byte[1024];
        SipResponseWriter.TryWriteResponse(buffer, request, 200, "OK"u8, "srv"u8, [], out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            SipResponseWriter.TryWriteResponse(buffer, request, 200, "OK"u8, "srv"u8, [], out _);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    private static string Write(string request)
    {
        var buffer = new byte[2048];
        Assert.That(SipResponseWriter.TryWriteResponse(buffer, Bytes(request), 200, "OK"u8, "srv"u8, [], out var written), Is.True);
        return Text(buffer.AsSpan(0, written));
    }

    private static List<(SipHeaderName Name, string Value)> Headers(ReadOnlySpan<byte> message, int start, out int bodyOffset)
    {
        var reader = new SipHeaderReader(message, start);
        var headers = new List<(SipHeaderName, string)>();
        while (reader.TryRead(out var header))
        {
            headers.Add((header.Known, Text(header.Value)));
        }

        Assert.That(reader.State, Is.EqualTo(SipHeaderReaderState.End));
        bodyOffset = reader.BodyOffset;
        return headers;
    }
}
