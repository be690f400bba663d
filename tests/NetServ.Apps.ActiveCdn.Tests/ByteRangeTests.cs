namespace NetServ.Apps.ActiveCdn.Tests;

public sealed class ByteRangeTests
{
    [TestCase("bytes=0-99", 1000, 0, 99)]
    [TestCase("bytes=100-", 1000, 100, 999)]
    [TestCase("bytes=-100", 1000, 900, 999)]
    [TestCase("bytes=-5000", 1000, 0, 999)]
    [TestCase("bytes=900-5000", 1000, 900, 999)]
    [TestCase("BYTES=5-5", 1000, 5, 5)]
    public void Parse_SingleRange_IsPartialAndClampedToTheObject(string header, long length, long first, long last)
    {
        Assert.That(ByteRange.Parse(header, length, out var range), Is.EqualTo(RangeKind.Partial));
        Assert.That(range, Is.EqualTo(new ByteRange(first, last)));
    }

    [TestCase("")]
    [TestCase("items=0-5")]
    [TestCase("bytes=0-5,10-20")]
    [TestCase("bytes=abc")]
    [TestCase("bytes=5-1")]
    [TestCase("bytes=-")]
    [TestCase("bytes=1-2-3")]
    [TestCase("bytes =0-5")]
    [TestCase("bytes=99999999999999999999999-")]
    public void Parse_AbsentMultipleOrMalformed_ServesTheWholeObject(string header)
    {
        Assert.That(ByteRange.Parse(header, 1000, out _), Is.EqualTo(RangeKind.Whole));
    }

    [TestCase("bytes=1000-")]
    [TestCase("bytes=2000-3000")]
    [TestCase("bytes=-0")]
    public void Parse_PastTheEnd_IsUnsatisfiable(string header)
    {
        Assert.That(ByteRange.Parse(header, 1000, out _), Is.EqualTo(RangeKind.Unsatisfiable));
    }

    [Test]
    public void ContentRange_NamesFirstLastAndTotal()
    {
        Assert.That(new ByteRange(10, 19).ContentRange(100), Is.EqualTo("bytes 10-19/100"));
    }
}
