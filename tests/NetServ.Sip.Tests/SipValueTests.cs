using static NetServ.Sip.Tests.SipMessages;

namespace NetServ.Sip.Tests;

[TestFixture]
public sealed class SipValueTests
{
    [TestCase("keep-alive", true)]
    [TestCase("Keep-Alive", true)]
    [TestCase("keep-alive;id=42", true)]
    [TestCase("keep-alive ; id=42", true)]
    [TestCase("\r\n keep-alive", true)]
    [TestCase("keep-alive2", false)]
    [TestCase("keep-alive x", false)]
    [TestCase("presence", false)]
    [TestCase("", false)]
    public void IsEvent_KeepAlive_MatchesThePackageOnly(string value, bool expected) =>
        Assert.That(SipValue.IsEvent(Bytes(value), "keep-alive"u8), Is.EqualTo(expected));

    [TestCase("1 NOTIFY", 1u, "NOTIFY")]
    [TestCase("  4711\t INVITE ", 4711u, "INVITE")]
    [TestCase("2147483647 ACK", 2147483647u, "ACK")]
    public void TryParseCSeq_WellFormed_GivesNumberAndMethod(string value, uint number, string method)
    {
        Assert.That(SipValue.TryParseCSeq(Bytes(value), out var sequence, out var parsed), Is.True);
        Assert.That((sequence, Text(parsed)), Is.EqualTo((number, method)));
    }

    [TestCase("NOTIFY")]
    [TestCase("1")]
    [TestCase("1NOTIFY")]
    [TestCase("2147483648 NOTIFY")]
    [TestCase("99999999999 NOTIFY")]
    [TestCase("1 NOTIFY extra")]
    [TestCase("-1 NOTIFY")]
    public void TryParseCSeq_Malformed_ReturnsFalse(string value) =>
        Assert.That(SipValue.TryParseCSeq(Bytes(value), out _, out _), Is.False);

    [TestCase("0", 0)]
    [TestCase(" 349 ", 349)]
    public void TryParseContentLength_Digits_IsTheLength(string value, int expected)
    {
        Assert.That(SipValue.TryParseContentLength(Bytes(value), out var length), Is.True);
        Assert.That(length, Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("-1")]
    [TestCase("1 2")]
    [TestCase("9999999999")]
    public void TryParseContentLength_NotDigits_ReturnsFalse(string value) =>
        Assert.That(SipValue.TryParseContentLength(Bytes(value), out _), Is.False);

    [TestCase("<sip:bob@x>;tag=1", true)]
    [TestCase("<sip:bob@x> ; TAG = 1", true)]
    [TestCase("sip:bob@x;tag=1", true)]
    [TestCase("\"Bob\" <sip:bob@x>;transport=udp;tag=9", true)]
    [TestCase("<sip:bob@x;tag=1>", false)]
    [TestCase("\"a;tag=1 <\" <sip:bob@x>", false)]
    [TestCase("<sip:bob@x>;tagged=1", false)]
    [TestCase("<sip:bob@x>", false)]
    [TestCase("<sip:bob@x", false)]
    public void HasParameter_Tag_CountsOnlyHeaderParameters(string value, bool expected) =>
        Assert.That(SipValue.HasParameter(Bytes(value), "tag"u8), Is.EqualTo(expected));

    [Test]
    public void TryWriteUnfolded_TooSmallADestination_ReturnsFalse() =>
        Assert.That(SipValue.TryWriteUnfolded("abcdef"u8, new byte[5], out _), Is.False);
}
