namespace NetServ.Geni.XmlRpc;

/// <summary>Why a document is not XML-RPC.</summary>
public enum XmlRpcFormatError
{
    /// <summary>Not well-formed XML, or a DTD (refused before anything in it is used), or bytes that are not text in the document's encoding.</summary>
    NotWellFormed,

    /// <summary>Longer than <see cref="XmlRpcLimits.MaxDocumentLength"/>.</summary>
    TooLarge,

    /// <summary>Nested deeper than <see cref="XmlRpcLimits.MaxDepth"/>.</summary>
    TooDeep,

    /// <summary>Well-formed XML but not the elements XML-RPC has where they are.</summary>
    UnexpectedContent,

    /// <summary>A scalar's text is not a value of its type (<c>&lt;int&gt;x&lt;/int&gt;</c>, a boolean of 2).</summary>
    InvalidValue,

    /// <summary>A struct has two members of one name.</summary>
    DuplicateMember,

    /// <summary>A <c>&lt;fault&gt;</c> whose value is not a struct with an int <c>faultCode</c> and a string <c>faultString</c>.</summary>
    InvalidFault,
}

/// <summary>A malformed XML-RPC document: what is wrong and where. Lines and columns count from 1; 0 when there is no position (an empty or oversized document).</summary>
public sealed class XmlRpcFormatException : Exception
{
    public XmlRpcFormatException(XmlRpcFormatError error, string detail, int line, int column, Exception? innerException = null)
        : base(line > 0 ? $"malformed XML-RPC at {line}:{column}: {detail}" : $"malformed XML-RPC: {detail}", innerException)
    {
        Error = error;
        Detail = detail;
        Line = line;
        Column = column;
    }

    public XmlRpcFormatException()
        : this(XmlRpcFormatError.NotWellFormed, "malformed", 0, 0)
    {
    }

    public XmlRpcFormatException(string message)
        : this(XmlRpcFormatError.NotWellFormed, message, 0, 0)
    {
    }

    public XmlRpcFormatException(string message, Exception innerException)
        : this(XmlRpcFormatError.NotWellFormed, message, 0, 0, innerException)
    {
    }

    public XmlRpcFormatError Error { get; }

    /// <summary>What is wrong, without the position.</summary>
    public string Detail { get; } = "";

    public int Line { get; }

    public int Column { get; }
}

/// <summary>Bounds on documents read, so that no input makes reading slow or large.</summary>
public sealed record XmlRpcLimits
{
    public static XmlRpcLimits Default { get; } = new();

    /// <summary>
    /// The longest document: bytes, or characters of text. CloudLab's advertisement rspecs are a
    /// few megabytes uncompressed; 64 MiB leaves room and still bounds memory.
    /// </summary>
    public int MaxDocumentLength { get; init; } = 64 * 1024 * 1024;

    /// <summary>How deep elements may nest (the root is depth 0). Every value level costs three (value, struct, member), so 96 allows about 30 levels of values.</summary>
    public int MaxDepth { get; init; } = 96;
}
