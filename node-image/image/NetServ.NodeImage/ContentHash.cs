using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NetServ.NodeImage;

/// <summary>
/// The SHA-256 of a build's inputs: named values and directory trees (each entry's relative path, mode and bytes, each
/// symlink's target), never times, in ordinal order, so an output is rebuilt exactly when something it is made from
/// changed, and the same inputs give the same hash on any machine. Every piece is length-prefixed, so content cannot
/// move between two pieces without changing the hash.
/// </summary>
internal sealed class ContentHash : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Adds a named value (a suite, a mirror, a version, a package list).</summary>
    public ContentHash Add(string name, string value)
    {
        Append(name);
        Append(value);
        return this;
    }

    /// <summary>Adds a file under <paramref name="name"/>: its content and mode, or a symlink's target.</summary>
    public ContentHash AddFile(string name, string path)
    {
        Append(name);
        AddEntry(new FileInfo(path));
        return this;
    }

    /// <summary>Adds every entry under <paramref name="directory"/> in ordinal path order, but those under a <paramref name="skipped"/> name.</summary>
    public ContentHash AddDirectory(string name, string directory, IReadOnlySet<string>? skipped = null)
    {
        Append(name);
        var root = new DirectoryInfo(directory);
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"{directory} does not exist");
        }

        var entries = root.EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false })
            .Select(entry => (Relative: Path.GetRelativePath(root.FullName, entry.FullName).Replace('\\', '/'), Entry: entry))
            .Where(e => skipped is null || !e.Relative.Split('/').Any(skipped.Contains))
            .OrderBy(e => e.Relative, StringComparer.Ordinal);
        foreach (var (relative, entry) in entries)
        {
            Append(relative);
            AddEntry(entry);
        }

        return this;
    }

    /// <summary>The hash so far, lowercase hex.</summary>
    public string ToHex() => Convert.ToHexStringLower(_hash.GetCurrentHash());

    public void Dispose() => _hash.Dispose();

    private void AddEntry(FileSystemInfo entry)
    {
        Append(((int)entry.UnixFileMode).ToString(CultureInfo.InvariantCulture));
        if (entry.LinkTarget is { } target)
        {
            Append("-> " + target);
        }
        else if (entry is FileInfo)
        {
            AddContent(entry.FullName);
        }
    }

    private void Append(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, bytes.Length);
        _hash.AppendData(length);
        _hash.AppendData(bytes);
    }

    private void AddContent(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Append(stream.Length.ToString(CultureInfo.InvariantCulture));
        var buffer = new byte[1 << 16];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            _hash.AppendData(buffer.AsSpan(0, read));
        }
    }
}
