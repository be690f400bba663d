namespace NetServ.Node.Control;

/// <summary>The last <c>kept</c> entries, newest first, safe to add to and read from any thread.</summary>
internal sealed class RecentList<T>(int kept)
{
    private readonly LinkedList<T> _entries = new();

    public void Add(T entry)
    {
        lock (_entries)
        {
            _entries.AddFirst(entry);
            while (_entries.Count > kept)
            {
                _entries.RemoveLast();
            }
        }
    }

    /// <summary>The entries, newest first; those <paramref name="include"/> accepts, or all.</summary>
    public IReadOnlyList<T> Snapshot(Func<T, bool>? include = null)
    {
        lock (_entries)
        {
            return include is null ? [.. _entries] : [.. _entries.Where(include)];
        }
    }
}
