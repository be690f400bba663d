using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace NetServ.NodeImage.Disk;

/// <summary><c>netserv-image disk</c>: builds the bootable disk image (or says it is up to date).</summary>
internal static class DiskCommands
{
    /// <summary>The disk of <c>netserv-image build</c>: the shared payload, the recipe's disk folder, the image's version.</summary>
    public static async Task<DiskImageResult> BuildAsync(ImageRecipe recipe, CancellationToken cancellationToken)
    {
        using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(console => console.SingleLine = true));
        var options = new DiskImageOptions
        {
            // PayloadLayout.In names <output>/payload/opt/netserv; the disk lays the whole payload tree over its root.
            PayloadDirectory = Path.Combine(recipe.Output, "payload"),
            RecipeDirectory = recipe.DiskRecipe,
            OverlayDirectory = recipe.RootfsOverlay,
            OutputDirectory = recipe.Output,
            CacheDirectory = recipe.CacheDirectory,
            Version = ImageRecipe.Version,
        };
        return await new DiskImageBuilder(options, TimeProvider.System, loggers.CreateLogger<DiskImageBuilder>()).BuildAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What <c>netserv-image check</c> says of the disk: its size packed and as the machine sees it (qemu-img info), the hash
    /// of its inputs, and what its root filesystem is made of.
    /// </summary>
    public static async Task CheckAsync(ImageRecipe recipe, TextWriter output, CancellationToken cancellationToken)
    {
        var path = Path.Combine(recipe.Output, $"netserv-node-{ImageRecipe.Version}.qcow2");
        if (!File.Exists(path))
        {
            await output.WriteLineAsync($"disk {path}: not built").ConfigureAwait(false);
            return;
        }

        var stamp = path + ".inputs";
        var inputs = File.Exists(stamp) ? (await File.ReadAllTextAsync(stamp, cancellationToken).ConfigureAwait(false)).Trim() : "none";
        string virtualSize;
        try
        {
            var info = await ExternalTool.RunAsync("qemu-img", ["info", "--output=json", path], TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            virtualSize = QemuImageInfo.Describe(info);
        }
        catch (ExternalToolException e)
        {
            virtualSize = $"qemu-img info failed: {e.Message}";
        }

        var packages = ImageRecipe.ParsePackages(await File.ReadAllTextAsync(Path.Combine(recipe.DiskRecipe, "packages"), cancellationToken).ConfigureAwait(false));
        var created = File.GetLastWriteTimeUtc(path).ToString("u", System.Globalization.CultureInfo.InvariantCulture);
        await output.WriteLineAsync($"disk {path}: {ImageCommands.Megabytes(new FileInfo(path).Length)} packed, {virtualSize}, created {created}, inputs {inputs[..Math.Min(16, inputs.Length)]}").ConfigureAwait(false);
        await output.WriteLineAsync($"  root filesystem: Debian {DebianRootfs.Suite} {DebianRootfs.Variant} + {packages.Count} packages ({string.Join(' ', packages)})").ConfigureAwait(false);
        await output.WriteLineAsync($"  and the payload{PayloadLayout.InstallRoot} above, the node's overlay (netservd.service, netserv.json), the disk's fstab, network, seed and boot loader").ConfigureAwait(false);
    }

    public static Command Create()
    {
        var payload = new Option<DirectoryInfo>("--payload") { Description = "the tree laid over the root filesystem (opt/netserv/bin, modules, apps)", Required = true };
        var recipe = new Option<DirectoryInfo>("--recipe") { Description = "the disk's own recipe", DefaultValueFactory = _ => new DirectoryInfo("node-image/image/disk") };
        var overlay = new Option<DirectoryInfo>("--overlay") { Description = "the node's overlay all outputs take", DefaultValueFactory = _ => new DirectoryInfo("node-image/image/rootfs") };
        var output = new Option<DirectoryInfo>("--output") { Description = "where netserv-node-<version>.qcow2 goes", DefaultValueFactory = _ => new DirectoryInfo("artifacts/image") };
        var cache = new Option<DirectoryInfo>("--cache") { Description = "debootstrapped root filesystems and scratch space", DefaultValueFactory = _ => new DirectoryInfo("artifacts/image/cache") };
        var version = new Option<string>("--version") { Description = "the image's version", DefaultValueFactory = _ => "1.0.0" };
        var mirror = new Option<string?>("--mirror") { Description = "the Debian mirror (default: the one apt is configured with)" };
        var keys = new Option<FileInfo?>("--authorized-keys") { Description = "the operator's public keys, put on the EFI system partition" };
        var command = new Command("disk", "Build the bootable disk image netserv-node-<version>.qcow2 (reused when no input changed)") { payload, recipe, overlay, output, cache, version, mirror, keys };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(console => console.SingleLine = true));
            var options = new DiskImageOptions
            {
                PayloadDirectory = result.GetValue(payload)!.FullName,
                RecipeDirectory = result.GetValue(recipe)!.FullName,
                OverlayDirectory = result.GetValue(overlay)!.FullName,
                OutputDirectory = result.GetValue(output)!.FullName,
                CacheDirectory = result.GetValue(cache)!.FullName,
                Version = result.GetValue(version)!,
                Mirror = result.GetValue(mirror) is { } uri ? new Uri(uri, UriKind.Absolute) : null,
                AuthorizedKeysFile = result.GetValue(keys)?.FullName,
            };
            try
            {
                var built = await new DiskImageBuilder(options, TimeProvider.System, loggers.CreateLogger<DiskImageBuilder>()).BuildAsync(cancellationToken).ConfigureAwait(false);
                result.InvocationConfiguration.Output.WriteLine($"{built.ImagePath} {built.ImageBytes >> 20} MiB{(built.Reused ? " (up to date)" : string.Empty)}");
                return 0;
            }
            catch (Exception e) when (e is ExternalToolException or InvalidOperationException or IOException)
            {
                result.InvocationConfiguration.Error.WriteLine($"netserv-image disk: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
