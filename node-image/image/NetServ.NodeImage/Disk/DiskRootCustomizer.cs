namespace NetServ.NodeImage.Disk;

/// <summary>
/// Turns a debootstrapped tree (with the payload laid over it) into the disk's root filesystem: the node's overlay (the
/// files every output has) and the disk's own files in place, their units enabled, and nothing one machine must not share
/// with another (SSH host keys, machine id).
/// Works on the tree only — no chroot, no mounts — so systemd units are enabled by their symlinks.
/// </summary>
internal static class DiskRootCustomizer
{
    private const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>The disk's own file → where it goes in the root filesystem; the service units with the target that wants them.</summary>
    private static readonly (string Recipe, string Target, string? WantedBy)[] RecipeFiles =
    [
        ("fstab", "etc/fstab", null),
        ("interfaces", "etc/network/interfaces", null),
        ("hostname", "etc/hostname", null),
        ("netserv-disk-seed", "usr/lib/netserv/netserv-disk-seed", null),
        ("netserv-disk-seed.service", "etc/systemd/system/netserv-disk-seed.service", "multi-user.target"),
        ("sshd-netserv.conf", "etc/ssh/sshd_config.d/netserv.conf", null),
    ];

    /// <summary>The overlay's units the disk starts at boot, with the target that wants them (the Docker image's entrypoint starts them there).</summary>
    private static readonly (string Unit, string WantedBy)[] OverlayUnits = [("etc/systemd/system/netservd.service", "multi-user.target")];

    /// <summary>
    /// Units that would reach for the network or the disk while a node boots under emulation, by the target that wants
    /// them; a node is updated by a new image.
    /// </summary>
    private static readonly string[] DisabledUnits =
    [
        "timers.target.wants/apt-daily.timer", "timers.target.wants/apt-daily-upgrade.timer", "timers.target.wants/dpkg-db-backup.timer",
        "timers.target.wants/e2scrub_all.timer", "multi-user.target.wants/e2scrub_reap.service",
    ];

    /// <summary>The payload's programs put on the PATH.</summary>
    private static readonly string[] Commands = ["netserv", "netservd"];

    /// <summary>What the EFI system partition needs from the root filesystem.</summary>
    internal sealed record BootFiles(string Kernel, string Initrd, string Bootloader);

    public static BootFiles Apply(string root, string recipe, string overlay)
    {
        foreach (var key in Directory.GetFiles(Path.Combine(root, "etc/ssh"), "ssh_host_*"))
        {
            File.Delete(key);
        }

        // Empty: systemd makes a machine id at first boot (and treats that boot as the first).
        File.WriteAllText(Path.Combine(root, "etc/machine-id"), string.Empty);
        DeleteIfPresent(Path.Combine(root, "var/lib/dbus/machine-id"));
        // debootstrap copies the build machine's resolver; the node's comes from DHCP.
        DeleteIfPresent(Path.Combine(root, "etc/resolv.conf"));
        foreach (var list in Directory.GetFiles(Path.Combine(root, "var/lib/apt/lists")))
        {
            File.Delete(list);
        }

        // The payload may bring the node's configuration (etc/netserv/netserv.json); the overlay's is the default.
        foreach (var file in Directory.EnumerateFiles(overlay, "*", SearchOption.AllDirectories))
        {
            var path = Path.Combine(root, Path.GetRelativePath(overlay, file));
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.Copy(file, path);
            }
        }

        foreach (var (unit, wantedBy) in OverlayUnits)
        {
            Enable(root, unit, wantedBy);
        }

        foreach (var (source, target, wantedBy) in RecipeFiles)
        {
            var path = Path.Combine(root, target);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Copy(Path.Combine(recipe, source), path, overwrite: true);
            if (source == "netserv-disk-seed")
            {
                File.SetUnixFileMode(path, Executable);
            }

            if (wantedBy is not null)
            {
                Enable(root, target, wantedBy);
            }
        }

        File.AppendAllText(Path.Combine(root, "etc/hosts"), $"127.0.1.1\t{File.ReadAllText(Path.Combine(recipe, "hostname")).Trim()}\n");

        foreach (var unit in DisabledUnits)
        {
            DeleteIfPresent(Path.Combine(root, "etc/systemd/system", unit));
        }

        // The operator types netserv, not /opt/netserv/bin/netserv; a link the payload brings itself stays.
        foreach (var program in Commands)
        {
            var link = Path.Combine(root, "usr/local/bin", program);
            if (File.Exists(Path.Combine(root, "opt/netserv/bin", program)) && !File.Exists(link) && new FileInfo(link).LinkTarget is null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(link)!);
                File.CreateSymbolicLink(link, "/opt/netserv/bin/" + program);
            }
        }

        Directory.CreateDirectory(Path.Combine(root, "boot/efi"));
        return new BootFiles(
            ResolveInRoot(root, "vmlinuz"),
            ResolveInRoot(root, "initrd.img"),
            Path.Combine(root, "usr/lib/systemd/boot/efi/systemd-bootx64.efi"));
    }

    /// <summary>Enables a unit as systemctl enable would: a link in the wanting target's .wants directory.</summary>
    private static void Enable(string root, string unit, string wantedBy)
    {
        var wants = Path.Combine(root, "etc/systemd/system", wantedBy + ".wants");
        Directory.CreateDirectory(wants);
        var link = Path.Combine(wants, Path.GetFileName(unit));
        DeleteIfPresent(link);
        File.CreateSymbolicLink(link, "/" + unit);
    }

    /// <summary>
    /// The bytes a tree takes in ext4: contents in 4 KiB blocks and an inode per entry. Symbolic links are counted, never
    /// followed: a root file system has links into /proc (dev/fd → /proc/self/fd) that would lead out of the tree.
    /// </summary>
    public static long UsedBytes(string root)
    {
        const long block = 4096, inode = 256;
        long total = 0;
        var folders = new Stack<DirectoryInfo>([new DirectoryInfo(root)]);
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0 };
        while (folders.TryPop(out var folder))
        {
            foreach (var entry in folder.EnumerateFileSystemInfos("*", options))
            {
                total += inode;
                if (entry.LinkTarget is not null)
                {
                    continue;
                }

                if (entry is DirectoryInfo directory)
                {
                    total += block;
                    folders.Push(directory);
                }
                else
                {
                    total += (((FileInfo)entry).Length + block - 1) / block * block;
                }
            }
        }

        return total;
    }

    /// <summary>The file a symlink at the root's top (/vmlinuz → boot/vmlinuz-6.1...) names, inside the tree.</summary>
    private static string ResolveInRoot(string root, string name)
    {
        var path = Path.Combine(root, name);
        var target = new FileInfo(path).LinkTarget;
        var resolved = target is null ? path : Path.Combine(root, target.TrimStart('/'));
        return File.Exists(resolved) ? resolved : throw new FileNotFoundException($"the root filesystem has no /{name} (is linux-image-cloud-amd64 in the recipe's packages?)", resolved);
    }

    private static void DeleteIfPresent(string path)
    {
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            File.Delete(path);
        }
    }
}
