using System.Collections;
using System.Runtime.CompilerServices;

namespace NetServ.Signaling.Gist;

/// <summary>
/// An immutable run of bytes that compares by content, so that records holding cookies, NSLP payloads or
/// raw objects compare by value. <c>default</c> is empty.
/// </summary>
public readonly struct GistBytes : IEquatable<GistBytes>
{
    private readonly byte[]? _bytes;

    /// <summary>Copies <paramref name="bytes"/>.</summary>
    public GistBytes(ReadOnlySpan<byte> bytes) => _bytes = bytes.IsEmpty ? null : bytes.ToArray();

    public static GistBytes Empty => default;

    public int Length => _bytes?.Length ?? 0;

    public bool IsEmpty => Length == 0;

    public ReadOnlySpan<byte> Span => _bytes;

    public ReadOnlyMemory<byte> Memory => _bytes;

    public byte this[int index] => Span[index];

    /// <summary>Copies <paramref name="bytes"/>.</summary>
    public static implicit operator GistBytes(byte[] bytes) => new(bytes);

    public static GistBytes FromArray(byte[] bytes) => new(bytes);

    public byte[] ToArray() => Span.ToArray();

    public bool Equals(GistBytes other) => Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is GistBytes other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Span);
        return hash.ToHashCode();
    }

    public static bool operator ==(GistBytes left, GistBytes right) => left.Equals(right);

    public static bool operator !=(GistBytes left, GistBytes right) => !left.Equals(right);

    public override string ToString() => Length <= 32
        ? Convert.ToHexString(Span)
        : string.Concat(Convert.ToHexString(Span[..32]), "... (", Length.ToString(System.Globalization.CultureInfo.InvariantCulture), " bytes)");
}

/// <summary>
/// An immutable list that compares element by element, so that records holding lists compare by value.
/// <c>default</c> is empty. Build one with a collection expression: <c>[a, b]</c>.
/// </summary>
[CollectionBuilder(typeof(EquatableArray), nameof(EquatableArray.Create))]
public readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
    where T : IEquatable<T>
{
    private readonly T[]? _items;

    public EquatableArray(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var array = items.ToArray();
        _items = array.Length == 0 ? null : array;
    }

    internal EquatableArray(T[] items, bool owned) => _items = owned && items.Length > 0 ? items : null;

    public int Count => _items?.Length ?? 0;

    public bool IsEmpty => Count == 0;

    public T this[int index] => _items is null ? throw new ArgumentOutOfRangeException(nameof(index)) : _items[index];

    public ReadOnlySpan<T> AsSpan() => _items;

    public bool Equals(EquatableArray<T> other) =>
        AsSpan().SequenceEqual(other.AsSpan(), EqualityComparer<T>.Default);

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in AsSpan())
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? [])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"[{string.Join(", ", this)}]";
}

/// <summary>Builds <see cref="EquatableArray{T}"/> values (the target of collection expressions).</summary>
public static class EquatableArray
{
    public static EquatableArray<T> Create<T>(ReadOnlySpan<T> items)
        where T : IEquatable<T> => new(items.ToArray(), owned: true);
}
