using static NetServ.Sip.Tests.SipMessages;

namespace NetServ.Sip.Tests;

[TestFixture]
public sealed class SipHeaderNamesTests
{
    [TestCase("Via", SipHeaderName.Via)]
    [TestCase("VIA", SipHeaderName.Via)]
    [TestCase("v", SipHeaderName.Via)]
    [TestCase("V", SipHeaderName.Via)]
    [TestCase("from", SipHeaderName.From)]
    [TestCase("f", SipHeaderName.From)]
    [TestCase("tO", SipHeaderName.To)]
    [TestCase("t", SipHeaderName.To)]
    [TestCase("call-id", SipHeaderName.CallId)]
    [TestCase("i", SipHeaderName.CallId)]
    [TestCase("cseq", SipHeaderName.CSeq)]
    [TestCase("content-LENGTH", SipHeaderName.ContentLength)]
    [TestCase("l", SipHeaderName.ContentLength)]
    [TestCase("Event", SipHeaderName.Event)]
    [TestCase("o", SipHeaderName.Event)]
    [TestCase("Allow-Events", SipHeaderName.AllowEvents)]
    [TestCase("u", SipHeaderName.AllowEvents)]
    [TestCase("m", SipHeaderName.Contact)]
    [TestCase("Max-Forwards", SipHeaderName.MaxForwards)]
    [TestCase("Expires", SipHeaderName.Expires)]
    [TestCase("x", SipHeaderName.Other)]
    [TestCase("Events", SipHeaderName.Other)]
    [TestCase("Vias", SipHeaderName.Other)]
    [TestCase("Call_ID", SipHeaderName.Other)]
    [TestCase("", SipHeaderName.Other)]
    public void Identify_FullCompactAndAnyCase_IsTheKnownHeader(string name, SipHeaderName expected) =>
        Assert.That(SipHeaderNames.Identify(Bytes(name)), Is.EqualTo(expected));

    [Test]
    public void FullName_OfEveryKnownHeader_IdentifiesAsItself()
    {
        foreach (var name in Enum.GetValues<SipHeaderName>().Where(n => n != SipHeaderName.Other))
        {
            Assert.That(SipHeaderNames.Identify(SipHeaderNames.FullName(name)), Is.EqualTo(name), name.ToString());
        }
    }
}
