using System.Security.Cryptography;
using System.Text;

namespace NetServ.Apps.ActiveCdn;

/// <summary>An object in the cache: its file, length and media type.</summary>
internal sealed record CachedObject(string Key, string FilePath, long Length, string ContentType);

/// <summary>
/// The objects ActiveCDN holds, one file each in its cache directory, bounded in bytes and evicted
/// least-recently-used first. Readers open an object's file under the lock, so eviction may delete
/// it at any time after: an open file outlives its name.
/// </summary>
internal sealed class ContentCache
{
    private readonly string _directory;
    private readonly Dictionary<string, LinkedListNode<CachedObject>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<CachedObject> _recency = [];
    private readonly Lock _lock = new();
    private long _bytes;
    private long _evictions;
    private long _temporaries;

    /// <summary>Starts an empty cache in <paramref name="directory"/>, removing whatever an earlier run left there.</summary>
    public ContentCache(string directory, long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        _directory = directory;
        CapacityBytes = capacityBytes;
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
    }

    public long CapacityBytes { get; }

    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>Whether <paramref name="key"/> is cached, without counting as a use.</summary>
    public bool Contains(string key)
    {
        lock (_lock)
        {
            return _entries.ContainsKey(key);
        }
    }

    /// <summary>Opens the cached object <paramref name="key"/> for reading and marks it recently used; null when absent.</summary>
    public (CachedObject Object, FileStream Stream)? TryOpen(string key)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var node))
            {
                return null;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return (node.Value, OpenRead(node.Value.FilePath));
        }
    }

    /// <summary>A fresh file name in the cache directory for an object being filled.</summary>
    public string NewTemporaryPath() =>
        Path.Combine(_directory, $"fill-{Interlocked.Increment(ref _temporaries)}.tmp");

    /// <summary>
    /// Moves the finished file <paramref name="file"/> into the cache as <paramref name="key"/> and
    /// evicts until the cache fits its bound. An object larger than the whole cache is not kept.
    /// Returns whether it was kept.
    /// </summary>
    public bool Add(string key, string file, string contentType)
    {
        var length = new FileInfo(file).Length;
        if (length > CapacityBytes)
        {
            File.Delete(file);
            return false;
        }

        var path = Path.Combine(_directory, FileNameOf(key));
        lock (_lock)
        {
            if (_entries.Remove(key, out var old))
            {
                _recency.Remove(old);
                _bytes -= old.Value.Length;
            }

            File.Move(file, path, overwrite: true);
            _entries[key] = _recency.AddFirst(new CachedObject(key, path, length, contentType));
            _bytes += length;
            while (_bytes > CapacityBytes && _recency.Last is { } victim)
            {
                _recency.RemoveLast();
                _entries.Remove(victim.Value.Key);
                _bytes -= victim.Value.Length;
                File.Delete(victim.Value.FilePath);
                Interlocked.Increment(ref _evictions);
            }
        }

        return true;
    }

    /// <summary>Opens a file for reading while another writer may still be appending to it.</summary>
    public static FileStream OpenRead(string path) =>
        new(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete, Options = FileOptions.Asynchronous | FileOptions.SequentialScan });

    // Keys are request targets chosen by clients: never a file name of their own.
    private static string FileNameOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
