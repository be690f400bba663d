using System.Text;

namespace NetServ.Sip.Tests;

[TestFixture]
public sealed class SipToTagsTests
{
    private readonly SipToTags _tags = new();

    [Test]
    public void Write_SameDialogTwice_GivesTheSameTag()
    {
        var first = Tag("a84b4c76e66710", "1928301774");

        Assert.That(Tag("a84b4c76e66710", "1928301774"), Is.EqualTo(first));
    }

    [Test]
    public void Write_OtherCallIdOrFromTag_GivesAnotherTag()
    {
        var tag = Tag("a84b4c76e66710", "1928301774");

        Assert.That(Tag("a84b4c76e66711", "1928301774"), Is.Not.EqualTo(tag));
        Assert.That(Tag("a84b4c76e66710", "1928301775"), Is.Not.EqualTo(tag));
        Assert.That(Tag("a84b4c76e6671", "01928301774"), Is.Not.EqualTo(tag), "where Call-ID ends and the From tag starts counts");
    }

    [Test]
    public void Write_AnotherResponder_GivesAnotherTag() =>
        Assert.That(Tag(new SipToTags(), "c", "f"), Is.Not.EqualTo(Tag("c", "f")));

    [Test]
    public void Write_ManyDialogs_GivesSixtyFourBitHexTokensAllDifferent()
    {
        var tags = Enumerable.Range(0, 10_000).Select(i => Tag($"call-{i}@198.18.0.1", "a1")).ToList();

        Assert.That(tags, Is.All.Match("^[0-9a-f]{16}$"));
        Assert.That(tags.Distinct().Count(), Is.EqualTo(tags.Count));
    }

    [Test]
    public void Write_ValuesLongerThanTheStackBuffer_StillTellDialogsApart()
    {
        var callId = new string('c', 600);

        Assert.That(Tag(callId, new string('f', 300) + "1"), Is.Not.EqualTo(Tag(callId, new string('f', 300) + "2")));
        var tag = Tag(callId, new string('f', 300));
        Assert.That(Tag(callId, new string('f', 300)), Is.EqualTo(tag));
    }

    [Test]
    public void Write_DestinationTooShort_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _tags.Write("c"u8, "f"u8, new byte[SipToTags.Length - 1]));

    [Test]
    public void Write_Repeated_AllocatesNothing()
    {
        var callId = Encoding.ASCII.GetBytes("ka-1@198.18.0.1");
        var destination = new byte[SipToTags.Length];
        _tags.Write(callId, "a1"u8, destination);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20_000; i++)
        {
            _tags.Write(callId, "a1"u8, destination);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    private string Tag(string callId, string fromTag) => Tag(_tags, callId, fromTag);

    private static string Tag(SipToTags tags, string callId, string fromTag)
    {
        var destination = new byte[SipToTags.Length];
        tags.Write(Encoding.ASCII.GetBytes(callId), Encoding.ASCII.GetBytes(fromTag), destination);
        return Encoding.ASCII.GetString(destination);
    }
}
