using System.Diagnostics.CodeAnalysis;
using System.Xml;
using System.Xml.Linq;

namespace NetServ.RSpec;

/// <summary>
/// Reads GENI RSpec v3 request documents. Bad input never throws: it gives an
/// <see cref="RSpecError"/> with the line and column of what is wrong. Reads text or a stream the
/// caller opened; <see cref="RSpecFile"/> deals with files.
/// </summary>
public static class RSpecReader
{
    /// <summary>Reads a request from <paramref name="text"/>.</summary>
    /// <returns><see langword="true"/> with <paramref name="request"/> set, or <see langword="false"/> with <paramref name="error"/> set.</returns>
    public static bool TryRead(string text, [NotNullWhen(true)] out RequestRSpec? request, [NotNullWhen(false)] out RSpecError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var textReader = new StringReader(text);
        using var reader = XmlReader.Create(textReader, Settings);
        return TryRead(reader, out request, out error);
    }

    /// <summary>
    /// Reads a request from <paramref name="stream"/> (UTF-8 unless the document declares another
    /// encoding). The stream is left open. Errors of the stream itself (<see cref="IOException"/>) are not bad input and are thrown.
    /// </summary>
    /// <returns><see langword="true"/> with <paramref name="request"/> set, or <see langword="false"/> with <paramref name="error"/> set.</returns>
    public static bool TryRead(Stream stream, [NotNullWhen(true)] out RequestRSpec? request, [NotNullWhen(false)] out RSpecError? error)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = XmlReader.Create(stream, Settings);
        return TryRead(reader, out request, out error);
    }

    // A DTD is refused (requests never need one), but only once the document is read, so that the
    // error can say where it is. Until then entities expand within a small bound and nothing external is fetched.
    private static XmlReaderSettings Settings => new()
    {
        DtdProcessing = DtdProcessing.Parse,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        CloseInput = false,
    };

    private static bool TryRead(XmlReader reader, [NotNullWhen(true)] out RequestRSpec? request, [NotNullWhen(false)] out RSpecError? error)
    {
        XDocument document;
        try
        {
            document = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            request = null;
            error = new RSpecError(RSpecErrorKind.NotWellFormed, $"not well-formed XML: {e.Message}", e.LineNumber, e.LinePosition);
            return false;
        }

        if (document.DocumentType is IXmlLineInfo doctype)
        {
            request = null;
            error = new RSpecError(RSpecErrorKind.NotWellFormed, "a request has no DTD (<!DOCTYPE>)", doctype.LineNumber, doctype.LinePosition);
            return false;
        }

        return RequestParser.TryParse(document, out request, out error);
    }
}
