using System.Reflection;

namespace NetServ.NodeImage;

/// <summary>
/// The recipe in node-image/image/ (package list, Dockerfile, rootfs overlay, install.sh) and the
/// build output in artifacts/image/, found from the repository root.
/// </summary>
internal sealed class ImageRecipe
{
    public ImageRecipe(string repositoryRoot, string output)
    {
        RepositoryRoot = repositoryRoot;
        Output = output;
    }

    public string RepositoryRoot { get; }

    /// <summary>artifacts/image unless --output says otherwise.</summary>
    public string Output { get; }

    public string Directory => Path.Combine(RepositoryRoot, "node-image", "image");

    public string PackageList => Path.Combine(Directory, "packages.txt");

    public string Dockerfile => Path.Combine(Directory, "Dockerfile");

    /// <summary>The stock Debian 12 image's recipe (Dockerfile, entrypoint): a machine without NetServ, for the tarball's tests.</summary>
    public string StockDirectory => Path.Combine(Directory, "stock");

    public string InstallScript => Path.Combine(Directory, "install.sh");

    /// <summary>Files copied onto the node's root file system by every output (systemd unit, configuration, entrypoint).</summary>
    public string RootfsOverlay => Path.Combine(Directory, "rootfs");

    /// <summary>The disk's own files (packages, fstab, network, seed, boot loader).</summary>
    public string DiskRecipe => Path.Combine(Directory, "disk");

    public string Payload => PayloadLayout.In(Output);

    public string CacheDirectory => Path.Combine(Output, "cache");

    public string TarballPath => Path.Combine(Output, $"netserv-node-{Version}.tar.gz");

    /// <summary>The project's version (Directory.Build.props), which the image and tarball are named by.</summary>
    public static string Version { get; } = typeof(ImageRecipe).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";

    /// <summary>The Debian packages of a node, from packages.txt (comments and blank lines left out).</summary>
    public IReadOnlyList<string> Packages() => ParsePackages(File.ReadAllText(PackageList));

    internal static IReadOnlyList<string> ParsePackages(string text) =>
        [.. text.Split('\n').Select(line => line.Split('#')[0].Trim()).Where(line => line.Length > 0)];

    /// <summary>The repository root: the nearest directory above <paramref name="start"/> with NetServ.sln.</summary>
    public static string? FindRepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NetServ.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    /// <summary>The recipe of the repository this program was built from, or of the current directory's.</summary>
    public static ImageRecipe Locate(string? output)
    {
        var root = FindRepositoryRoot(Environment.CurrentDirectory)
                   ?? FindRepositoryRoot(AppContext.BaseDirectory)
                   ?? throw new ImageBuildException("cannot find the repository (NetServ.sln) above the current directory");
        return new ImageRecipe(root, Path.GetFullPath(output ?? Path.Combine(root, "artifacts", "image")));
    }

    /// <summary>The hash of what the recipe holds; the caller adds the rest of its inputs and disposes of it.</summary>
    public ContentHash HashRecipe() =>
        new ContentHash()
            .Add("version", Version)
            .AddFile("packages.txt", PackageList)
            .AddDirectory("rootfs", RootfsOverlay);

    internal static string InformationalVersion =>
        typeof(ImageRecipe).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? Version;
}
