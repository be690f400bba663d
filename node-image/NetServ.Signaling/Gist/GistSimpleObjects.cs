using System.Buffers.Binary;

namespace NetServ.Signaling.Gist;

/// <summary>Session-Identification (RFC 5971 A.3.2): a 128-bit value, chosen at random by the NSLP.</summary>
public sealed record GistSessionId(UInt128 Value) : GistObject
{
    public const int Length = 16;

    public override GistObjectType ObjectType => GistObjectType.SessionIdentification;

    /// <summary>Reads the 16 bytes in network order.</summary>
    public static GistSessionId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException("A session identifier has 16 bytes.", nameof(bytes));
        }

        return new GistSessionId(BinaryPrimitives.ReadUInt128BigEndian(bytes));
    }

    public void WriteBytes(Span<byte> destination) => BinaryPrimitives.WriteUInt128BigEndian(destination, Value);

    public override string ToString() => Value.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Query-Cookie (RFC 5971 A.3.6): opaque to everyone but its creator; a whole number of words.</summary>
public sealed record GistQueryCookie : GistObject
{
    public GistQueryCookie(GistBytes value) => Value = value;

    public override GistObjectType ObjectType => GistObjectType.QueryCookie;

    public GistBytes Value
    {
        get;
        init => field = GistObjectRules.RequireWords(value, nameof(Value));
    }
}

/// <summary>Responder-Cookie (RFC 5971 A.3.7): opaque to everyone but its creator; a whole number of words.</summary>
internal sealed record GistResponderCookie : GistObject
{
    public GistResponderCookie(GistBytes value) => Value = value;

    public override GistObjectType ObjectType => GistObjectType.ResponderCookie;

    public GistBytes Value
    {
        get;
        init => field = GistObjectRules.RequireWords(value, nameof(Value));
    }
}

/// <summary>
/// NSLP-Data (RFC 5971 A.3): the signalling application's message, opaque to GIST. Its length on the wire
/// is a whole number of words, so an NSLP whose messages are not (the NetServ NSLP is text) is padded with
/// zero bytes, and must know its own length: the NetServ NSLP's blank line and content-length do.
/// </summary>
public sealed record GistNslpData : GistObject
{
    public GistNslpData(GistBytes payload) => Payload = payload;

    public override GistObjectType ObjectType => GistObjectType.NslpData;

    /// <summary>The payload as carried, padding included.</summary>
    public GistBytes Payload
    {
        get;
        init => field = GistObjectRules.RequireWords(value, nameof(Payload));
    }

    /// <summary>Wraps an NSLP message of any length, zero-padding it to a whole number of words.</summary>
    public static GistNslpData FromNslpMessage(ReadOnlySpan<byte> message)
    {
        var padded = new byte[GistObjectRules.Pad(message.Length)];
        message.CopyTo(padded);
        return new GistNslpData(new GistBytes(padded));
    }
}

/// <summary>Hello-ID (RFC 5971 A.3): the 32-bit value that pairs an MA-Hello with its reply.</summary>
internal sealed record GistHelloId(uint Value) : GistObject
{
    public override GistObjectType ObjectType => GistObjectType.HelloId;
}

/// <summary>
/// NAT-Traversal (RFC 5971 A.3). This node does not traverse NATs, so the object is kept as it arrived
/// (its A/B flags and value) and written back unchanged.
/// </summary>
public sealed record GistNatTraversal : GistObject
{
    public GistNatTraversal(GistObjectAction action, GistBytes content)
    {
        Action = action;
        Content = content;
    }

    public override GistObjectType ObjectType => GistObjectType.NatTraversal;

    public GistObjectAction Action
    {
        get;
        init => field = value is GistObjectAction.Mandatory or GistObjectAction.Ignore or GistObjectAction.Forward
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "AB=11 is reserved.");
    }

    public GistBytes Content
    {
        get;
        init => field = GistObjectRules.RequireWords(value, nameof(Content));
    }
}
