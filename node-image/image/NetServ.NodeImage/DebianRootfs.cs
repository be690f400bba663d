using System.Diagnostics;
using NetServ.Testbed.Linux;

namespace NetServ.NodeImage;

/// <summary>
/// The Debian 12 minbase root file system the Docker image is made from, as a tar under the build
/// output named by the hash of its inputs (suite, variant, mirror): made once by debootstrap through
/// the machine's apt mirror (about 90 s), reused after.
/// </summary>
internal static class DebianRootfs
{
    public const string Suite = "bookworm";
    public const string Variant = "minbase";

    /// <summary>The hash of the rootfs's inputs.</summary>
    public static string Hash(Uri mirror) =>
        new ContentHash().Add("suite", Suite).Add("variant", Variant).Add("mirror", mirror.ToString()).Add("pruned", string.Join(',', Pruned)).ToHex();

    /// <summary>What debootstrap leaves that an image does not need: the package lists and downloaded packages (about 90 MB).</summary>
    private static readonly string[] Pruned = ["var/lib/apt/lists", "var/cache/apt/archives"];

    /// <summary>The rootfs tar in <paramref name="cacheDirectory"/>, made when missing.</summary>
    public static string Ensure(string cacheDirectory, Uri mirror, TextWriter log)
    {
        var hash = Hash(mirror);
        var tar = Path.Combine(cacheDirectory, $"debian-{Suite}-{Variant}-{hash[..16]}.tar");
        if (File.Exists(tar))
        {
            return tar;
        }

        if (!CommandRunner.IsAvailable("debootstrap"))
        {
            throw new ImageBuildException("debootstrap is not installed (./lab image installs it)");
        }

        Directory.CreateDirectory(cacheDirectory);
        var root = tar + ".root";
        var partial = tar + ".partial";
        DeleteIfPresent(root);
        File.Delete(partial);
        log.WriteLine($"netserv-image: debootstrap --variant={Variant} {Suite} from {mirror} (about 90 s)");
        var watch = Stopwatch.StartNew();
        Run("debootstrap", [$"--variant={Variant}", Suite, root, mirror.ToString()], TimeSpan.FromMinutes(15));
        // apt in the image goes where debootstrap went; the lists are fetched anew when packages are added.
        File.WriteAllText(Path.Combine(root, "etc/apt/sources.list"), $"deb {mirror} {Suite} main\n");
        foreach (var directory in Pruned)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, directory)).Where(f => Path.GetFileName(f) != "lock"))
            {
                File.Delete(file);
            }
        }

        Run("tar", ["--numeric-owner", "-C", root, "-cf", partial, "."], TimeSpan.FromMinutes(5));
        File.Move(partial, tar);
        DeleteIfPresent(root);
        log.WriteLine($"netserv-image: rootfs {Path.GetFileName(tar)} made in {watch.Elapsed.TotalSeconds:0} s");
        return tar;
    }

    private static void Run(string file, string[] arguments, TimeSpan timeout)
    {
        var result = CommandRunner.Run(file, arguments, timeout);
        if (!result.Succeeded)
        {
            throw new ImageBuildException($"{file} failed (exit {result.ExitCode}): {Tail(result.StandardError + result.StandardOutput)}");
        }
    }

    private static void DeleteIfPresent(string directory)
    {
        if (Directory.Exists(directory))
        {
            // rm keeps to the tree: debootstrap may leave mounts of /proc under it on failure.
            CommandRunner.Run("rm", ["-rf", "--one-file-system", directory], TimeSpan.FromMinutes(2));
        }
    }

    internal static string Tail(string text) => text.Length <= 2000 ? text.Trim() : text[^2000..].Trim();
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
