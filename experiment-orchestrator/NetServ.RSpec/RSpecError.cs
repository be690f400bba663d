namespace NetServ.RSpec;

/// <summary>Why a document is not a request this project can use.</summary>
public enum RSpecErrorKind
{
    /// <summary>The text is not well-formed XML.</summary>
    NotWellFormed,

    /// <summary>The document has a DTD (<c>&lt;!DOCTYPE&gt;</c>): requests never need one, and DTDs are refused before anything in them is expanded.</summary>
    DtdRefused,

    /// <summary>Elements are nested deeper than <see cref="RSpecReader.MaxDepth"/>.</summary>
    TooDeep,

    /// <summary>The document is longer than <see cref="RSpecReader.MaxLength"/>.</summary>
    TooLarge,

    /// <summary>The root element is not <c>rspec</c> in the namespace <c>http://www.geni.net/resources/rspec/3</c>.</summary>
    WrongRoot,

    /// <summary>The root's <c>type</c> is not <c>request</c> (an advertisement or a manifest, or none).</summary>
    NotRequest,

    /// <summary>The root's <c>type</c> is not <c>manifest</c>, where a manifest was expected (an aggregate's answer to Allocate, Provision or Describe).</summary>
    NotManifest,

    /// <summary>A required attribute (such as <c>client_id</c>) is missing or empty.</summary>
    MissingAttribute,

    /// <summary>Two elements have the same <c>client_id</c>.</summary>
    DuplicateClientId,

    /// <summary>An <c>interface_ref</c> or a link property names an interface that is not there.</summary>
    UnknownInterface,

    /// <summary>An interface is joined by two links (or named twice by one).</summary>
    InterfaceAlreadyLinked,

    /// <summary>An <c>ip</c> address is not an address of its type (IPv4 unless it says <c>type="ipv6"</c>).</summary>
    InvalidAddress,

    /// <summary>A netmask is not a netmask of its address's type (IPv4: contiguous ones, then zeros; IPv6: a prefix length).</summary>
    InvalidNetmask,

    /// <summary>A link property's <c>capacity</c>, <c>latency</c> or <c>packet_loss</c> is not a number in range.</summary>
    InvalidNumber,

    /// <summary>An attribute has a value outside its set, such as <c>exclusive="maybe"</c>.</summary>
    InvalidValue,

    /// <summary>Valid RSpec this project does not model, such as a second <c>sliver_type</c> on one node or an address type other than IPv4 and IPv6.</summary>
    Unsupported,
}

/// <summary>Where and why a document was refused. Lines and columns count from 1.</summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="Message">What is wrong, for a person.</param>
/// <param name="Line">The line of the offending element or attribute; 0 when the XML reader gives none (an empty document, entities that expand past the reader's bound).</param>
/// <param name="Column">The column where it starts.</param>
public sealed record RSpecError(RSpecErrorKind Kind, string Message, int Line, int Column)
{
    /// <summary>As a compiler would say it: <c>12:5: message</c>.</summary>
    public override string ToString() => $"{Line}:{Column}: {Message}";
}

/// <summary>A request document read from a file was refused; <see cref="Error"/> says where and why.</summary>
public sealed class RSpecFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="error"/> in the file at <paramref name="path"/>.</summary>
    public RSpecFormatException(string path, RSpecError error)
        : base($"{path}:{error}")
    {
        ArgumentNullException.ThrowIfNull(error);
        Path = path;
        Error = error;
    }

    /// <summary>Creates the exception without a location.</summary>
    public RSpecFormatException()
    {
    }

    /// <summary>Creates the exception with a message and no location.</summary>
    public RSpecFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message, no location, and its cause.</summary>
    public RSpecFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The file that was read, when known.</summary>
    public string? Path { get; }

    /// <summary>Where and why the document was refused, when known.</summary>
    public RSpecError? Error { get; }
}
