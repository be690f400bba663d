using System.Collections;
using System.Runtime.CompilerServices;

namespace NetServ.OpenFlow;

/// <summary>
/// An immutable run of bytes that compares by content, so that messages holding packet data, OXM values or
/// unparsed bodies compare by value. <c>default</c> is empty.
/// </summary>
public readonly struct OpenFlowBytes : IEquatable<OpenFlowBytes>
{
    private readonly byte[]? _bytes;

    /// <summary>Copies <paramref name="bytes"/>.</summary>
    public OpenFlowBytes(ReadOnlySpan<byte> bytes) => _bytes = bytes.IsEmpty ? null : bytes.ToArray();

    public static OpenFlowBytes Empty => default;

    public int Length => _bytes?.Length ?? 0;

    public bool IsEmpty => Length == 0;

    public ReadOnlySpan<byte> Span => _bytes;

    public ReadOnlyMemory<byte> Memory => _bytes;

    /// <summary>Copies <paramref name="bytes"/>.</summary>
    public static implicit operator OpenFlowBytes(byte[] bytes) => new(bytes);

    public static OpenFlowBytes FromArray(byte[] bytes) => new(bytes);

    public bool Equals(OpenFlowBytes other) => Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is OpenFlowBytes other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Span);
        return hash.ToHashCode();
    }

    public static bool operator ==(OpenFlowBytes left, OpenFlowBytes right) => left.Equals(right);

    public static bool operator !=(OpenFlowBytes left, OpenFlowBytes right) => !left.Equals(right);

    public override string ToString() => Convert.ToHexString(Span[..Math.Min(Length, 32)]) + (Length > 32 ? $"... ({Length} bytes)" : string.Empty);
}

/// <summary>
/// An immutable list that compares element by element, so that messages holding lists of OXM fields, actions or
/// statistics compare by value. <c>default</c> is empty. Build one with a collection expression: <c>[a, b]</c>.
/// </summary>
[CollectionBuilder(typeof(ValueList), nameof(ValueList.Create))]
public readonly struct ValueList<T> : IEquatable<ValueList<T>>, IReadOnlyList<T>
{
    private readonly T[]? _items;

    internal ValueList(T[] items) => _items = items.Length == 0 ? null : items;

    public int Count => _items?.Length ?? 0;

    public T this[int index] => _items is null ? throw new ArgumentOutOfRangeException(nameof(index)) : _items[index];

    public ReadOnlySpan<T> AsSpan() => _items;

    public bool Equals(ValueList<T> other) => AsSpan().SequenceEqual(other.AsSpan(), EqualityComparer<T>.Default);

    public override bool Equals(object? obj) => obj is ValueList<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in AsSpan())
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(ValueList<T> left, ValueList<T> right) => left.Equals(right);

    public static bool operator !=(ValueList<T> left, ValueList<T> right) => !left.Equals(right);

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? [])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"[{string.Join(", ", this)}]";
}

/// <summary>Builds <see cref="ValueList{T}"/> values (the target of collection expressions).</summary>
public static class ValueList
{
    public static ValueList<T> Create<T>(ReadOnlySpan<T> items) => new(items.ToArray());
}
