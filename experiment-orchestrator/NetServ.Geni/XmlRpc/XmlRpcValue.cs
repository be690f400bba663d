using System.Globalization;

namespace NetServ.Geni.XmlRpc;

/// <summary>
/// One XML-RPC value: a scalar (int, boolean, string, double, dateTime.iso8601, base64, nil) or a
/// struct or an array. The <c>As…</c> accessors throw <see cref="XmlRpcTypeException"/> naming the
/// type found, so that a caller reading an answer gets "expected struct, got string", not a cast error.
/// </summary>
public abstract record XmlRpcValue
{
    private protected XmlRpcValue()
    {
    }

    /// <summary>The element name of this type in a document (<c>int</c>, <c>struct</c>…).</summary>
    public abstract string TypeName { get; }

    public static implicit operator XmlRpcValue(int value) => new XmlRpcInt(value);

    public static implicit operator XmlRpcValue(bool value) => value ? XmlRpcBoolean.True : XmlRpcBoolean.False;

    public static implicit operator XmlRpcValue(string value) => new XmlRpcString(value);

    public static implicit operator XmlRpcValue(double value) => new XmlRpcDouble(value);

    public static implicit operator XmlRpcValue(DateTime value) => new XmlRpcDateTime(value);

    public static implicit operator XmlRpcValue(byte[] value) => new XmlRpcBase64(value);

    public int AsInt() => As<XmlRpcInt>("int").Value;

    public bool AsBoolean() => As<XmlRpcBoolean>("boolean").Value;

    public string AsString() => As<XmlRpcString>("string").Value;

    public double AsDouble() => this is XmlRpcInt i ? i.Value : As<XmlRpcDouble>("double").Value;

    public DateTime AsDateTime() => As<XmlRpcDateTime>("dateTime.iso8601").Value;

    public ReadOnlyMemory<byte> AsBase64() => As<XmlRpcBase64>("base64").Value;

    public XmlRpcStruct AsStruct() => As<XmlRpcStruct>("struct");

    public IReadOnlyList<XmlRpcValue> AsArray() => As<XmlRpcArray>("array").Items;

    public bool IsNil => this is XmlRpcNil;

    private T As<T>(string expected)
        where T : XmlRpcValue
        => this as T ?? throw new XmlRpcTypeException($"expected {expected}, got {Describe()}");

    /// <summary>The type and, for scalars, a short form of the value: for messages.</summary>
    internal string Describe() => this switch
    {
        XmlRpcString s => s.Value.Length <= 40 ? $"string \"{s.Value}\"" : $"string \"{s.Value[..40]}…\"",
        XmlRpcStruct s => $"struct with {s.Count} members",
        XmlRpcArray a => $"array of {a.Items.Count}",
        XmlRpcBase64 b => $"base64 of {b.Value.Length} bytes",
        XmlRpcNil => "nil",
        _ => $"{TypeName} {ToString()}",
    };
}

/// <summary>A value of an unexpected type where a caller asked for another.</summary>
public sealed class XmlRpcTypeException : InvalidOperationException
{
    public XmlRpcTypeException(string message)
        : base(message)
    {
    }

    public XmlRpcTypeException()
    {
    }

    public XmlRpcTypeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary><c>&lt;i4&gt;</c> or <c>&lt;int&gt;</c>: a 32-bit signed integer.</summary>
public sealed record XmlRpcInt(int Value) : XmlRpcValue
{
    public override string TypeName => "int";

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary><c>&lt;boolean&gt;</c>: 0 or 1 in a document.</summary>
public sealed record XmlRpcBoolean(bool Value) : XmlRpcValue
{
    public static XmlRpcBoolean True { get; } = new(true);

    public static XmlRpcBoolean False { get; } = new(false);

    public override string TypeName => "boolean";

    public override string ToString() => Value ? "1" : "0";
}

/// <summary><c>&lt;string&gt;</c>, or text in a <c>&lt;value&gt;</c> without a type element.</summary>
public sealed record XmlRpcString(string Value) : XmlRpcValue
{
    public override string TypeName => "string";

    public override string ToString() => Value;
}

/// <summary><c>&lt;double&gt;</c>: a double-precision float.</summary>
public sealed record XmlRpcDouble(double Value) : XmlRpcValue
{
    public override string TypeName => "double";

    public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// <c>&lt;dateTime.iso8601&gt;</c>. The spec's form (<c>19980717T14:08:55</c>) has no time zone and
/// reads as <see cref="DateTimeKind.Unspecified"/>; a time with <c>Z</c> or an offset (as GENI
/// aggregates send) reads as <see cref="DateTimeKind.Utc"/>.
/// </summary>
public sealed record XmlRpcDateTime(DateTime Value) : XmlRpcValue
{
    public override string TypeName => "dateTime.iso8601";

    public override string ToString() => XmlRpcScalars.FormatDateTime(Value);
}

/// <summary><c>&lt;base64&gt;</c>: bytes. Equal when the bytes are equal.</summary>
public sealed record XmlRpcBase64(ReadOnlyMemory<byte> Value) : XmlRpcValue
{
    public XmlRpcBase64(byte[] value)
        : this(new ReadOnlyMemory<byte>(value))
    {
    }

    public override string TypeName => "base64";

    public bool Equals(XmlRpcBase64? other) => other is not null && Value.Span.SequenceEqual(other.Value.Span);

    public override int GetHashCode() => Value.Length;

    public override string ToString() => Convert.ToBase64String(Value.Span);
}

/// <summary><c>&lt;nil/&gt;</c>, the extension Python and most servers understand.</summary>
public sealed record XmlRpcNil : XmlRpcValue
{
    public static XmlRpcNil Instance { get; } = new();

    public override string TypeName => "nil";

    public override string ToString() => "nil";
}

/// <summary><c>&lt;array&gt;</c>: values in order. Equal when the items are equal in order.</summary>
public sealed record XmlRpcArray(IReadOnlyList<XmlRpcValue> Items) : XmlRpcValue
{
    public XmlRpcArray(params XmlRpcValue[] items)
        : this((IReadOnlyList<XmlRpcValue>)items)
    {
    }

    public override string TypeName => "array";

    public bool Equals(XmlRpcArray? other) => other is not null && Items.SequenceEqual(other.Items);

    public override int GetHashCode() => Items.Count;

    public override string ToString() => $"[{string.Join(", ", Items)}]";
}
