namespace NetServ.NodeImage;

/// <summary>
/// A Click source tree given with <c>--click-source</c>: the Docker image's click stage builds Click's userlevel driver
/// from it (configure --disable-linuxmodule --enable-userlevel, make in userlevel/) and the image keeps only the binary.
/// </summary>
internal sealed record ClickSource
{
    private ClickSource(string directory) => Directory = directory;

    /// <summary>What a checkout has that the build does not need.</summary>
    public static IReadOnlySet<string> Skipped { get; } = new HashSet<string>(StringComparer.Ordinal) { ".git" };

    public string Directory { get; }

    /// <summary>The tree at <paramref name="directory"/>; a folder that is not a Click source tree is refused, saying why.</summary>
    public static ClickSource Open(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new ImageBuildException($"--click-source {full}: no such folder");
        }

        if (!File.Exists(Path.Combine(full, "configure")) || !System.IO.Directory.Exists(Path.Combine(full, "userlevel")) || !System.IO.Directory.Exists(Path.Combine(full, "elements")))
        {
            throw new ImageBuildException($"--click-source {full}: not a Click source tree (it needs configure, userlevel/ and elements/; github.com/kohler/click)");
        }

        return new ClickSource(full);
    }
}
