using Microsoft.Extensions.Logging;
using NetServ.NodeImage.Disk;

namespace NetServ.NodeImage;

/// <summary>
/// The Debian 12 minbase root file systems the outputs are made from, one step for all: debootstrap through the machine's
/// apt mirror with the output's package list (none for the Docker image, which installs packages.txt in its Dockerfile;
/// disk/packages for the disk), made once (about 90 s) into the build cache under the hash of its inputs, reused after.
/// </summary>
internal static partial class DebianRootfs
{
    public const string Suite = "bookworm";
    public const string Variant = "minbase";

    private static readonly TimeSpan DebootstrapTimeout = TimeSpan.FromMinutes(20);

    /// <summary>What debootstrap leaves that no output needs: the package lists and downloaded packages (about 90 MB).</summary>
    private static readonly string[] Pruned = ["var/lib/apt/lists", "var/cache/apt/archives"];

    /// <summary>The hash of a rootfs's inputs.</summary>
    public static string Key(Uri mirror, IReadOnlyList<string> packages)
    {
        using var hash = new ContentHash();
        return hash.Add("suite", Suite).Add("variant", Variant).Add("mirror", mirror.ToString())
            .Add("packages", string.Join('\n', packages)).Add("pruned", string.Join(',', Pruned)).ToHex();
    }

    /// <summary>The rootfs directory in <paramref name="cacheDirectory"/> with <paramref name="packages"/>, made when missing.</summary>
    public static async Task<string> EnsureAsync(string cacheDirectory, Uri mirror, IReadOnlyList<string> packages, ILogger logger, CancellationToken cancellationToken)
    {
        var root = Path.Combine(Path.GetFullPath(cacheDirectory), $"rootfs-{Suite}-{Key(mirror, packages)[..16]}");
        if (Directory.Exists(root))
        {
            return root;
        }

        Directory.CreateDirectory(cacheDirectory);
        var partial = root + ".partial";
        await DeleteIfPresentAsync(partial, cancellationToken).ConfigureAwait(false);
        var included = packages.Count == 0 ? "no more packages" : string.Join(",", packages);
        Log.Debootstrapping(logger, Variant, Suite, mirror, included);
        var started = TimeProvider.System.GetTimestamp();
        List<string> arguments = [$"--variant={Variant}"];
        if (packages.Count > 0)
        {
            arguments.Add("--include=" + string.Join(',', packages));
        }

        arguments.AddRange([Suite, partial, mirror.ToString()]);
        await ExternalTool.RunAsync("debootstrap", arguments, DebootstrapTimeout, cancellationToken, new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" }).ConfigureAwait(false);
        // apt on the node goes where debootstrap went; the lists are fetched anew when packages are added.
        await File.WriteAllTextAsync(Path.Combine(partial, "etc/apt/sources.list"), $"deb {mirror} {Suite} main\n", cancellationToken).ConfigureAwait(false);
        foreach (var directory in Pruned)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(partial, directory)).Where(f => Path.GetFileName(f) != "lock"))
            {
                File.Delete(file);
            }
        }

        Directory.Move(partial, root);
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        Log.Debootstrapped(logger, root, elapsed.TotalSeconds);
        return root;
    }

    private static async Task DeleteIfPresentAsync(string directory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(directory))
        {
            // rm keeps to the tree: debootstrap may leave mounts of /proc under it on failure.
            await ExternalTool.RunAsync("rm", ["-rf", "--one-file-system", directory], TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
        }
    }

    internal static string Tail(string text) => text.Length <= 2000 ? text.Trim() : text[^2000..].Trim();

    private static partial class Log
    {
        [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "rootfs: debootstrap --variant={Variant} {Suite} from {Mirror} with {Packages} (about 90 s)")]
        public static partial void Debootstrapping(ILogger logger, string variant, string suite, Uri mirror, string packages);

        [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "rootfs: {Path} made in {Seconds:0} s")]
        public static partial void Debootstrapped(ILogger logger, string path, double seconds);
    }
}

/// <summary>A build step that could not be done; its message says what and why.</summary>
public sealed class ImageBuildException : Exception
{
    public ImageBuildException()
    {
    }

    public ImageBuildException(string message)
        : base(message)
    {
    }

    public ImageBuildException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
