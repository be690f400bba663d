using static NetServ.Sip.Tests.SipMessages;

namespace NetServ.Sip.Tests;

[TestFixture]
public sealed class SipHeaderReaderTests
{
    [Test]
    public void TryRead_EveryHeader_InOrderThenTheBody()
    {
        var bytes = Bytes("MESSAGE sip:x SIP/2.0\r\nVia: a\r\nX-Custom : b\r\nl: 5\r\n\r\nhello");
        Assert.That(SipParser.TryParseRequestLine(bytes, out _, out var start), Is.True);
        var reader = new SipHeaderReader(bytes, start);
        var seen = new List<(string, string, SipHeaderName)>();

        while (reader.TryRead(out var header))
        {
            seen.Add((Text(header.Name), Text(header.Value), header.Known));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen, Is.EqualTo(new[] { ("Via", "a", SipHeaderName.Via), ("X-Custom", "b", SipHeaderName.Other), ("l", "5", SipHeaderName.ContentLength) }));
            Assert.That(reader.State, Is.EqualTo(SipHeaderReaderState.End));
            Assert.That(Text(bytes.AsSpan(reader.BodyOffset)), Is.EqualTo("hello"));
        }
    }

    [Test]
    public void TryRead_FoldedValue_SpansTheContinuationLines()
    {
        var bytes = Bytes("Subject: I know you're there,\r\n   pick up the phone\r\n\tand talk to me!\r\nTo: b\r\n\r\n");
        var reader = new SipHeaderReader(bytes, 0);

        Assert.That(reader.TryRead(out var subject), Is.True);
        var unfolded = new byte[100];
        SipValue.TryWriteUnfolded(subject.Value, unfolded, out var written);
        Assert.That(reader.TryRead(out var to), Is.True);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Text(unfolded.AsSpan(0, written)), Is.EqualTo("I know you're there, pick up the phone and talk to me!"));
            Assert.That(Text(to.Value), Is.EqualTo("b"));
        }
    }

    [Test]
    public void TryRead_ValueStartingOnTheNextLine_IsTrimmed()
    {
        var reader = new SipHeaderReader(Bytes("Event:\r\n keep-alive \r\n\r\n"), 0);

        Assert.That(reader.TryRead(out var header), Is.True);
        Assert.That(Text(header.Value), Is.EqualTo("keep-alive"));
    }

    [Test]
    public void TryRead_EmptyValue_IsAnEmptySpan()
    {
        var reader = new SipHeaderReader(Bytes("Subject:\r\n\r\n"), 0);

        Assert.That(reader.TryRead(out var header), Is.True);
        Assert.That(header.Value.IsEmpty, Is.True);
    }

    [TestCase("Via a\r\n\r\n", TestName = "TryRead_NoColon_IsMalformed")]
    [TestCase(" Via: a\r\n\r\n", TestName = "TryRead_ContinuationWithoutAHeader_IsMalformed")]
    [TestCase(": a\r\n\r\n", TestName = "TryRead_NoName_IsMalformed")]
    [TestCase("Via: a\r\n", TestName = "TryRead_NoBlankLine_IsMalformed")]
    [TestCase("Via: a", TestName = "TryRead_NoLineEnd_IsMalformed")]
    [TestCase("Via: a\r\n b", TestName = "TryRead_UnendedContinuation_IsMalformed")]
    [TestCase("V(ia: a\r\n\r\n", TestName = "TryRead_NameNotAToken_IsMalformed")]
    public void TryRead_Malformed_StopsAndSaysSo(string text)
    {
        var reader = new SipHeaderReader(Bytes(text), 0);
        while (reader.TryRead(out _))
        {
        }

        Assert.That(reader.State, Is.EqualTo(SipHeaderReaderState.Malformed));
        Assert.That(reader.BodyOffset, Is.EqualTo(-1));
    }
}
