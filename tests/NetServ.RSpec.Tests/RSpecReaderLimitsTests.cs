using System.Diagnostics;
using System.Text;

namespace NetServ.RSpec.Tests;

/// <summary>The reader's bounds: no document makes reading slow, and each refusal says which bound.</summary>
[TestFixture]
public sealed class RSpecReaderLimitsTests
{
    // Before the bound, 80,000 levels took 10 s and 200,000 no answer in 120 s.
    private static readonly TimeSpan FailFast = TimeSpan.FromSeconds(2);

    [TestCase(80_000)]
    [TestCase(200_000)]
    public void TryRead_DeeplyNestedExtension_IsRefusedFastAsTooDeep(int levels)
    {
        var text = Nested(levels);
        var watch = Stopwatch.StartNew();

        var read = RSpecReader.TryRead(text, out _, out var error);

        watch.Stop();
        TestContext.Out.WriteLine($"{levels} levels ({text.Length} characters): refused in {watch.Elapsed.TotalMilliseconds:F1} ms");
        Assert.That(read, Is.False);
        Assert.That(error!.Kind, Is.EqualTo(RSpecErrorKind.TooDeep));
        // The first <e> is 28 characters long, the others 3; the column is that of the name.
        Assert.That(error.ToString(), Is.EqualTo($"2:{30 + ((RSpecReader.MaxDepth - 3) * 3)}: <e> is nested {RSpecReader.MaxDepth} elements deep; requests are read up to a depth of {RSpecReader.MaxDepth - 1}"));
        Assert.That(watch.Elapsed, Is.LessThan(FailFast));
    }

    [Test]
    public void TryRead_DeeplyNestedStream_IsRefusedFastAsTooDeep()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Nested(200_000)));
        var watch = Stopwatch.StartNew();

        var read = RSpecReader.TryRead(stream, out _, out var error);

        Assert.That(read, Is.False);
        Assert.That(error!.Kind, Is.EqualTo(RSpecErrorKind.TooDeep));
        Assert.That(watch.Elapsed, Is.LessThan(FailFast));
    }

    [Test]
    public void TryRead_NestedJustWithinTheBound_IsReadWithTheExtensionKept()
    {
        // The root is depth 0 and the node 1: the deepest extension element is at MaxDepth - 1.
        var request = RSpecSamples.Read(Nested(RSpecReader.MaxDepth - 2));

        Assert.That(request.Nodes.Single().Extensions.Elements.Single().ToString(), Does.StartWith("<e xmlns=\"urn:example:deep\"><e><e>"));
    }

    [Test]
    public void TryRead_TextLongerThanTheBound_IsRefusedAsTooLarge()
    {
        var text = Nested(1).Replace("</rspec>", $"<!--{new string('x', RSpecReader.MaxLength)}--></rspec>", StringComparison.Ordinal);

        var read = RSpecReader.TryRead(text, out _, out var error);

        Assert.That(read, Is.False);
        Assert.That(error!.Kind, Is.EqualTo(RSpecErrorKind.TooLarge));
        Assert.That(error.Message, Does.Contain($"up to {RSpecReader.MaxLength}"));
    }

    [Test]
    public void TryRead_StreamLongerThanTheBound_IsRefusedAsTooLargeWithoutReadingItAll()
    {
        using var stream = new EndlessStream();

        var read = RSpecReader.TryRead(stream, out _, out var error);

        Assert.That(read, Is.False);
        Assert.That(error!.Kind, Is.EqualTo(RSpecErrorKind.TooLarge));
        Assert.That(stream.Position, Is.LessThanOrEqualTo(RSpecReader.MaxLength + 81_920));
    }

    /// <summary>A request whose one node holds <paramref name="levels"/> extension elements inside one another, all on line 2.</summary>
    private static string Nested(int levels)
    {
        var text = new StringBuilder($"<rspec xmlns=\"{RSpecSamples.Namespace}\" type=\"request\"><node client_id=\"a\">\n");
        text.Append("<e xmlns=\"urn:example:deep\">");
        for (var i = 1; i < levels; i++)
        {
            text.Append("<e>");
        }

        for (var i = 0; i < levels; i++)
        {
            text.Append("</e>");
        }

        return text.Append("</node></rspec>").ToString();
    }

    /// <summary>A stream that never ends, counting what was read from it.</summary>
    private sealed class EndlessStream : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)' ');
            _position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
