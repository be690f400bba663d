using System.Diagnostics.CodeAnalysis;
using System.Xml;
using System.Xml.Linq;

namespace NetServ.RSpec;

/// <summary>
/// Reads GENI RSpec v3 request documents. Bad input never throws: it gives an
/// <see cref="RSpecError"/> with the line and column of what is wrong. Reads text or a stream the
/// caller opened; <see cref="RSpecFile"/> deals with files. A document is bounded in length and
/// nesting before it is loaded, so that no input makes reading slow.
/// </summary>
public static class RSpecReader
{
    /// <summary>
    /// How deep elements may nest (the root is depth 0). Requests are a few levels deep and their
    /// extensions a few more; without a bound a deeply nested extension made loading quadratic.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>The longest document read: characters of text, or bytes of a stream. The largest public requests are a few hundred kilobytes.</summary>
    public const int MaxLength = 8 * 1024 * 1024;

    /// <summary>Reads a request from <paramref name="text"/>.</summary>
    /// <returns><see langword="true"/> with <paramref name="request"/> set, or <see langword="false"/> with <paramref name="error"/> set.</returns>
    public static bool TryRead(string text, [NotNullWhen(true)] out RequestRSpec? request, [NotNullWhen(false)] out RSpecError? error)
    {
        request = null;
        return TryLoad(text, out var document, out error) && RequestParser.TryParse(document, out request, out error);
    }

    /// <summary>
    /// Reads a request from <paramref name="stream"/> (UTF-8 unless the document declares another
    /// encoding). The stream is left open. Errors of the stream itself (<see cref="IOException"/>) are not bad input and are thrown.
    /// </summary>
    /// <returns><see langword="true"/> with <paramref name="request"/> set, or <see langword="false"/> with <paramref name="error"/> set.</returns>
    public static bool TryRead(Stream stream, [NotNullWhen(true)] out RequestRSpec? request, [NotNullWhen(false)] out RSpecError? error)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + read > MaxLength)
            {
                return TooLarge($"the document is longer than {MaxLength} bytes, the most requests are read up to", out request, out error);
            }

            buffer.Write(chunk, 0, read);
        }

        var bytes = buffer.GetBuffer();
        var length = (int)buffer.Length;
        return TryRead(() => XmlReader.Create(new MemoryStream(bytes, 0, length, writable: false), Settings), out request, out error);
    }

    // Entities expand within a small bound and nothing external is fetched; a DTD is refused when the
    // scan meets it, before any of its entities is used. Indentation is not content: kept extensions
    // compare equal however the document was indented.
    private static XmlReaderSettings Settings => new()
    {
        IgnoreWhitespace = true,
        DtdProcessing = DtdProcessing.Parse,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        CloseInput = true,
    };

    private static bool TryRead(Func<XmlReader> open, [NotNullWhen(true)] out RequestRSpec? request, [NotNullWhen(false)] out RSpecError? error)
    {
        request = null;
        return TryLoad(open, out var document, out error) && RequestParser.TryParse(document, out request, out error);
    }

    /// <summary>Loads <paramref name="text"/> within the bounds on length and depth, DTDs refused: for the readers of every kind of rspec.</summary>
    internal static bool TryLoad(string text, [NotNullWhen(true)] out XDocument? document, [NotNullWhen(false)] out RSpecError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            document = null;
            error = new RSpecError(RSpecErrorKind.TooLarge, $"the document is {text.Length} characters long; rspecs are read up to {MaxLength}", 0, 0);
            return false;
        }

        return TryLoad(() => XmlReader.Create(new StringReader(text), Settings), out document, out error);
    }

    private static bool TryLoad(Func<XmlReader> open, [NotNullWhen(true)] out XDocument? document, [NotNullWhen(false)] out RSpecError? error)
    {
        document = null;
        try
        {
            using (var scan = open())
            {
                if (Scan(scan) is { } refused)
                {
                    error = refused;
                    return false;
                }
            }

            using var reader = open();
            document = XDocument.Load(reader, LoadOptions.SetLineInfo);
            error = null;
            return true;
        }
        catch (XmlException e)
        {
            error = new RSpecError(RSpecErrorKind.NotWellFormed, $"not well-formed XML: {e.Message}", e.LineNumber, e.LinePosition);
            return false;
        }
    }

    /// <summary>A first pass that stops at a DTD or at an element nested too deep; <see langword="null"/> when there is neither.</summary>
    /// <exception cref="XmlException">The text is not well-formed.</exception>
    private static RSpecError? Scan(XmlReader reader)
    {
        var position = (IXmlLineInfo)reader;
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.DocumentType)
            {
                return new RSpecError(RSpecErrorKind.DtdRefused, "DTDs are refused: a request has no <!DOCTYPE>", position.LineNumber, position.LinePosition);
            }

            if (reader.NodeType == XmlNodeType.Element && reader.Depth >= MaxDepth)
            {
                return new RSpecError(
                    RSpecErrorKind.TooDeep,
                    $"<{reader.LocalName}> is nested {reader.Depth} elements deep; requests are read up to a depth of {MaxDepth - 1}",
                    position.LineNumber,
                    position.LinePosition);
            }
        }

        return null;
    }

    private static bool TooLarge(string message, out RequestRSpec? request, out RSpecError error)
    {
        request = null;
        error = new RSpecError(RSpecErrorKind.TooLarge, message, 0, 0);
        return false;
    }
}
