using static NetServ.Sip.Tests.SipMessages;

namespace NetServ.Sip.Tests;

[TestFixture]
public sealed class SipKeepAliveTests
{
    [Test]
    public void Classify_KeepAliveNotify_IsNotify() =>
        Assert.That(Classify(KeepAliveNotify), Is.EqualTo(SipKeepAliveKind.Notify));

    [Test]
    public void Classify_DoubleCrlf_IsCrlfPing() =>
        Assert.That(Classify("\r\n\r\n"), Is.EqualTo(SipKeepAliveKind.CrlfPing));

    [TestCase("\r\n")]
    [TestCase("\r\n\r\n\r\n")]
    [TestCase("\n\n")]
    [TestCase("")]
    public void Classify_OtherWhiteSpace_IsNone(string payload) =>
        Assert.That(Classify(payload), Is.EqualTo(SipKeepAliveKind.None));

    [TestCase("event: keep-alive", TestName = "Classify_LowerCaseHeaderName_IsNotify")]
    [TestCase("EVENT: keep-alive", TestName = "Classify_UpperCaseHeaderName_IsNotify")]
    [TestCase("o: keep-alive", TestName = "Classify_CompactEvent_IsNotify")]
    [TestCase("Event : keep-alive", TestName = "Classify_WhiteSpaceBeforeColon_IsNotify")]
    [TestCase("Event:keep-alive", TestName = "Classify_NoWhiteSpaceAfterColon_IsNotify")]
    [TestCase("Event:\t keep-alive;id=3", TestName = "Classify_EventParameters_IsNotify")]
    [TestCase("Event:\r\n keep-alive", TestName = "Classify_FoldedEvent_IsNotify")]
    [TestCase("Event: Keep-Alive", TestName = "Classify_EventInOtherCase_IsNotify")]
    public void Classify_EventHeaderVariants(string eventLine) =>
        Assert.That(Classify(Replace(KeepAliveNotify, "Event:", eventLine)), Is.EqualTo(SipKeepAliveKind.Notify));

    [Test]
    public void Classify_AllCompactForms_IsNotify()
    {
        var compact = KeepAliveNotify.Replace("Via:", "v:", StringComparison.Ordinal).Replace("From:", "f:", StringComparison.Ordinal)
            .Replace("To:", "t:", StringComparison.Ordinal).Replace("Call-ID:", "i:", StringComparison.Ordinal)
            .Replace("Event:", "o:", StringComparison.Ordinal).Replace("Content-Length:", "l:", StringComparison.Ordinal);

        Assert.That(Classify(compact), Is.EqualTo(SipKeepAliveKind.Notify));
    }

    [Test]
    public void Classify_BareLineFeeds_IsNotify() =>
        Assert.That(Classify(KeepAliveNotify.Replace("\r\n", "\n", StringComparison.Ordinal)), Is.EqualTo(SipKeepAliveKind.Notify));

    [Test]
    public void Classify_NotifyOfAnotherEvent_IsNone() =>
        Assert.That(Classify(Replace(KeepAliveNotify, "Event:", "Event: presence")), Is.EqualTo(SipKeepAliveKind.None));

    [Test]
    public void Classify_NotifyWithoutEvent_IsNone() =>
        Assert.That(Classify(Without(KeepAliveNotify, "Event:")), Is.EqualTo(SipKeepAliveKind.None));

    [TestCase("OPTIONS")]
    [TestCase("INVITE")]
    [TestCase("MESSAGE")]
    [TestCase("REGISTER")]
    [TestCase("notify")]
    [TestCase("NOTIFYX")]
    public void Classify_OtherMethodsEvenWithTheEvent_IsNone(string method) =>
        Assert.That(Classify(method + KeepAliveNotify["NOTIFY".Length..]), Is.EqualTo(SipKeepAliveKind.None));

    [Test]
    public void Classify_Response_IsNone() =>
        Assert.That(Classify("SIP/2.0 200 OK\r\nEvent: keep-alive\r\n\r\n"), Is.EqualTo(SipKeepAliveKind.None));

    [Test]
    public void Classify_NotSip_IsNone() =>
        Assert.That(Classify("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Is.EqualTo(SipKeepAliveKind.None));

    [TestCase("Via:", TestName = "Classify_KeepAliveWithoutVia_IsMalformed")]
    [TestCase("From:", TestName = "Classify_KeepAliveWithoutFrom_IsMalformed")]
    [TestCase("To:", TestName = "Classify_KeepAliveWithoutTo_IsMalformed")]
    [TestCase("Call-ID:", TestName = "Classify_KeepAliveWithoutCallId_IsMalformed")]
    [TestCase("CSeq:", TestName = "Classify_KeepAliveWithoutCSeq_IsMalformed")]
    public void Classify_KeepAliveMissingAHeader(string header) =>
        Assert.That(Classify(Without(KeepAliveNotify, header)), Is.EqualTo(SipKeepAliveKind.Malformed));

    [TestCase("CSeq: 7 OPTIONS", TestName = "Classify_CSeqOfAnotherMethod_IsMalformed")]
    [TestCase("CSeq: seven NOTIFY", TestName = "Classify_CSeqWithoutNumber_IsMalformed")]
    [TestCase("Content-Length: 10", TestName = "Classify_ContentLengthBeyondTheDatagram_IsMalformed")]
    [TestCase("Content-Length: zero", TestName = "Classify_ContentLengthNotANumber_IsMalformed")]
    [TestCase("Call-ID ka-1", TestName = "Classify_HeaderWithoutColon_IsMalformed")]
    public void Classify_BrokenHeader(string line) =>
        Assert.That(Classify(Replace(KeepAliveNotify, line.Split(' ', ':')[0], line)), Is.EqualTo(SipKeepAliveKind.Malformed));

    [Test]
    public void Classify_DuplicateFrom_IsMalformed() =>
        Assert.That(Classify(KeepAliveNotify.Replace("Call-ID:", "From: <sip:eve@x>;tag=2\r\nCall-ID:", StringComparison.Ordinal)), Is.EqualTo(SipKeepAliveKind.Malformed));

    [Test]
    public void Classify_TwoEvents_IsMalformed() =>
        Assert.That(Classify(KeepAliveNotify.Replace("Event: keep-alive", "Event: keep-alive\r\nEvent: presence", StringComparison.Ordinal)), Is.EqualTo(SipKeepAliveKind.Malformed));

    [Test]
    public void Classify_Truncated_IsMalformed() =>
        Assert.That(Classify(KeepAliveNotify[..^2]), Is.EqualTo(SipKeepAliveKind.Malformed));

    [Test]
    public void Classify_BrokenRequestLine_IsMalformed() =>
        Assert.That(Classify("NOTIFY sip:x SIP/9.9\r\nEvent: keep-alive\r\n\r\n"), Is.EqualTo(SipKeepAliveKind.Malformed));

    [Test]
    public void Classify_WithABody_IsNotify() =>
        Assert.That(Classify(Replace(KeepAliveNotify, "Content-Length:", "Content-Length: 4") + "body"), Is.EqualTo(SipKeepAliveKind.Notify));

    [Test]
    public void Classify_ManyPackets_AllocatesNothing()
    {
        var payloads = new[] { Bytes(KeepAliveNotify), Bytes("\r\n\r\n"), Bytes("OPTIONS sip:x SIP/2.0\r\n\r\n"), Bytes(KeepAliveNotify[..^2]) };
        SipKeepAlive.Classify(payloads[0]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            SipKeepAlive.Classify(payloads[i % payloads.Length]);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    private static SipKeepAliveKind Classify(string payload) => SipKeepAlive.Classify(Bytes(payload));
}
