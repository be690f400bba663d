namespace NetServ.Signaling.Gist;

/// <summary>
/// The GIST Error object (RFC 5971 A.4.1): what went wrong with which message.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Error Class  |           Error Code          | Error Subcode |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |S|M|C|D|Q|       Reserved      |  MRI Length   |  Info Count   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 Common Header of original message             |  (two words)
/// :                 Session Id (S=1, 16 bytes)                    :
/// :                 MRI value (M=1, MRI Length words)             :
/// :                 Additional Information fields (Info Count)    :
/// :                 Debugging Comment (C=1)                       :
/// </code>
/// S, M and C follow from <see cref="SessionId"/>, <see cref="Mri"/> and <see cref="DebugComment"/>. The
/// session identifier and the MRI are carried as values without their TLV headers; MRI Length gives the
/// MRI's length in words. The comment is UTF-8, NUL-terminated and NUL-padded to a word.
/// </remarks>
internal sealed record GistErrorObject : GistObject
{
    public override GistObjectType ObjectType => GistObjectType.Error;

    public required GistErrorClass ErrorClass { get; init; }

    public required GistErrorCode ErrorCode { get; init; }

    public byte Subcode { get; init; }

    /// <summary>D: the offending message arrived in D-mode.</summary>
    public bool DatagramMode { get; init; }

    /// <summary>Q: the offending message arrived Q-mode encapsulated.</summary>
    public bool QModeEncapsulated { get; init; }

    /// <summary>The common header of the message in error, copied as received.</summary>
    public required GistCommonHeader OriginalHeader { get; init; }

    public GistSessionId? SessionId { get; init; }

    /// <summary>The MRI of the message in error; at most 255 words.</summary>
    public GistMessageRoutingInformation? Mri { get; init; }

    public EquatableArray<GistAdditionalInfo> AdditionalInfo
    {
        get;
        init => field = value.Count <= 255 ? value : throw new ArgumentException("Info Count has 8 bits: at most 255 fields.", nameof(value));
    }

    /// <summary>A human-readable comment; it may not contain NUL characters.</summary>
    public string? DebugComment
    {
        get;
        init => field = value is null || !value.Contains('\0', StringComparison.Ordinal)
            ? value
            : throw new ArgumentException("The debugging comment is NUL-terminated, so it cannot contain NUL.", nameof(value));
    }

    /// <summary>The error code in the catalogue's terms (RFC 5971 A.4.4).</summary>
    public GistRfcError RfcError => new(ErrorClass, ErrorCode, Subcode);
}

/// <summary>
/// An Additional Information field of an Error object (RFC 5971 A.4):
/// <code>
/// |            AI-Type            |           AI-Length           |
/// //                           AI-Value                          //  (AI-Length words)
/// </code>
/// </summary>
internal abstract record GistAdditionalInfo
{
    public abstract ushort AiType { get; }
}

/// <summary>Message Length Info (AI-Type 1): the message length computed from its objects, in words.</summary>
internal sealed record GistMessageLengthInfo(ushort CalculatedLength) : GistAdditionalInfo
{
    public const ushort Type = 1;

    public override ushort AiType => Type;
}

/// <summary>MTU Info (AI-Type 2): the IP MTU of the link a message could not be sent over, in bytes.</summary>
internal sealed record GistMtuInfo(ushort LinkMtu) : GistAdditionalInfo
{
    public const ushort Type = 2;

    public override ushort AiType => Type;
}

/// <summary>Object Type Info (AI-Type 3): the type of the object that caused the error.</summary>
internal sealed record GistObjectTypeInfo : GistAdditionalInfo
{
    public const ushort Type = 3;

    public GistObjectTypeInfo(ushort objectType) => ObjectType = objectType;

    public override ushort AiType => Type;

    /// <summary>A 12-bit object type, as in the TLV header.</summary>
    public ushort ObjectType
    {
        get;
        init => field = value <= 0xFFF ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Object types have 12 bits.");
    }
}

/// <summary>
/// Object Value Info (AI-Type 4): the offending object and where in it the fault is.
/// <code>
/// |  Rsv  |  Real Object Length   |            Offset             |
/// //                           Object                            //
/// </code>
/// Real Object Length is the object's true length (TLV header included) in words, which its own header may
/// misstate; it follows from <see cref="OffendingObject"/>.
/// </summary>
internal sealed record GistObjectValueInfo : GistAdditionalInfo
{
    public const ushort Type = 4;

    public GistObjectValueInfo(ushort offset, GistBytes offendingObject)
    {
        Offset = offset;
        OffendingObject = offendingObject;
    }

    public override ushort AiType => Type;

    /// <summary>The byte of the object at which the fault was found, from 0.</summary>
    public ushort Offset { get; init; }

    /// <summary>The offending object, TLV header included, as received.</summary>
    public GistBytes OffendingObject
    {
        get;
        init => field = GistObjectRules.RequireWords(value, nameof(OffendingObject));
    }
}

/// <summary>An Additional Information field of a type this codec does not know, kept as it arrived.</summary>
internal sealed record GistUnknownAdditionalInfo : GistAdditionalInfo
{
    public GistUnknownAdditionalInfo(ushort aiType, GistBytes value)
    {
        UnknownType = aiType;
        Value = value;
    }

    public ushort UnknownType { get; init; }

    public override ushort AiType => UnknownType;

    public GistBytes Value
    {
        get;
        init => field = value.Length % 4 == 0 && value.Length <= 0xFFFF * 4
            ? value
            : throw new ArgumentException("AI-Value is a whole number of words, at most 65535.", nameof(value));
    }
}
