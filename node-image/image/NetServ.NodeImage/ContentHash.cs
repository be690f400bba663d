using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NetServ.NodeImage;

/// <summary>
/// The hash of a build's inputs: file contents, relative paths, execute bits and named values, never
/// times, so an output is rebuilt exactly when something it is made from changed.
/// </summary>
internal sealed class ContentHash
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Adds a named value (a suite, a mirror, a version).</summary>
    public ContentHash Add(string name, string value)
    {
        Append($"value {name}={value}\n");
        return this;
    }

    /// <summary>Adds a file under <paramref name="name"/>: its content and whether it is executable.</summary>
    public ContentHash AddFile(string name, string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
        {
            Append($"link {name} {target}\n");
            return this;
        }

        var executable = (info.UnixFileMode & UnixFileMode.UserExecute) != 0;
        Append(string.Create(CultureInfo.InvariantCulture, $"file {name} {(executable ? 'x' : '-')} {info.Length}\n"));
        using var stream = File.OpenRead(path);
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            _hash.AppendData(buffer, 0, read);
        }

        return this;
    }

    /// <summary>Adds every file under <paramref name="directory"/> in path order, named <paramref name="name"/>/relative path.</summary>
    public ContentHash AddDirectory(string name, string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
                     .Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/'))
                     .Order(StringComparer.Ordinal))
        {
            AddFile($"{name}/{file}", Path.Combine(directory, file));
        }

        return this;
    }

    /// <summary>The hash so far, lowercase hex.</summary>
    public string ToHex() => Convert.ToHexStringLower(_hash.GetCurrentHash());

    private void Append(string text) => _hash.AppendData(Encoding.UTF8.GetBytes(text));
}
