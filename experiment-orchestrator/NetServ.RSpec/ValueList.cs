using System.Collections;
using System.Runtime.CompilerServices;

namespace NetServ.RSpec;

/// <summary>
/// An immutable list that compares by its items, so that records holding lists (a node's
/// interfaces, a link's properties) compare by value: a document read back after writing equals
/// the model it was written from. Build one with a collection expression: <c>[a, b]</c>.
/// </summary>
[CollectionBuilder(typeof(ValueList), nameof(ValueList.Create))]
public sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    private readonly T[] _items;

    internal ValueList(T[] items) => _items = items;

    /// <inheritdoc />
    public int Count => _items.Length;

    /// <inheritdoc />
    public T this[int index] => _items[index];

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Whether both lists hold equal items in the same order.</summary>
    public bool Equals(ValueList<T>? other) =>
        other is not null && _items.AsSpan().SequenceEqual(other._items, EqualityComparer<T>.Default);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ValueList<T>);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    /// <summary>The items, as <c>[a, b]</c>.</summary>
    public override string ToString() => $"[{string.Join(", ", _items)}]";
}

/// <summary>Creates <see cref="ValueList{T}"/>s.</summary>
public static class ValueList
{
    /// <summary>A list of a copy of <paramref name="items"/> (what collection expressions call).</summary>
    public static ValueList<T> Create<T>(ReadOnlySpan<T> items) => new(items.ToArray());

    /// <summary>A list of <paramref name="items"/>, in their order.</summary>
    public static ValueList<T> From<T>(IEnumerable<T> items) => new([.. items]);
}
