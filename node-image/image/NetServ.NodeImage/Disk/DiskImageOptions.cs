namespace NetServ.NodeImage.Disk;

/// <summary>What the bootable disk is made from and where it goes.</summary>
internal sealed record DiskImageOptions
{
    /// <summary>A tree laid over the root filesystem as it is: opt/netserv/bin (netservd, netserv, ...), modules, apps.</summary>
    public required string PayloadDirectory { get; init; }

    /// <summary>The disk's own recipe: node-image/image/disk (packages, fstab, network, seed, boot loader entry).</summary>
    public required string RecipeDirectory { get; init; }

    /// <summary>The node's overlay every output takes: node-image/image/rootfs (netservd.service, netserv.json).</summary>
    public required string OverlayDirectory { get; init; }

    /// <summary>Where netserv-node-&lt;version&gt;.qcow2 is written.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The debootstrapped base root filesystems and the build's scratch space.</summary>
    public required string CacheDirectory { get; init; }

    public string Version { get; init; } = "1.0.0";

    /// <summary>The Debian mirror; by default the one this machine's apt is configured with.</summary>
    public Uri? Mirror { get; init; }

    /// <summary>An authorized_keys file put on the EFI system partition as the operator's keys (optional).</summary>
    public string? AuthorizedKeysFile { get; init; }

    /// <summary>Free space left in the root filesystem for the node's state and module cache.</summary>
    public long RootFreeBytes { get; init; } = 256L * 1024 * 1024;

    public string OutputPath => Path.Combine(OutputDirectory, $"netserv-node-{Version}.qcow2");
}

/// <summary>A disk build's outcome: the image, the hash of its inputs, and whether the cached image was reused.</summary>
internal sealed record DiskImageResult(string ImagePath, string InputsHash, bool Reused, long ImageBytes, TimeSpan Elapsed);
