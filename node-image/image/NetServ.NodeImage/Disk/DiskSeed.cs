namespace NetServ.NodeImage.Disk;

/// <summary>
/// The seed volume a machine booted from the disk image takes its operator's keys from: a small vfat disk labelled
/// <see cref="Label"/> with authorized_keys at its root (the recipe's netserv-disk-seed reads it at every boot). It lets
/// one built image serve any operator, where a key on the EFI system partition is fixed at build time.
/// </summary>
internal static class DiskSeed
{
    /// <summary>The volume label netserv-disk-seed looks for (vfat labels are 11 characters at most).</summary>
    public const string Label = "NETSERVSEED";

    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Writes the seed volume to <paramref name="path"/> holding <paramref name="authorizedKeys"/>; returns the path.</summary>
    public static async Task<string> CreateAsync(string path, string authorizedKeys, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(authorizedKeys);
        var keys = path + ".authorized_keys";
        await File.WriteAllTextAsync(keys, authorizedKeys.TrimEnd() + "\n", cancellationToken).ConfigureAwait(false);
        try
        {
            await ExternalTool.RunAsync("mkfs.vfat", ["-C", "-n", Label, path, "1440"], ToolTimeout, cancellationToken).ConfigureAwait(false);
            await ExternalTool.RunAsync("mcopy", ["-i", path, keys, "::/authorized_keys"], ToolTimeout, cancellationToken, Mtools.Environment).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(keys);
        }

        return path;
    }
}

/// <summary>mtools on image files: no check that the file's geometry is a floppy's.</summary>
internal static class Mtools
{
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string> { ["MTOOLS_SKIP_CHECK"] = "1" };
}
