using NetServ.Networking;
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

    [Test]
    public void TryWriteResponse_Rfc3261Registration_IsTheRegistrarsResponseF2()
    {
        // Section 24.1: sent-by names a host, so the response carries received (section 18.2.1).
        var buffer = new byte[2048];
        Assert.That(SipResponseWriter.TryWriteResponse(buffer, Bytes(Rfc3261Register), From("192.0.2.4", 5060), 200, "OK"u8, _toTags,
            "Contact: <sip:bob@192.0.2.4>\r\nExpires: 7200\r\n"u8, out var written, out var destination), Is.True);
        var response = Text(buffer.AsSpan(0, written));

        // The registrar's tag is its own random choice; the rest is F2 to the byte.
        Assert.That(TagPattern.Replace(response, ";tag=2493k59kd\r\n"), Is.EqualTo(Unfold(Rfc3261RegisterOk)));
        Assert.That(destination, Is.EqualTo(From("192.0.2.4", 5060)));
    }

    [Test]
    public void TryWriteResponse_Rfc3261Invite_TheProxysTryingF2CarriesReceived()
    {
        var response = Write(Rfc3261Invite, From("192.0.2.1", 5060), 100, "Trying", out var destination);

        Assert.That(Lines(response, "Via:"), Is.EqualTo(Lines(Unfold(Rfc3261InviteTrying), "Via:")));
        Assert.That(destination, Is.EqualTo(From("192.0.2.1", 5060)), "section 18.2.2: received at sent-by's port, 5060 when it names none");
    }

    [Test]
    public void TryWriteResponse_Rfc3261ForwardedInvite_OnlyTheTopmostViaGetsReceivedAsInF6()
    {
        // F5 as sent, on one line per Via: a fold in a lower Via would be copied as the one space it means.
        var response = Write(Unfold(Rfc3261ForwardedInvite), From("192.0.2.3", 5060), 180, "Ringing", out _);

        Assert.That(Lines(response, "Via:"), Is.EqualTo(Lines(Unfold(Rfc3261RingingVias), "Via:")));
    }

    [Test]
    public void TryWriteResponse_Rfc3581Rport_IsFilledInWithReceivedAndTheResponseGoesToTheSourcePort()
    {
        // RFC 3581 section 4 (the MUSTs) with section 6's example: source 192.0.2.1:9988 after the NAT.
        var request = Replace(KeepAliveNotify, "Via: SIP/2.0/UDP 198.18.0.9", "Via: " + Rfc3581Via);

        var response = Write(request, From("192.0.2.1", 9988), 200, "OK", out var destination);

        Assert.That(Lines(response, "Via:")[0], Is.EqualTo("Via: " + Rfc3581ViaReceived));
        Assert.That(destination, Is.EqualTo(From("192.0.2.1", 9988)));
    }

    [Test]
    public void TryWriteResponse_SentByTheSourceAddress_AddsNoReceivedAndAnswersTheSentByPort()
    {
        var request = Replace(KeepAliveNotify, "Via: SIP/2.0/UDP 198.18.0.9", "Via: SIP/2.0/UDP 198.18.0.9:5062;branch=z9hG4bK-proxy");

        var response = Write(request, From("198.18.0.9", 40001), 200, "OK", out var destination);

        Assert.That(Lines(response, "Via:")[0], Is.EqualTo("Via: SIP/2.0/UDP 198.18.0.9:5062;branch=z9hG4bK-proxy"));
        Assert.That(destination, Is.EqualTo(From("198.18.0.9", 5062)), "without rport, not the source port (section 18.2.2)");
    }

    [Test]
    public void TryWriteResponse_SentByAnotherAddress_AddsReceived()
    {
        var response = Write(KeepAliveNotify, From("203.0.113.7", 5060), 200, "OK", out _);

        Assert.That(Lines(response, "Via:"), Is.EqualTo(new[]
        {
            "Via: SIP/2.0/UDP 198.18.0.9:5060;branch=z9hG4bK-proxy;received=203.0.113.7",
            "Via: SIP/2.0/UDP 198.18.0.1:40000;branch=z9hG4bK-ua;rport",
        }));
    }

    [Test]
    public void TryWriteResponse_ReceivedInTheRequest_IsReplacedByTheSourceNotRepeated()
    {
        var request = Replace(KeepAliveNotify, "Via: SIP/2.0/UDP 198.18.0.9", "Via: SIP/2.0/UDP 10.1.1.1:4540;received=10.9.9.9;branch=z9hG4bK1;rport");

        var response = Write(request, From("192.0.2.1", 9988), 200, "OK", out _);

        Assert.That(Lines(response, "Via:")[0], Is.EqualTo("Via: SIP/2.0/UDP 10.1.1.1:4540;received=192.0.2.1;branch=z9hG4bK1;rport=9988"));
    }

    [Test]
    public void TryWriteResponse_SecondViaParmInTheTopHeader_IsCopiedAsItCame()
    {
        var request = Replace(KeepAliveNotify, "Via: SIP/2.0/UDP 198.18.0.9", "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;rport;branch=z9hG4bK2");

        var response = Write(request, From("192.0.2.1", 9988), 200, "OK", out _);

        Assert.That(Lines(response, "Via:")[0], Is.EqualTo("Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1;received=192.0.2.1, SIP/2.0/UDP b.example.com;rport;branch=z9hG4bK2"));
    }

    [Test]
    public void TryWriteResponse_SameRequestTwice_CarriesTheSameToTag()
    {
        // Section 8.2.7: a stateless UAS tags the same request the same way, retransmissions included.
        var first = Lines(Write(KeepAliveNotify, From("198.18.0.9", 5060), 200, "OK", out _), "To:");

        Assert.That(Lines(Write(KeepAliveNotify, From("198.18.0.9", 5060), 200, "OK", out _), "To:"), Is.EqualTo(first));
        Assert.That(first.Single(), Does.Match("^To: <sip:alice@198\\.19\\.0\\.1>;tag=[0-9a-f]{16}$"));
    }

    [Test]
    public void TryWriteResponse_AnotherCallId_CarriesAnotherToTag()
    {
        // Section 19.3: unique per dialog, not one tag for every response of the responder.
        var other = Replace(KeepAliveNotify, "Call-ID:", "Call-ID: ka-2@198.18.0.1");

        Assert.That(Lines(Write(other, From("198.18.0.9", 5060), 200, "OK", out _), "To:"),
            Is.Not.EqualTo(Lines(Write(KeepAliveNotify, From("198.18.0.9", 5060), 200, "OK", out _), "To:")));
    }

    [Test]
    public void TryWriteResponse_ToWithATagAndASource_KeepsItsTag()
    {
        var response = Write(Replace(KeepAliveNotify, "To:", "To: <sip:alice@198.19.0.1>;tag=existing"), From("198.18.0.9", 5060), 200, "OK", out _);

        Assert.That(Lines(response, "To:"), Is.EqualTo(new[] { "To: <sip:alice@198.19.0.1>;tag=existing" }));
    }

    [TestCase("Via: SIP/2.0/UDP 10.1.1.1;maddr=sip.example.com;branch=z9hG4bK1", TestName = "TryWriteResponse_MaddrAName_ReturnsFalse")]
    [TestCase("Via: garbage", TestName = "TryWriteResponse_UnreadableTopVia_ReturnsFalse")]
    public void TryWriteResponse_NowhereToSend(string via)
    {
        var request = Replace(KeepAliveNotify, "Via: SIP/2.0/UDP 198.18.0.9", via);

        Assert.That(SipResponseWriter.TryWriteResponse(new byte[2048], Bytes(request), From("192.0.2.1", 5060), 200, "OK"u8, _toTags, [], out _, out _), Is.False);
    }

    [Test]
    public void TryWriteResponse_NoViaAndASource_ReturnsFalse() =>
        Assert.That(SipResponseWriter.TryWriteResponse(new byte[2048], Bytes(Without(KeepAliveNotify, "Via:")), From("192.0.2.1", 5060), 200, "OK"u8, _toTags, [], out _, out _), Is.False);

    [Test]
    public void TryWriteResponse_WithASourceRepeated_AllocatesNothing()
    {
        var request = Bytes(Replace(KeepAliveNotify, "Via: SIP/2.0/UDP 198.18.0.9", "Via: " + Rfc3581Via));
        var buffer = new byte[1024];
        var source = From("192.0.2.1", 9988);
        SipResponseWriter.TryWriteResponse(buffer, request, source, 200, "OK"u8, _toTags, [], out _, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20_000; i++)
        {
            SipResponseWriter.TryWriteResponse(buffer, request, source, 200, "OK"u8, _toTags, [], out _, out _);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    private static readonly System.Text.RegularExpressions.Regex TagPattern = new(";tag=[0-9a-f]{16}\r\n");

    private readonly SipToTags _toTags = new();

    private static SipEndpoint From(string address, ushort port) => new(Ipv4Address.Parse(address), port);

    private static string[] Lines(string message, string start) =>
        message.Split("\r\n").Where(l => l.StartsWith(start, StringComparison.Ordinal)).ToArray();

    private string Write(string request, SipEndpoint source, int status, string reason, out SipEndpoint destination)
    {
        var buffer = new byte[2048];
        Assert.That(SipResponseWriter.TryWriteResponse(buffer, Bytes(request), source, status, Bytes(reason), _toTags, [], out var written, out destination), Is.True);
        return Text(buffer.AsSpan(0, written));
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
