using System.Formats.Tar;

namespace NetServ.NodeImage;

/// <summary>Writes directories into tar archives in path order, so equal inputs give equal archives.</summary>
internal static class TarFiles
{
    /// <summary>
    /// Adds <paramref name="directory"/>'s tree as <paramref name="prefix"/>/… (directories and files, modes kept), without
    /// the entries named in <paramref name="skipped"/> (a source tree's .git, say).
    /// </summary>
    public static void AddDirectory(TarWriter writer, string directory, string prefix, IReadOnlySet<string>? skipped = null)
    {
        writer.WriteEntry(directory, prefix.TrimEnd('/') + "/");
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var name = $"{prefix.TrimEnd('/')}/{entry.Name}";
            if (skipped?.Contains(entry.Name) == true)
            {
                continue;
            }

            if (entry is DirectoryInfo && entry.LinkTarget is null)
            {
                AddDirectory(writer, entry.FullName, name, skipped);
            }
            else
            {
                writer.WriteEntry(entry.FullName, name);
            }
        }
    }

    /// <summary>Adds an empty directory.</summary>
    public static void AddEmptyDirectory(TarWriter writer, string name) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name.TrimEnd('/') + "/") { Mode = Executable, ModificationTime = DateTimeOffset.UnixEpoch });

    /// <summary>Adds a file made in memory.</summary>
    public static void AddText(TarWriter writer, string name, string text, UnixFileMode mode)
    {
        var data = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = data, Mode = mode, ModificationTime = DateTimeOffset.UnixEpoch });
    }

    public const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
}
