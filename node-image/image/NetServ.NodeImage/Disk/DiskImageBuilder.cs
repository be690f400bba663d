using Microsoft.Extensions.Logging;

namespace NetServ.NodeImage.Disk;

/// <summary>
/// Builds the bootable disk netserv-node-&lt;version&gt;.qcow2 without loop devices or mounts: a Debian root filesystem
/// (<see cref="DebianRootfs"/> with the disk's package list), the payload, the node's overlay and the disk's own files laid over it, an ext4 made
/// from that tree (<c>mkfs.ext4 -d</c>), an EFI system partition with systemd-boot, the kernel and its initrd
/// (<c>mkfs.vfat</c> + mtools), a GPT (<c>sfdisk</c> on a plain file), and <c>qemu-img convert -c</c>.
/// Nothing changed since the last build (same hash of every input) → the image is reused in seconds.
/// </summary>
internal sealed partial class DiskImageBuilder(DiskImageOptions options, TimeProvider timeProvider, ILogger<DiskImageBuilder> logger)
{
    /// <summary>Changes when the way the disk is made changes, so an older build's cache is not reused.</summary>
    private const string FormatVersion = "netserv-disk-1";

    private const string RootLabel = "netserv-root";
    private const string EspLabel = "NETSERV-ESP";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);

    public async Task<DiskImageResult> BuildAsync(CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var mirror = options.Mirror ?? AptSource.FindConfiguredMirror(DebianRootfs.Suite)
            ?? throw new InvalidOperationException($"no Debian mirror for {DebianRootfs.Suite} in {AptSource.AptDirectory}; give one with --mirror");
        var packages = ImageRecipe.ParsePackages(await File.ReadAllTextAsync(Path.Combine(options.RecipeDirectory, "packages"), cancellationToken).ConfigureAwait(false));
        var inputs = InputsHash(DebianRootfs.Key(mirror, packages));
        var output = options.OutputPath;
        var stamp = output + ".inputs";
        if (File.Exists(output) && File.Exists(stamp) && (await File.ReadAllTextAsync(stamp, cancellationToken).ConfigureAwait(false)).Trim() == inputs)
        {
            Log.Reused(logger, output, inputs);
            return new DiskImageResult(output, inputs, Reused: true, new FileInfo(output).Length, timeProvider.GetElapsedTime(started));
        }

        Directory.CreateDirectory(options.CacheDirectory);
        Directory.CreateDirectory(options.OutputDirectory);
        var baseRoot = await DebianRootfs.EnsureAsync(options.CacheDirectory, mirror, packages, logger, cancellationToken).ConfigureAwait(false);
        // Scratch space beside the cache, not in /tmp: a root filesystem and a raw disk of a gigabyte may not fit there.
        var work = Directory.CreateDirectory(Path.Combine(Path.GetFullPath(options.CacheDirectory), $"disk-work-{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName;
        try
        {
            var root = Path.Combine(work, "root");
            await CopyTreeAsync(baseRoot, root, cancellationToken).ConfigureAwait(false);
            await CopyTreeAsync(options.PayloadDirectory, root, cancellationToken).ConfigureAwait(false);
            var boot = DiskRootCustomizer.Apply(root, options.RecipeDirectory, options.OverlayDirectory);

            var esp = Path.Combine(work, "esp.img");
            var espSize = await MakeEspAsync(esp, boot, cancellationToken).ConfigureAwait(false);
            var rootImage = Path.Combine(work, "root.img");
            var rootSize = DiskLayout.RootSizeFor(DiskRootCustomizer.UsedBytes(root), options.RootFreeBytes);
            Log.MakingRootFilesystem(logger, rootSize >> 20);
            await ExternalTool.RunAsync("mkfs.ext4", ["-q", "-F", "-L", RootLabel, "-d", root, rootImage, $"{rootSize / 1024}k"], StepTimeout, cancellationToken).ConfigureAwait(false);
            Directory.Delete(root, recursive: true);

            var layout = DiskLayout.Create(espSize, rootSize);
            var raw = Path.Combine(work, "disk.raw");
            await using (var file = new FileStream(raw, FileMode.CreateNew, FileAccess.Write))
            {
                file.SetLength(layout.TotalSize);
            }

            Log.WritingPartitionTable(logger, layout.TotalSize >> 20);
            await ExternalTool.RunAsync("sfdisk", ["--quiet", "--no-reread", "--no-tell-kernel", raw], StepTimeout, cancellationToken, standardInput: layout.SfdiskScript()).ConfigureAwait(false);
            await SparseCopy.IntoAsync(esp, raw, layout.EspOffset, cancellationToken).ConfigureAwait(false);
            await SparseCopy.IntoAsync(rootImage, raw, layout.RootOffset, cancellationToken).ConfigureAwait(false);

            Log.Converting(logger);
            var partial = Path.Combine(work, "disk.qcow2");
            await ExternalTool.RunAsync("qemu-img", ["convert", "-c", "-O", "qcow2", raw, partial], StepTimeout, cancellationToken).ConfigureAwait(false);
            File.Delete(stamp);
            File.Move(partial, output, overwrite: true);
            await File.WriteAllTextAsync(stamp, inputs + "\n", cancellationToken).ConfigureAwait(false);
            var result = new DiskImageResult(output, inputs, Reused: false, new FileInfo(output).Length, timeProvider.GetElapsedTime(started));
            Log.Built(logger, output, result.ImageBytes >> 20, result.Elapsed.TotalSeconds);
            return result;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private string InputsHash(string rootfsKey)
    {
        using var hash = new ContentHash();
        hash.Add("format", FormatVersion).Add("rootfs", rootfsKey).Add("version", options.Version)
            .AddDirectory("recipe", options.RecipeDirectory).AddDirectory("overlay", options.OverlayDirectory).AddDirectory("payload", options.PayloadDirectory);
        if (options.AuthorizedKeysFile is { } keys)
        {
            hash.AddFile("authorized_keys", keys);
        }

        return hash.ToHex();
    }

    private static async Task CopyTreeAsync(string source, string destination, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(destination);
        await ExternalTool.RunAsync("cp", ["-a", "--reflink=auto", Path.Combine(source, "."), destination], StepTimeout, cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> MakeEspAsync(string esp, DiskRootCustomizer.BootFiles boot, CancellationToken cancellationToken)
    {
        var recipe = options.RecipeDirectory;
        var contents = new List<(string Source, string Target)>
        {
            (boot.Bootloader, "::/EFI/BOOT/BOOTX64.EFI"),
            (Path.Combine(recipe, "loader.conf"), "::/loader/loader.conf"),
            (Path.Combine(recipe, "netserv.conf"), "::/loader/entries/netserv.conf"),
            (boot.Kernel, "::/vmlinuz"),
            (boot.Initrd, "::/initrd.img"),
        };
        if (options.AuthorizedKeysFile is { } keys)
        {
            contents.Add((keys, "::/netserv/authorized_keys"));
        }

        var used = contents.Sum(c => new FileInfo(c.Source).Length);
        var size = Math.Max(64L << 20, DiskLayout.AlignUp(used + (used / 5) + (8L << 20)));
        Log.MakingEsp(logger, size >> 20);
        await ExternalTool.RunAsync("mkfs.vfat", ["-C", "-n", EspLabel, esp, (size / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)], StepTimeout, cancellationToken).ConfigureAwait(false);
        await ExternalTool.RunAsync("mmd", ["-i", esp, "::/EFI", "::/EFI/BOOT", "::/loader", "::/loader/entries", "::/netserv"], StepTimeout, cancellationToken, Mtools.Environment).ConfigureAwait(false);
        foreach (var (source, target) in contents)
        {
            await ExternalTool.RunAsync("mcopy", ["-i", esp, source, target], StepTimeout, cancellationToken, Mtools.Environment).ConfigureAwait(false);
        }

        return size;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "disk: {Path} is up to date (inputs {Hash})")]
        public static partial void Reused(ILogger logger, string path, string hash);

        [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "disk: built {Path} ({Megabytes} MiB) in {Seconds:0.0} s")]
        public static partial void Built(ILogger logger, string path, long megabytes, double seconds);

        [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "disk: mkfs.vfat + mcopy: EFI system partition of {Megabytes} MiB")]
        public static partial void MakingEsp(ILogger logger, long megabytes);

        [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "disk: mkfs.ext4 -d: root filesystem of {Megabytes} MiB")]
        public static partial void MakingRootFilesystem(ILogger logger, long megabytes);

        [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "disk: sfdisk: GPT on a disk of {Megabytes} MiB")]
        public static partial void WritingPartitionTable(ILogger logger, long megabytes);

        [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "disk: qemu-img convert -c -O qcow2")]
        public static partial void Converting(ILogger logger);
    }
}
