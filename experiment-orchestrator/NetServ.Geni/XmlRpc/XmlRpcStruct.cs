using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace NetServ.Geni.XmlRpc;

/// <summary>
/// <c>&lt;struct&gt;</c>: named members, in document order, names unique. The <c>Get…</c> accessors
/// throw <see cref="XmlRpcTypeException"/> naming the member when it is missing or of another
/// type. Equal when the same names have equal values, in any order.
/// </summary>
[SuppressMessage("Naming", "CA1710", Justification = "Named for the XML-RPC type it is, like its siblings XmlRpcArray and XmlRpcString.")]
public sealed record XmlRpcStruct : XmlRpcValue, IReadOnlyCollection<KeyValuePair<string, XmlRpcValue>>
{
    private readonly List<KeyValuePair<string, XmlRpcValue>> members = [];
    private readonly Dictionary<string, XmlRpcValue> byName = new(StringComparer.Ordinal);

    public XmlRpcStruct()
    {
    }

    /// <exception cref="ArgumentException">Two members have the same name.</exception>
    public XmlRpcStruct(IEnumerable<KeyValuePair<string, XmlRpcValue>> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        foreach (var (name, value) in members)
        {
            Add(name, value);
        }
    }

    public override string TypeName => "struct";

    public int Count => members.Count;

    public IEnumerable<string> Names => members.Select(m => m.Key);

    /// <exception cref="XmlRpcTypeException">There is no member <paramref name="name"/>.</exception>
    public XmlRpcValue this[string name]
        => byName.TryGetValue(name, out var value) ? value : throw new XmlRpcTypeException($"the struct has no member \"{name}\" (it has: {string.Join(", ", Names)})");

    /// <summary>Adds a member; for building a struct with a collection initializer.</summary>
    /// <exception cref="ArgumentException">A member of that name is already there.</exception>
    public void Add(string name, XmlRpcValue value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!byName.TryAdd(name, value))
        {
            throw new ArgumentException($"the struct already has a member \"{name}\"", nameof(name));
        }

        members.Add(new(name, value));
    }

    public bool Contains(string name) => byName.ContainsKey(name);

    public bool TryGetValue(string name, [NotNullWhen(true)] out XmlRpcValue? value) => byName.TryGetValue(name, out value);

    public string GetString(string name) => Member(name, v => v.AsString());

    public int GetInt(string name) => Member(name, v => v.AsInt());

    public bool GetBoolean(string name) => Member(name, v => v.AsBoolean());

    public DateTime GetDateTime(string name) => Member(name, v => v.AsDateTime());

    public XmlRpcStruct GetStruct(string name) => Member(name, v => v.AsStruct());

    public IReadOnlyList<XmlRpcValue> GetArray(string name) => Member(name, v => v.AsArray());

    /// <summary>The member's string, or <see langword="null"/> when it is missing or nil.</summary>
    public string? GetStringOrNull(string name)
        => TryGetValue(name, out var value) && !value.IsNil ? Member(name, v => v.AsString()) : null;

    public IEnumerator<KeyValuePair<string, XmlRpcValue>> GetEnumerator() => members.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(XmlRpcStruct? other)
    {
        if (other is null || other.Count != Count)
        {
            return false;
        }

        foreach (var (name, value) in members)
        {
            if (!other.byName.TryGetValue(name, out var theirs) || !value.Equals(theirs))
            {
                return false;
            }
        }

        return true;
    }

    public override int GetHashCode() => Count;

    public override string ToString() => $"{{{string.Join(", ", members.Select(m => $"{m.Key}: {m.Value}"))}}}";

    private T Member<T>(string name, Func<XmlRpcValue, T> read)
    {
        var value = this[name];
        try
        {
            return read(value);
        }
        catch (XmlRpcTypeException e)
        {
            throw new XmlRpcTypeException($"member \"{name}\": {e.Message}", e);
        }
    }
}
