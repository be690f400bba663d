using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace NetServ.NodeImage;

/// <summary>What a tarball build gave.</summary>
internal sealed record TarballResult(string Path, string ContentHash, bool Reused, long SizeBytes, TimeSpan Elapsed);

/// <summary>
/// netserv-node-VERSION.tar.gz: one top directory netserv/ holding the payload, install.sh and the
/// recipe's package list and rootfs overlay under image/, so unpacking it into /opt (a GENI install
/// service's install_path) gives /opt/netserv/install.sh. A hash file beside it names its inputs.
/// </summary>
internal static class InstallTarball
{
    public const string TopDirectory = "netserv";

    public static TarballResult Build(ImageRecipe recipe, bool click)
    {
        var watch = Stopwatch.StartNew();
        var missing = PayloadLayout.Missing(recipe.Payload);
        if (missing.Count > 0)
        {
            throw new ImageBuildException($"the payload in {recipe.Payload} lacks {string.Join(", ", missing)}: run ./lab image (or netserv-image payload)");
        }

        using var inputs = recipe.HashRecipe();
        var hash = inputs
            .Add("features", DockerImageBuilder.Features(click))
            .AddFile("install.sh", recipe.InstallScript)
            .AddDirectory("payload", recipe.Payload)
            .ToHex();
        var path = recipe.TarballPath;
        var hashFile = path + ".content-hash";
        if (File.Exists(path) && File.Exists(hashFile) && File.ReadAllText(hashFile).Trim() == hash)
        {
            return new TarballResult(path, hash, Reused: true, new FileInfo(path).Length, watch.Elapsed);
        }

        Directory.CreateDirectory(recipe.Output);
        var partial = path + ".partial";
        using (var file = File.Create(partial))
        using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            TarFiles.AddDirectory(writer, recipe.Payload, TopDirectory);
            writer.WriteEntry(recipe.InstallScript, $"{TopDirectory}/install.sh");
            writer.WriteEntry(recipe.PackageList, $"{TopDirectory}/image/packages.txt");
            TarFiles.AddDirectory(writer, recipe.RootfsOverlay, $"{TopDirectory}/image/rootfs");
            TarFiles.AddText(writer, $"{TopDirectory}/{PayloadLayout.FeaturesFile}", DockerImageBuilder.Features(click), TarFiles.Readable);
        }

        File.Move(partial, path, overwrite: true);
        File.WriteAllText(hashFile, hash + "\n");
        return new TarballResult(path, hash, Reused: false, new FileInfo(path).Length, watch.Elapsed);
    }
}
