namespace NetServ.Signaling.Gist;

/// <summary>Why a GIST message, object or carrying packet could not be decoded.</summary>
public enum GistErrorKind
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The input ends inside the magic number or the common header.</summary>
    Truncated,

    /// <summary>The first four bytes are not the GIST magic number.</summary>
    BadMagic,

    /// <summary>The Version field is not 1.</summary>
    UnknownVersion,

    /// <summary>The Type field is not a defined message type.</summary>
    UnknownMessageType,

    /// <summary>The R flag is set on a message that cannot be answered (Confirm, Error).</summary>
    InvalidRFlag,

    /// <summary>The E flag is set on a message other than Data.</summary>
    InvalidEFlag,

    /// <summary>The C flag is set on a message other than Query or Q-mode Data, or clear on a Query.</summary>
    InvalidCFlag,

    /// <summary>The Message Length field says more or fewer bytes than the input holds.</summary>
    MessageLengthMismatch,

    /// <summary>An object's header or its Length runs past the end of the message.</summary>
    ObjectOverrunsMessage,

    /// <summary>An object has the extensibility flags AB=11.</summary>
    InvalidExtensibilityFlags,

    /// <summary>An object of an unknown type has AB=00 (mandatory).</summary>
    UnrecognisedObject,

    /// <summary>An object appears twice; RFC 5971 allows every object only once.</summary>
    DuplicateObject,

    /// <summary>A mandatory object is absent, or one the grammar couples to a present object.</summary>
    MissingObject,

    /// <summary>A known object appears in a message type that does not carry it.</summary>
    InvalidObjectType,

    /// <summary>Known objects are not in the order the message grammar of RFC 5971 5.1 fixes.</summary>
    ObjectOutOfOrder,

    /// <summary>An object's Length does not match the length its own fields imply.</summary>
    IncorrectObjectLength,

    /// <summary>A field holds a value this node does not support (IPv6 addresses, another MRM, zero profiles).</summary>
    ValueNotSupported,

    /// <summary>An object's flags and fields contradict each other (Path-Coupled MRI rules).</summary>
    InvalidFlagFieldCombination,

    /// <summary>A Stack-Proposal lists no protocol at all.</summary>
    EmptyList,

    /// <summary>A Stack-Configuration-Data option refers to a profile the Stack-Proposal does not have.</summary>
    StackProposalConfigurationMismatch,

    /// <summary>The IPv4 or UDP framing of a raw packet is malformed.</summary>
    MalformedPacket,
}

/// <summary>The error classes of the GIST Error object (RFC 5971 A.4.1).</summary>
public enum GistErrorClass : byte
{
    Informational = 0,
    Success = 1,
    ProtocolError = 2,
    TransientFailure = 3,
    PermanentFailure = 4,
}

/// <summary>The error codes of the GIST error catalogue (RFC 5971 A.4.4).</summary>
public enum GistErrorCode : ushort
{
    CommonHeaderParseError = 1,
    HopLimitExceeded = 2,
    IncorrectEncapsulation = 3,
    IncorrectlyDeliveredMessage = 4,
    NoRoutingState = 5,
    UnknownNslpId = 6,
    EndpointFound = 7,
    MessageTooLarge = 8,
    ObjectTypeError = 9,
    ObjectValueError = 10,
    InvalidIpLayerTtl = 11,
    MriValidationFailure = 12,
}

/// <summary>The triple an Error message carries for a decoding error (RFC 5971 A.4.4).</summary>
public readonly record struct GistRfcError(GistErrorClass Class, GistErrorCode Code, byte Subcode);

/// <summary>
/// A decoding error: what went wrong, in words, where (byte offset into the decoded input, or -1), and which
/// object type it concerns, if any. <c>default</c> is "no error".
/// </summary>
public readonly struct GistError : IEquatable<GistError>
{
    private readonly string? _reason;

    public GistError(GistErrorKind kind, string reason, int offset = -1, GistObjectType? objectType = null)
    {
        Kind = kind;
        _reason = reason;
        Offset = offset;
        ObjectType = objectType;
    }

    public GistErrorKind Kind { get; }

    public string Reason => _reason ?? string.Empty;

    /// <summary>The byte offset into the input where the fault was found, or -1.</summary>
    public int Offset { get; }

    /// <summary>The object type at fault, for errors about one object.</summary>
    public GistObjectType? ObjectType { get; }

    public bool IsError => Kind != GistErrorKind.None;

    /// <summary>
    /// The error class, code and subcode an Error message reports for this decoding error, or null for errors
    /// that have no GIST Error message (bad magic, malformed IP framing, or none).
    /// </summary>
    public GistRfcError? ToRfcError()
    {
        const GistErrorClass P = GistErrorClass.ProtocolError;
        return Kind switch
        {
            GistErrorKind.UnknownVersion => new(P, GistErrorCode.CommonHeaderParseError, 0),
            GistErrorKind.UnknownMessageType => new(P, GistErrorCode.CommonHeaderParseError, 1),
            GistErrorKind.InvalidRFlag => new(P, GistErrorCode.CommonHeaderParseError, 2),
            GistErrorKind.Truncated or GistErrorKind.MessageLengthMismatch or GistErrorKind.ObjectOverrunsMessage
                => new(P, GistErrorCode.CommonHeaderParseError, 3),
            GistErrorKind.InvalidEFlag => new(P, GistErrorCode.CommonHeaderParseError, 4),
            GistErrorKind.InvalidCFlag => new(P, GistErrorCode.CommonHeaderParseError, 5),
            GistErrorKind.DuplicateObject => new(P, GistErrorCode.ObjectTypeError, 0),
            GistErrorKind.UnrecognisedObject => new(P, GistErrorCode.ObjectTypeError, 1),
            GistErrorKind.MissingObject => new(P, GistErrorCode.ObjectTypeError, 2),

            // RFC 5971 has no subcode for objects out of order; the object is "not valid" where it stands.
            GistErrorKind.InvalidObjectType or GistErrorKind.ObjectOutOfOrder => new(P, GistErrorCode.ObjectTypeError, 3),
            GistErrorKind.InvalidExtensibilityFlags => new(P, GistErrorCode.ObjectTypeError, 5),
            GistErrorKind.IncorrectObjectLength => new(P, GistErrorCode.ObjectValueError, 0),
            GistErrorKind.ValueNotSupported => new(P, GistErrorCode.ObjectValueError, 1),
            GistErrorKind.InvalidFlagFieldCombination => new(P, GistErrorCode.ObjectValueError, 2),
            GistErrorKind.EmptyList => new(P, GistErrorCode.ObjectValueError, 3),
            GistErrorKind.StackProposalConfigurationMismatch => new(P, GistErrorCode.ObjectValueError, 5),
            _ => null,
        };
    }

    public bool Equals(GistError other) =>
        Kind == other.Kind && Reason == other.Reason && Offset == other.Offset && ObjectType == other.ObjectType;

    public override bool Equals(object? obj) => obj is GistError other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Kind, Reason, Offset, ObjectType);

    public static bool operator ==(GistError left, GistError right) => left.Equals(right);

    public static bool operator !=(GistError left, GistError right) => !left.Equals(right);

    public override string ToString() => Kind == GistErrorKind.None
        ? "no error"
        : Offset >= 0 ? $"{Kind} at byte {Offset}: {Reason}" : $"{Kind}: {Reason}";
}
