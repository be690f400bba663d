namespace NetServ.Geni.Credentials;

/// <summary>Why a document is not a GENI SFA credential.</summary>
public enum CredentialFormatError
{
    /// <summary>Not well-formed XML, or a DTD (refused before anything in it is used).</summary>
    NotWellFormed,

    /// <summary>Longer than <see cref="CredentialLimits.MaxDocumentLength"/>.</summary>
    TooLarge,

    /// <summary>Nested deeper than <see cref="CredentialLimits.MaxDepth"/>.</summary>
    TooDeep,

    /// <summary>Well-formed XML but not the elements of a signed credential where they are (no <c>&lt;credential&gt;</c>, two <c>&lt;owner_urn&gt;</c>, …).</summary>
    UnexpectedContent,

    /// <summary>A field's text is not a value of its type (an <c>&lt;expires&gt;</c> that is no date, a GID that is no certificate).</summary>
    InvalidValue,

    /// <summary>A credential this implementation does not take: another type than <c>privilege</c> (ABAC), or delegated (with a <c>&lt;parent&gt;</c>).</summary>
    Unsupported,
}

/// <summary>A malformed credential: what is wrong, and where when the XML parser knows (lines and columns from 1, else 0).</summary>
public sealed class CredentialFormatException : Exception
{
    public CredentialFormatException(CredentialFormatError error, string detail, int line = 0, int column = 0, Exception? innerException = null)
        : base(line > 0 ? $"malformed credential at {line}:{column}: {detail}" : $"malformed credential: {detail}", innerException)
    {
        Error = error;
        Detail = detail;
        Line = line;
        Column = column;
    }

    public CredentialFormatException()
        : this(CredentialFormatError.NotWellFormed, "malformed")
    {
    }

    public CredentialFormatException(string message)
        : this(CredentialFormatError.NotWellFormed, message)
    {
    }

    public CredentialFormatException(string message, Exception innerException)
        : this(CredentialFormatError.NotWellFormed, message, 0, 0, innerException)
    {
    }

    public CredentialFormatError Error { get; }

    /// <summary>What is wrong, without the position.</summary>
    public string Detail { get; } = "";

    public int Line { get; }

    public int Column { get; }
}

/// <summary>Bounds on credentials read, so that no document makes reading or verifying slow or large.</summary>
public sealed record CredentialLimits
{
    public static CredentialLimits Default { get; } = new();

    /// <summary>
    /// The longest document in characters. A slice credential with the owner's and the slice's
    /// certificates is 10 to 20 KB; a delegation chain a few times that.
    /// </summary>
    public int MaxDocumentLength { get; init; } = 1024 * 1024;

    /// <summary>How deep elements may nest (the root is depth 0); a credential with its signature needs 6.</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>The most certificates a signature's <c>X509Data</c> may carry (the signer and its issuers).</summary>
    public int MaxCertificates { get; init; } = 8;

    /// <summary>The most privileges a credential may list.</summary>
    public int MaxPrivileges { get; init; } = 64;
}
