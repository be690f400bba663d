using System.Globalization;

namespace NetServ.Apps.ActiveCdn;

/// <summary>What a <c>Range</c> header asks of an object of known length (RFC 9110 section 14).</summary>
internal enum RangeKind
{
    /// <summary>No header, a unit other than bytes, several ranges or a malformed value: serve the whole object (200).</summary>
    Whole,

    /// <summary>One satisfiable range: serve it (206).</summary>
    Partial,

    /// <summary>A well-formed range that lies past the end: 416 with <c>Content-Range: bytes */length</c>.</summary>
    Unsatisfiable,
}

/// <summary>An inclusive byte range of an object: <c>bytes=First-Last</c>.</summary>
internal readonly record struct ByteRange(long First, long Last)
{
    public long Length => Last - First + 1;

    /// <summary>The <c>Content-Range</c> value of this range of an object of <paramref name="total"/> bytes.</summary>
    public string ContentRange(long total) => string.Create(CultureInfo.InvariantCulture, $"bytes {First}-{Last}/{total}");

    /// <summary>
    /// Reads a <c>Range</c> header for an object of <paramref name="length"/> bytes. Only a single
    /// range is served as such; a server may ignore the header otherwise, and this one does.
    /// </summary>
    public static RangeKind Parse(ReadOnlySpan<char> header, long length, out ByteRange range)
    {
        range = default;
        header = header.Trim();
        if (header.IsEmpty || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return RangeKind.Whole;
        }

        var spec = header["bytes=".Length..].Trim();
        if (spec.Contains(','))
        {
            return RangeKind.Whole;
        }

        var dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return RangeKind.Whole;
        }

        var firstText = spec[..dash].Trim();
        var lastText = spec[(dash + 1)..].Trim();
        if (firstText.IsEmpty)
        {
            // bytes=-N: the last N bytes.
            if (!TryParseNumber(lastText, out var suffix))
            {
                return RangeKind.Whole;
            }

            if (suffix == 0 || length == 0)
            {
                return RangeKind.Unsatisfiable;
            }

            range = new ByteRange(Math.Max(0, length - suffix), length - 1);
            return RangeKind.Partial;
        }

        if (!TryParseNumber(firstText, out var first))
        {
            return RangeKind.Whole;
        }

        long last;
        if (lastText.IsEmpty)
        {
            last = length - 1;
        }
        else if (!TryParseNumber(lastText, out last) || last < first)
        {
            return RangeKind.Whole;
        }

        if (first >= length)
        {
            return RangeKind.Unsatisfiable;
        }

        range = new ByteRange(first, Math.Min(last, length - 1));
        return RangeKind.Partial;
    }

    private static bool TryParseNumber(ReadOnlySpan<char> text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
