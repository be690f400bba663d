using System.Security.Cryptography;
using System.Text;

namespace NetServ.NodeImage.Disk;

/// <summary>
/// The SHA-256 of a build's inputs: texts and directory trees (each file's path, mode and bytes, each symlink's target),
/// in ordinal order so the same inputs give the same hash on any machine.
/// </summary>
internal sealed class DiskInputsHash : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public DiskInputsHash AddText(string label, string text)
    {
        Add(label);
        Add(text);
        return this;
    }

    public DiskInputsHash AddFile(string label, string path)
    {
        Add(label);
        AddFileContent(path);
        return this;
    }

    public DiskInputsHash AddTree(string label, string directory)
    {
        Add(label);
        var root = new DirectoryInfo(directory);
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"{directory} does not exist");
        }

        var entries = root.EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false })
            .Select(entry => (Relative: Path.GetRelativePath(root.FullName, entry.FullName), Entry: entry))
            .OrderBy(e => e.Relative, StringComparer.Ordinal);
        foreach (var (relative, entry) in entries)
        {
            Add(relative);
            Add(((int)entry.UnixFileMode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (entry.LinkTarget is { } target)
            {
                Add("-> " + target);
            }
            else if (entry is FileInfo)
            {
                AddFileContent(entry.FullName);
            }
        }

        return this;
    }

    /// <summary>The hash so far as lower-case hex.</summary>
    public string ToHex() => Convert.ToHexStringLower(_hash.GetCurrentHash());

    public void Dispose() => _hash.Dispose();

    private void Add(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, bytes.Length);
        _hash.AppendData(length);
        _hash.AppendData(bytes);
    }

    private void AddFileContent(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Add(stream.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var buffer = new byte[1 << 16];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            _hash.AppendData(buffer.AsSpan(0, read));
        }
    }
}
