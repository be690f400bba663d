using NetServ.NodeImage.Disk;

namespace NetServ.NodeImage.Tests.Disk;

public sealed class DiskRootCustomizerTests
{
    private string _root = null!;
    private string _recipe = null!;
    private string _overlay = null!;

    [SetUp]
    public void CreateDebootstrappedTree()
    {
        _root = Directory.CreateTempSubdirectory("netserv-root-").FullName;
        foreach (var directory in new[] { "etc/ssh", "etc/network", "var/lib/apt/lists", "var/lib/dbus", "boot", "usr/lib/systemd/boot/efi", "opt/netserv/bin", "etc/systemd/system/timers.target.wants" })
        {
            Directory.CreateDirectory(Path.Combine(_root, directory));
        }

        Write("etc/ssh/ssh_host_ed25519_key", "private");
        Write("etc/ssh/ssh_host_ed25519_key.pub", "public");
        Write("etc/ssh/sshd_config", "config");
        Write("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
        Write("etc/hosts", "127.0.0.1\tlocalhost\n");
        Write("etc/resolv.conf", "nameserver 192.0.2.1\n");
        Write("var/lib/apt/lists/deb.debian.org_Packages", "lists");
        Write("boot/vmlinuz-6.1.0-cloud-amd64", "kernel");
        Write("boot/initrd.img-6.1.0-cloud-amd64", "initrd");
        File.CreateSymbolicLink(Path.Combine(_root, "vmlinuz"), "boot/vmlinuz-6.1.0-cloud-amd64");
        File.CreateSymbolicLink(Path.Combine(_root, "initrd.img"), "boot/initrd.img-6.1.0-cloud-amd64");
        Write("usr/lib/systemd/boot/efi/systemd-bootx64.efi", "boot loader");
        Write("opt/netserv/bin/netserv", "cli");
        Write("etc/systemd/system/timers.target.wants/apt-daily.timer", "timer");
        _recipe = Path.Combine(DiskTestPayload.RepositoryRoot, "node-image", "image", "disk");
        _overlay = Path.Combine(DiskTestPayload.RepositoryRoot, "node-image", "image", "rootfs");
    }

    [TearDown]
    public void RemoveTree() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Apply_RemovesWhatMachinesMustNotShare()
    {
        DiskRootCustomizer.Apply(_root, _recipe, _overlay);

        Assert.Multiple(() =>
        {
            Assert.That(Directory.GetFiles(Path.Combine(_root, "etc/ssh"), "ssh_host_*"), Is.Empty, "host keys are made at first boot");
            Assert.That(File.Exists(Path.Combine(_root, "etc/ssh/sshd_config")), Is.True);
            Assert.That(File.ReadAllText(Path.Combine(_root, "etc/machine-id")), Is.Empty);
            Assert.That(File.Exists(Path.Combine(_root, "etc/resolv.conf")), Is.False);
            Assert.That(Directory.GetFiles(Path.Combine(_root, "var/lib/apt/lists")), Is.Empty);
        });
    }

    [Test]
    public void Apply_EnablesTheSeedAndNetservdUnits_AndDisablesTheAptTimers()
    {
        DiskRootCustomizer.Apply(_root, _recipe, _overlay);

        Assert.Multiple(() =>
        {
            Assert.That(new FileInfo(Path.Combine(_root, "etc/systemd/system/multi-user.target.wants/netserv-disk-seed.service")).LinkTarget, Is.EqualTo("/etc/systemd/system/netserv-disk-seed.service"));
            Assert.That(new FileInfo(Path.Combine(_root, "etc/systemd/system/multi-user.target.wants/netservd.service")).LinkTarget, Is.EqualTo("/etc/systemd/system/netservd.service"));
            Assert.That(File.GetUnixFileMode(Path.Combine(_root, "usr/lib/netserv/netserv-disk-seed")) & UnixFileMode.OtherExecute, Is.EqualTo(UnixFileMode.OtherExecute));
            Assert.That(File.ReadAllText(Path.Combine(_root, "etc/network/interfaces")), Does.Contain("auto eth0").And.Contain("iface eth0 inet dhcp"));
            Assert.That(File.Exists(Path.Combine(_root, "etc/systemd/system/timers.target.wants/apt-daily.timer")), Is.False);
            Assert.That(new FileInfo(Path.Combine(_root, "usr/local/bin/netserv")).LinkTarget, Is.EqualTo("/opt/netserv/bin/netserv"));
            Assert.That(File.Exists(Path.Combine(_root, "usr/local/bin/netservd")), Is.False, "no link to a program the payload lacks");
        });
    }

    [Test]
    public void Apply_TakesTheNodesOverlay_AsTheDockerImageDoes()
    {
        DiskRootCustomizer.Apply(_root, _recipe, _overlay);

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(Path.Combine(_root, "etc/netserv/netserv.json")), Is.EqualTo(File.ReadAllText(Path.Combine(_overlay, "etc/netserv/netserv.json"))));
            Assert.That(File.ReadAllText(Path.Combine(_root, "etc/systemd/system/netservd.service")), Is.EqualTo(File.ReadAllText(Path.Combine(_overlay, "etc/systemd/system/netservd.service"))));
        });
    }

    [Test]
    public void Apply_KeepsTheConfigurationThePayloadBrings()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc/netserv"));
        Write("etc/netserv/netserv.json", "{ \"payload\": true }");

        DiskRootCustomizer.Apply(_root, _recipe, _overlay);

        Assert.That(File.ReadAllText(Path.Combine(_root, "etc/netserv/netserv.json")), Is.EqualTo("{ \"payload\": true }"));
    }

    [Test]
    public void Apply_ReturnsTheKernelAndInitrdTheTopLinksName()
    {
        var boot = DiskRootCustomizer.Apply(_root, _recipe, _overlay);

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(boot.Kernel), Is.EqualTo("kernel"));
            Assert.That(File.ReadAllText(boot.Initrd), Is.EqualTo("initrd"));
        });
    }

    [Test]
    public void Apply_WithoutAKernel_SaysWhichPackageBringsIt()
    {
        File.Delete(Path.Combine(_root, "boot/vmlinuz-6.1.0-cloud-amd64"));

        Assert.That(() => DiskRootCustomizer.Apply(_root, _recipe, _overlay), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains("linux-image-cloud-amd64"));
    }

    private void Write(string relative, string text) => File.WriteAllText(Path.Combine(_root, relative), text);

    [Test]
    public void UsedBytes_LinkToAFolderOutsideTheTree_CountsTheLinkNotWhatItLeadsTo()
    {
        // debootstrap makes dev/fd → /proc/self/fd: its entries come and go while the tree is walked.
        Directory.CreateDirectory(Path.Combine(_root, "dev"));
        var before = DiskRootCustomizer.UsedBytes(_root);
        var outside = Directory.CreateTempSubdirectory("netserv-outside-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(outside, "big"), new byte[1 << 20]);
            Directory.CreateSymbolicLink(Path.Combine(_root, "dev", "fd"), "/proc/self/fd");
            Directory.CreateSymbolicLink(Path.Combine(_root, "dev", "outside"), outside);

            var after = DiskRootCustomizer.UsedBytes(_root);

            Assert.That(after - before, Is.EqualTo(2 * 256), "an inode for each link, nothing of their targets");
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }
}
