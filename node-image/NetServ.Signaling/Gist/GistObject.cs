namespace NetServ.Signaling.Gist;

/// <summary>A GIST object: one TLV in a message (RFC 5971 A.2, A.3).</summary>
public abstract record GistObject
{
    /// <summary>The Type of the object's TLV header.</summary>
    public abstract GistObjectType ObjectType { get; }
}

/// <summary>
/// An object of a type this codec does not know, kept byte for byte so that a node can forward it
/// (AB=10) or see what it dropped (AB=01). Objects with AB=00 or AB=11 never decode to this: they are errors.
/// </summary>
public sealed record GistUnknownObject : GistObject
{
    public GistUnknownObject(ushort type, GistObjectAction action, GistBytes content)
    {
        TypeValue = type;
        Action = action;
        Content = content;
    }

    /// <summary>The 12-bit type.</summary>
    public ushort TypeValue
    {
        get;
        init => field = value <= 0xFFF ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The object Type field has 12 bits.");
    }

    public override GistObjectType ObjectType => (GistObjectType)TypeValue;

    public GistObjectAction Action
    {
        get;
        init => field = (byte)value <= 3 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A and B are two bits.");
    }

    /// <summary>The value, without the TLV header: a whole number of 32-bit words.</summary>
    public GistBytes Content
    {
        get;
        init => field = GistObjectRules.RequireWords(value, nameof(Content));
    }

    /// <summary>Whether RFC 5971 A.2.1 asks a node that forwards the message to keep this object (AB=10).</summary>
    public bool MustBeForwarded => Action == GistObjectAction.Forward;
}

/// <summary>Checks shared by the object records.</summary>
internal static class GistObjectRules
{
    /// <summary>Object values are counted in 32-bit words, 12 bits of them.</summary>
    public static GistBytes RequireWords(GistBytes value, string name)
    {
        if (value.Length % 4 != 0)
        {
            throw new ArgumentException($"{name} must be a whole number of 32-bit words; it has {value.Length} bytes.", name);
        }

        if (value.Length > GistConstants.MaxObjectContentLength)
        {
            throw new ArgumentException($"{name} has {value.Length} bytes; an object holds at most {GistConstants.MaxObjectContentLength}.", name);
        }

        return value;
    }

    public static int Pad(int length) => (length + 3) & ~3;
}
