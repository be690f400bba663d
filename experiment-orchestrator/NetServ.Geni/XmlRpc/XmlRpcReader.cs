using System.Text;
using System.Xml;

namespace NetServ.Geni.XmlRpc;

/// <summary>
/// Reads XML-RPC documents: method calls and method responses. Bad input always gives an
/// <see cref="XmlRpcFormatException"/> with the line and column of what is wrong, never another
/// exception. DTDs are refused, nothing external is fetched, and documents are bounded in length
/// and depth (<see cref="XmlRpcLimits"/>). No I/O: text or bytes in, messages out.
/// </summary>
public static class XmlRpcReader
{
    public static XmlRpcMethodCall ReadMethodCall(ReadOnlyMemory<byte> document, XmlRpcLimits? limits = null)
        => Read(document, limits, static d => d.ReadMethodCall());

    public static XmlRpcMethodCall ReadMethodCall(string document, XmlRpcLimits? limits = null)
        => Read(document, limits, static d => d.ReadMethodCall());

    /// <summary>Reads a response: a value, or a fault (returned, not thrown: the codec does not decide what a fault means).</summary>
    public static XmlRpcResponse ReadMethodResponse(ReadOnlyMemory<byte> document, XmlRpcLimits? limits = null)
        => Read(document, limits, static d => d.ReadMethodResponse());

    public static XmlRpcResponse ReadMethodResponse(string document, XmlRpcLimits? limits = null)
        => Read(document, limits, static d => d.ReadMethodResponse());

    private static T Read<T>(ReadOnlyMemory<byte> document, XmlRpcLimits? limits, Func<DocumentReader, T> read)
    {
        limits ??= XmlRpcLimits.Default;
        if (document.Length > limits.MaxDocumentLength)
        {
            throw TooLarge(document.Length, "bytes", limits);
        }

        var stream = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(document, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(document.ToArray(), writable: false);
        return Read(() => XmlReader.Create(stream, Settings), limits, read);
    }

    private static T Read<T>(string document, XmlRpcLimits? limits, Func<DocumentReader, T> read)
    {
        ArgumentNullException.ThrowIfNull(document);
        limits ??= XmlRpcLimits.Default;
        if (document.Length > limits.MaxDocumentLength)
        {
            throw TooLarge(document.Length, "characters", limits);
        }

        return Read(() => XmlReader.Create(new StringReader(document), Settings), limits, read);
    }

    private static T Read<T>(Func<XmlReader> open, XmlRpcLimits limits, Func<DocumentReader, T> read)
    {
        XmlReader? xml = null;
        try
        {
            xml = open();
            return read(new DocumentReader(xml, limits));
        }
        catch (XmlException e)
        {
            throw new XmlRpcFormatException(XmlRpcFormatError.NotWellFormed, e.Message, e.LineNumber, e.LinePosition, e);
        }
        catch (DecoderFallbackException e)
        {
            var position = xml as IXmlLineInfo;
            throw new XmlRpcFormatException(XmlRpcFormatError.NotWellFormed, $"bytes that are not text in the document's encoding: {e.Message}", position?.LineNumber ?? 0, position?.LinePosition ?? 0, e);
        }
        finally
        {
            xml?.Dispose();
        }
    }

    // White space is not ignored by the XML reader: it is the value of <string> </string> and of
    // <value> </value>. The document reader skips it between elements itself.
    private static XmlReaderSettings Settings => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 0,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    private static XmlRpcFormatException TooLarge(int length, string unit, XmlRpcLimits limits)
        => new(XmlRpcFormatError.TooLarge, $"the document is {length} {unit} long; documents are read up to {limits.MaxDocumentLength}", 0, 0);

    /// <summary>
    /// A recursive descent over the reader. Each <c>Read…</c> starts on its element's start tag
    /// and leaves the reader on the node after its end tag.
    /// </summary>
    private sealed class DocumentReader(XmlReader xml, XmlRpcLimits limits)
    {
        private readonly IXmlLineInfo position = (IXmlLineInfo)xml;

        public XmlRpcMethodCall ReadMethodCall()
        {
            ExpectStart("methodCall");
            var parameters = new List<XmlRpcValue>();
            if (xml.IsEmptyElement)
            {
                throw Unexpected("<methodCall> without a <methodName>");
            }

            Advance();
            ExpectStart("methodName");
            var nameLine = position.LineNumber;
            var nameColumn = position.LinePosition;
            var name = ReadText().Trim();
            if (name.Length == 0)
            {
                throw new XmlRpcFormatException(XmlRpcFormatError.InvalidValue, "the <methodName> is empty", nameLine, nameColumn);
            }

            SkipInsignificant();
            if (IsStart("params"))
            {
                ReadParams(parameters);
            }

            ExpectEnd("methodCall");
            ExpectEndOfDocument();
            return new XmlRpcMethodCall(name, parameters);
        }

        public XmlRpcResponse ReadMethodResponse()
        {
            ExpectStart("methodResponse");
            if (xml.IsEmptyElement)
            {
                throw Unexpected("an empty <methodResponse>: it holds <params> or <fault>");
            }

            Advance();
            SkipInsignificant();
            XmlRpcResponse response;
            if (IsStart("fault"))
            {
                response = ReadFault();
            }
            else
            {
                ExpectStart("params");
                var line = position.LineNumber;
                var column = position.LinePosition;
                var parameters = new List<XmlRpcValue>();
                ReadParams(parameters);
                if (parameters.Count != 1)
                {
                    throw new XmlRpcFormatException(XmlRpcFormatError.UnexpectedContent, $"a response has one <param>, this one has {parameters.Count}", line, column);
                }

                response = new XmlRpcSuccess(parameters[0]);
            }

            ExpectEnd("methodResponse");
            ExpectEndOfDocument();
            return response;
        }

        private XmlRpcFault ReadFault()
        {
            var line = position.LineNumber;
            var column = position.LinePosition;
            if (xml.IsEmptyElement)
            {
                throw Unexpected("an empty <fault>: it holds a <value>");
            }

            Advance();
            ExpectStart("value");
            var value = ReadValue();
            ExpectEnd("fault");
            if (value is XmlRpcStruct fault
                && fault.TryGetValue("faultCode", out var code) && code is XmlRpcInt faultCode
                && fault.TryGetValue("faultString", out var text) && text is XmlRpcString faultString)
            {
                return new XmlRpcFault(faultCode.Value, faultString.Value);
            }

            throw new XmlRpcFormatException(XmlRpcFormatError.InvalidFault, $"a fault is a struct with an int faultCode and a string faultString; this one is {value.Describe()}: {value}", line, column);
        }

        private void ReadParams(List<XmlRpcValue> parameters)
        {
            if (xml.IsEmptyElement)
            {
                Advance();
                return;
            }

            Advance();
            while (true)
            {
                SkipInsignificant();
                if (xml.NodeType == XmlNodeType.EndElement)
                {
                    ExpectEnd("params");
                    return;
                }

                ExpectStart("param");
                if (xml.IsEmptyElement)
                {
                    throw Unexpected("an empty <param>: it holds a <value>");
                }

                Advance();
                ExpectStart("value");
                parameters.Add(ReadValue());
                ExpectEnd("param");
            }
        }

        private XmlRpcValue ReadValue()
        {
            if (xml.Depth > limits.MaxDepth)
            {
                throw new XmlRpcFormatException(XmlRpcFormatError.TooDeep, $"<value> is nested {xml.Depth} elements deep; documents are read up to a depth of {limits.MaxDepth}", position.LineNumber, position.LinePosition);
            }

            if (xml.IsEmptyElement)
            {
                Advance();
                return new XmlRpcString("");
            }

            Advance();
            var text = new StringBuilder();
            XmlRpcValue? typed = null;
            while (true)
            {
                switch (xml.NodeType)
                {
                    case XmlNodeType.Text:
                    case XmlNodeType.CDATA:
                    case XmlNodeType.Whitespace:
                    case XmlNodeType.SignificantWhitespace:
                        if (typed is not null && xml.NodeType is XmlNodeType.Text or XmlNodeType.CDATA && !string.IsNullOrWhiteSpace(xml.Value))
                        {
                            throw Unexpected($"text \"{Shorten(xml.Value)}\" after the <{typed.TypeName}> of a <value>");
                        }

                        text.Append(xml.Value);
                        Advance();
                        break;
                    case XmlNodeType.Element:
                        // A type element may have white space around it (Java and Perl indent), but
                        // neither text nor a second type element.
                        if (typed is not null)
                        {
                            throw Unexpected($"a second type <{xml.LocalName}> in a <value> that has a <{typed.TypeName}>");
                        }

                        if (!string.IsNullOrWhiteSpace(text.ToString()))
                        {
                            throw Unexpected($"<{xml.LocalName}> after text \"{Shorten(text.ToString())}\" in a <value>");
                        }

                        typed = ReadTyped();
                        break;
                    case XmlNodeType.EndElement:
                        ExpectEnd("value");
                        return typed ?? new XmlRpcString(text.ToString());
                    default:
                        throw Unexpected($"{Describe()} in a <value>");
                }
            }
        }

        private XmlRpcValue ReadTyped()
        {
            var name = xml.LocalName;
            var line = position.LineNumber;
            var column = position.LinePosition;
            switch (name)
            {
                case "struct":
                    return ReadStruct();
                case "array":
                    return ReadArray();
                case "nil":
                    var empty = ReadText();
                    return empty.Length == 0 ? XmlRpcNil.Instance : throw Invalid("<nil/> holds nothing", line, column);
            }

            var text = ReadText();
            return name switch
            {
                "i4" or "int" => XmlRpcScalars.TryParseInt(text, out var i) ? new XmlRpcInt(i) : throw Invalid($"<{name}>{Shorten(text)}</{name}> is not a 32-bit integer", line, column),
                "boolean" => XmlRpcScalars.TryParseBoolean(text, out var b) ? (b ? XmlRpcBoolean.True : XmlRpcBoolean.False) : throw Invalid($"<boolean>{Shorten(text)}</boolean> is neither 0 nor 1", line, column),
                "string" => new XmlRpcString(text),
                "double" => XmlRpcScalars.TryParseDouble(text, out var d) ? new XmlRpcDouble(d) : throw Invalid($"<double>{Shorten(text)}</double> is not a number", line, column),
                "dateTime.iso8601" => XmlRpcScalars.TryParseDateTime(text, out var t) ? new XmlRpcDateTime(t) : throw Invalid($"<dateTime.iso8601>{Shorten(text)}</dateTime.iso8601> is not a date and time (19980717T14:08:55 or 2026-12-06T10:00:00Z)", line, column),
                "base64" => XmlRpcScalars.TryParseBase64(text, out var bytes) ? new XmlRpcBase64(bytes) : throw Invalid($"<base64> is not base64: \"{Shorten(text)}\"", line, column),
                _ => throw new XmlRpcFormatException(XmlRpcFormatError.UnexpectedContent, $"<{name}> is not an XML-RPC type (int, i4, boolean, string, double, dateTime.iso8601, base64, struct, array, nil)", line, column),
            };
        }

        private XmlRpcStruct ReadStruct()
        {
            var result = new XmlRpcStruct();
            if (xml.IsEmptyElement)
            {
                Advance();
                return result;
            }

            Advance();
            while (true)
            {
                SkipInsignificant();
                if (xml.NodeType == XmlNodeType.EndElement)
                {
                    ExpectEnd("struct");
                    return result;
                }

                ExpectStart("member");
                var line = position.LineNumber;
                var column = position.LinePosition;
                if (xml.IsEmptyElement)
                {
                    throw Unexpected("an empty <member>: it holds a <name> and a <value>");
                }

                Advance();
                ExpectStart("name");
                var name = ReadText();
                ExpectStart("value");
                var value = ReadValue();
                ExpectEnd("member");
                if (result.Contains(name))
                {
                    throw new XmlRpcFormatException(XmlRpcFormatError.DuplicateMember, $"the struct has two members named \"{Shorten(name)}\"", line, column);
                }

                result.Add(name, value);
            }
        }

        private XmlRpcArray ReadArray()
        {
            if (xml.IsEmptyElement)
            {
                Advance();
                return new XmlRpcArray();
            }

            Advance();
            ExpectStart("data");
            var items = new List<XmlRpcValue>();
            if (xml.IsEmptyElement)
            {
                Advance();
            }
            else
            {
                Advance();
                while (true)
                {
                    SkipInsignificant();
                    if (xml.NodeType == XmlNodeType.EndElement)
                    {
                        ExpectEnd("data");
                        break;
                    }

                    ExpectStart("value");
                    items.Add(ReadValue());
                }
            }

            ExpectEnd("array");
            return new XmlRpcArray(items);
        }

        /// <summary>The text of a leaf element (no child elements), left exactly as written.</summary>
        private string ReadText()
        {
            var name = xml.LocalName;
            if (xml.IsEmptyElement)
            {
                Advance();
                return "";
            }

            Advance();
            var text = new StringBuilder();
            while (xml.NodeType != XmlNodeType.EndElement)
            {
                if (xml.NodeType is not (XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace))
                {
                    throw Unexpected($"{Describe()} in <{name}>, which holds text only");
                }

                text.Append(xml.Value);
                if (text.Length > limits.MaxDocumentLength)
                {
                    throw new XmlRpcFormatException(XmlRpcFormatError.TooLarge, $"<{name}> is longer than {limits.MaxDocumentLength} characters", position.LineNumber, position.LinePosition);
                }

                Advance();
            }

            ExpectEnd(name);
            return text.ToString();
        }

        private void Advance()
        {
            if (!xml.Read())
            {
                throw new XmlRpcFormatException(XmlRpcFormatError.NotWellFormed, "the document ends early", position.LineNumber, position.LinePosition);
            }
        }

        /// <summary>Moves past white space and the XML declaration between elements; text there is an error.</summary>
        private void SkipInsignificant()
        {
            while (xml.NodeType is XmlNodeType.None or XmlNodeType.XmlDeclaration or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace)
            {
                Advance();
            }
        }

        private bool IsStart(string name)
            => xml.NodeType == XmlNodeType.Element && xml.LocalName == name && xml.NamespaceURI.Length == 0;

        private void ExpectStart(string name)
        {
            SkipInsignificant();
            if (!IsStart(name))
            {
                throw Unexpected($"expected <{name}>, found {Describe()}");
            }
        }

        private void ExpectEnd(string name)
        {
            SkipInsignificant();
            if (xml.NodeType != XmlNodeType.EndElement || xml.LocalName != name)
            {
                throw Unexpected($"expected </{name}>, found {Describe()}");
            }

            // The root's end tag is the last node: reading past it must not fail.
            if (xml.Depth == 0)
            {
                xml.Read();
                return;
            }

            Advance();
        }

        private void ExpectEndOfDocument()
        {
            while (xml.NodeType is XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace)
            {
                xml.Read();
            }

            if (!xml.EOF)
            {
                throw Unexpected($"{Describe()} after the document's end");
            }
        }

        private string Describe() => xml.NodeType switch
        {
            XmlNodeType.Element => $"<{xml.Name}>",
            XmlNodeType.EndElement => $"</{xml.Name}>",
            XmlNodeType.Text or XmlNodeType.CDATA => $"text \"{Shorten(xml.Value)}\"",
            XmlNodeType.None => "the end of the document",
            var other => other.ToString(),
        };

        private XmlRpcFormatException Unexpected(string detail)
            => new(XmlRpcFormatError.UnexpectedContent, detail, position.LineNumber, position.LinePosition);

        private static XmlRpcFormatException Invalid(string detail, int line, int column)
            => new(XmlRpcFormatError.InvalidValue, detail, line, column);

        private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
    }
}
