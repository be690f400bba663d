using System.Collections;

namespace NetServ.Signaling.Nslp;

/// <summary>The <c>key:value</c> headers of an NSLP message, in order. Names are case-insensitive and stored in lower case.</summary>
public sealed class NslpHeaders : IEnumerable<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _items = [];

    /// <summary>The number of headers.</summary>
    public int Count => _items.Count;

    /// <summary>The value of the first header called <paramref name="name"/>, or <see langword="null"/>. Setting replaces every header of that name.</summary>
    public string? this[string name]
    {
        get
        {
            foreach (var item in _items)
            {
                if (string.Equals(item.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return item.Value;
                }
            }

            return null;
        }

        set
        {
            Remove(name);
            if (value is not null)
            {
                Add(name, value);
            }
        }
    }

    /// <summary>Appends a header.</summary>
    public void Add(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
        {
            throw new ArgumentException($"header '{name}' may not contain a line break", nameof(value));
        }

        _items.Add(new KeyValuePair<string, string>(name.Trim().ToLowerInvariant(), value));
    }

    /// <summary>Whether a header called <paramref name="name"/> is present.</summary>
    public bool Contains(string name) => this[name] is not null;

    /// <summary>Removes every header called <paramref name="name"/>.</summary>
    public void Remove(string name) =>
        _items.RemoveAll(item => string.Equals(item.Key, name, StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
