namespace NetServ.OpenFlow;

/// <summary>Why an OpenFlow message could not be decoded or a peer could not be spoken to.</summary>
public enum OpenFlowErrorKind
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The input ends inside the header or inside a fixed-size part of the message.</summary>
    Truncated,

    /// <summary>The header's length is below eight, above the limit, or not the length of the input.</summary>
    BadMessageLength,

    /// <summary>A message other than HELLO has a version other than 1.3.</summary>
    BadVersion,

    /// <summary>The header's type is not an OpenFlow 1.3 message type.</summary>
    UnknownMessageType,

    /// <summary>A length inside the message (element, match, OXM, instruction, action, statistics entry) is impossible.</summary>
    BadLength,

    /// <summary>The match is not of type OFPMT_OXM, or an OXM field's length or mask does not fit the field.</summary>
    BadMatch,

    /// <summary>An instruction is malformed.</summary>
    BadInstruction,

    /// <summary>An action is malformed.</summary>
    BadAction,

    /// <summary>A field holds a value the specification does not define (command, reason, multipart type).</summary>
    BadValue,

    /// <summary>Version negotiation failed: the peer does not speak OpenFlow 1.3 (for example a 1.0-only switch).</summary>
    IncompatibleVersion,
}

/// <summary>
/// A decoding or negotiation error: what went wrong, in words, and where (byte offset into the decoded input,
/// or -1). <c>default</c> is "no error".
/// </summary>
public readonly struct OpenFlowError : IEquatable<OpenFlowError>
{
    private readonly string? _reason;

    public OpenFlowError(OpenFlowErrorKind kind, string reason, int offset = -1)
    {
        Kind = kind;
        _reason = reason;
        Offset = offset;
    }

    public OpenFlowErrorKind Kind { get; }

    public string Reason => _reason ?? string.Empty;

    /// <summary>The byte offset into the input where the fault was found, or -1.</summary>
    public int Offset { get; }

    public bool IsError => Kind != OpenFlowErrorKind.None;

    /// <summary>The type and code an ERROR message reports to the peer for this error, or null for none.</summary>
    public (OpenFlowErrorType Type, ushort Code)? ToErrorCode() => Kind switch
    {
        OpenFlowErrorKind.IncompatibleVersion => (OpenFlowErrorType.HelloFailed, (ushort)OpenFlowHelloFailedCode.Incompatible),
        OpenFlowErrorKind.BadVersion => (OpenFlowErrorType.BadRequest, (ushort)OpenFlowBadRequestCode.BadVersion),
        OpenFlowErrorKind.UnknownMessageType => (OpenFlowErrorType.BadRequest, (ushort)OpenFlowBadRequestCode.BadType),
        OpenFlowErrorKind.Truncated or OpenFlowErrorKind.BadMessageLength or OpenFlowErrorKind.BadLength
            => (OpenFlowErrorType.BadRequest, (ushort)OpenFlowBadRequestCode.BadLength),
        OpenFlowErrorKind.BadMatch => (OpenFlowErrorType.BadMatch, 0),
        OpenFlowErrorKind.BadInstruction => (OpenFlowErrorType.BadInstruction, 0),
        OpenFlowErrorKind.BadAction => (OpenFlowErrorType.BadAction, 0),
        OpenFlowErrorKind.BadValue => (OpenFlowErrorType.BadRequest, (ushort)OpenFlowBadRequestCode.BadType),
        _ => null,
    };

    public bool Equals(OpenFlowError other) => Kind == other.Kind && Reason == other.Reason && Offset == other.Offset;

    public override bool Equals(object? obj) => obj is OpenFlowError other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Kind, Reason, Offset);

    public static bool operator ==(OpenFlowError left, OpenFlowError right) => left.Equals(right);

    public static bool operator !=(OpenFlowError left, OpenFlowError right) => !left.Equals(right);

    public override string ToString() => Kind == OpenFlowErrorKind.None
        ? "no error"
        : Offset >= 0 ? $"{Kind} at byte {Offset}: {Reason}" : $"{Kind}: {Reason}";
}
