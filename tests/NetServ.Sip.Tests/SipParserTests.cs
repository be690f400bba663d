using static NetServ.Sip.Tests.SipMessages;

namespace NetServ.Sip.Tests;

[TestFixture]
public sealed class SipParserTests
{
    [Test]
    public void TryParseRequestLine_WellFormed_GivesItsPartsAndWhereTheHeadersStart()
    {
        var bytes = Bytes(KeepAliveNotify);

        Assert.That(SipParser.TryParseRequestLine(bytes, out var line, out var consumed), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Text(line.Method), Is.EqualTo("NOTIFY"));
            Assert.That(Text(line.RequestUri), Is.EqualTo("sip:198.19.0.1:5060"));
            Assert.That(Text(line.Version), Is.EqualTo("SIP/2.0"));
            Assert.That(Text(bytes.AsSpan(consumed)), Does.StartWith("Via:"));
        }
    }

    [Test]
    public void TryParseRequestLine_BareLineFeed_IsTolerated()
    {
        Assert.That(SipParser.TryParseRequestLine(Bytes("OPTIONS sip:x SIP/2.0\nTo: a\n\n"), out _, out var consumed), Is.True);
        Assert.That(consumed, Is.EqualTo("OPTIONS sip:x SIP/2.0\n".Length));
    }

    [TestCase("")]
    [TestCase("NOTIFY sip:x SIP/2.0")]
    [TestCase("NOTIFY sip:x SIP/3.0\r\n")]
    [TestCase("NOTIFY  sip:x SIP/2.0\r\n")]
    [TestCase("NOTIFY sip:x\r\n")]
    [TestCase(" NOTIFY sip:x SIP/2.0\r\n")]
    [TestCase("NOT(IFY sip:x SIP/2.0\r\n")]
    [TestCase("NOTIFY sip:x SIP/2.0 \r\n")]
    [TestCase("NOTIFY sip:\u0001x SIP/2.0\r\n")]
    [TestCase("SIP/2.0 200 OK\r\n")]
    public void TryParseRequestLine_Malformed_ReturnsFalse(string text) =>
        Assert.That(SipParser.TryParseRequestLine(Bytes(text), out _, out _), Is.False);

    [Test]
    public void TryParseStatusLine_WellFormed_GivesCodeAndReason()
    {
        Assert.That(SipParser.TryParseStatusLine(Bytes("SIP/2.0 486 Busy Here\r\n\r\n"), out var line, out var consumed), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(line.StatusCode, Is.EqualTo(486));
            Assert.That(Text(line.Reason), Is.EqualTo("Busy Here"));
            Assert.That(consumed, Is.EqualTo(23));
        }
    }

    [TestCase("SIP/2.0 20 OK\r\n")]
    [TestCase("SIP/2.0 099 Low\r\n")]
    [TestCase("SIP/2.0 700 High\r\n")]
    [TestCase("SIP/2.0 2x0 OK\r\n")]
    [TestCase("HTTP/1.1 200 OK\r\n")]
    [TestCase("SIP/2.0 200 OK")]
    public void TryParseStatusLine_Malformed_ReturnsFalse(string text) =>
        Assert.That(SipParser.TryParseStatusLine(Bytes(text), out _, out _), Is.False);
}
