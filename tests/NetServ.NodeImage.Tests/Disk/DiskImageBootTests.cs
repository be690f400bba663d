using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.NodeImage.Disk;
using NetServ.Testbed.Ssh;

namespace NetServ.NodeImage.Tests.Disk;

/// <summary>
/// The acceptance of the bootable disk: it is built (or taken from the cache), boots under qemu's TCG, and its netservd
/// answers <c>netserv admin probe status</c> over SSH on a loopback port, within a time bound.
/// </summary>
[TestFixture]
[NonParallelizable]
[Category("Image")]
public sealed class DiskImageBootTests
{
    /// <summary>From qemu's start to probe status answered; the target is 60 s, the bound leaves room for a busy machine.</summary>
    private static readonly TimeSpan BootBound = TimeSpan.FromSeconds(180);

    private static readonly string[] Tools = ["debootstrap", "mkfs.ext4", "mkfs.vfat", "mcopy", "mmd", "sfdisk", "qemu-img", "qemu-system-x86_64"];

    private DiskImageResult _image = null!;
    private string _keys = null!;
    private SshKeyPair _key = null!;

    [OneTimeSetUp]
    public async Task BuildImageAsync()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("building the disk image needs root (debootstrap)");
        }

        var missing = Tools.Where(tool => !OnPath(tool)).ToList();
        if (!File.Exists(QemuGuest.OvmfCode))
        {
            missing.Add("ovmf");
        }

        if (missing.Count > 0)
        {
            Assert.Ignore($"the disk image's tools are missing ({string.Join(", ", missing)}); ./lab image installs them");
        }

        var payload = await DiskTestPayload.EnsureAsync(CancellationToken.None);
        var artifacts = Path.Combine(DiskTestPayload.RepositoryRoot, "artifacts", "image");
        var options = new DiskImageOptions
        {
            PayloadDirectory = payload,
            RecipeDirectory = Path.Combine(DiskTestPayload.RepositoryRoot, "node-image", "image", "disk"),
            OverlayDirectory = Path.Combine(DiskTestPayload.RepositoryRoot, "node-image", "image", "rootfs"),
            OutputDirectory = artifacts,
            CacheDirectory = Path.Combine(artifacts, "cache"),
        };
        _image = await new DiskImageBuilder(options, TimeProvider.System, NullLogger<DiskImageBuilder>.Instance).BuildAsync(CancellationToken.None);
        TestContext.Progress.WriteLine($"disk: {_image.ImagePath} {_image.ImageBytes >> 20} MiB, {(_image.Reused ? "reused" : "built")} in {_image.Elapsed.TotalSeconds:0.0} s");
    }

    [SetUp]
    public async Task CreateKeyAsync()
    {
        _keys = Directory.CreateTempSubdirectory("netserv-disk-key-").FullName;
        _key = await SshKeyPair.CreateAsync(_keys, "disk-boot-test");
    }

    [TearDown]
    public void RemoveKey() => Directory.Delete(_keys, recursive: true);

    [Test]
    [CancelAfter(300_000)]
    public async Task Boot_UnderTcg_AnswersProbeStatusOverForwardedSsh(CancellationToken cancellationToken)
    {
        Assert.That(_image.ImageBytes, Is.LessThanOrEqualTo(1L << 30), "the disk image is at most 1 GB");
        var clock = Stopwatch.StartNew();
        using var guest = await QemuGuest.BootAsync(_image.ImagePath, _key.PublicKey, cancellationToken);
        await using var session = Session(guest);

        var hostKey = await session.RunAsync("ssh-keygen", ["-l", "-f", "/etc/ssh/ssh_host_ed25519_key.pub"], TimeSpan.FromSeconds(30), cancellationToken: cancellationToken);
        var sshReady = clock.Elapsed;
        var status = await ProbeStatusAsync(session, guest, clock, cancellationToken);
        TestContext.Progress.WriteLine($"disk: SSH answered {sshReady.TotalSeconds:0.0} s after qemu started, probe status {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.Multiple(() =>
        {
            Assert.That(hostKey.ExitCode, Is.Zero, "the host key was made at first boot");
            Assert.That(status.StandardOutput, Does.Contain("netserv-node"), "probe status names the node");
            Assert.That(clock.Elapsed, Is.LessThan(BootBound));
        });
    }

    [Test]
    [CancelAfter(300_000)]
    public async Task TwoBoots_OfOneImage_MakeDifferentHostKeys(CancellationToken cancellationToken)
    {
        using var first = await QemuGuest.BootAsync(_image.ImagePath, _key.PublicKey, cancellationToken);
        using var second = await QemuGuest.BootAsync(_image.ImagePath, _key.PublicKey, cancellationToken);
        await using var firstSession = Session(first);
        await using var secondSession = Session(second);

        var keys = await Task.WhenAll(
            firstSession.RunAsync("cat", ["/etc/ssh/ssh_host_ed25519_key.pub"], TimeSpan.FromSeconds(30), cancellationToken: cancellationToken),
            secondSession.RunAsync("cat", ["/etc/ssh/ssh_host_ed25519_key.pub"], TimeSpan.FromSeconds(30), cancellationToken: cancellationToken));

        Assert.Multiple(() =>
        {
            Assert.That(keys.Select(key => key.StandardOutput), Has.All.StartsWith("ssh-ed25519 "));
            Assert.That(keys[0].StandardOutput, Is.Not.EqualTo(keys[1].StandardOutput));
        });
    }

    private static async Task<NetServ.Testbed.Linux.CommandResult> ProbeStatusAsync(SshNodeSession session, QemuGuest guest, Stopwatch clock, CancellationToken cancellationToken)
    {
        // sshd may answer before netservd has its admin socket: ask again until it answers or the bound runs out.
        while (true)
        {
            var status = await session.RunAsync("netserv", ["admin", "probe", "status"], TimeSpan.FromSeconds(30), cancellationToken: cancellationToken);
            if (status.ExitCode == 0)
            {
                return status;
            }

            if (clock.Elapsed > BootBound || guest.HasExited)
            {
                var journal = await session.RunAsync("journalctl", ["-b", "-u", "netservd", "--no-pager", "-n", "40"], TimeSpan.FromSeconds(30), cancellationToken: cancellationToken);
                Assert.Fail($"netserv admin probe status did not answer within {BootBound.TotalSeconds:0} s: {status.StandardError}\nnetservd:\n{journal.StandardOutput}\nconsole:\n{guest.ConsoleTail()}");
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    private SshNodeSession Session(QemuGuest guest) =>
        new(
            new SshNodeOptions
            {
                NodeName = "disk",
                Host = "127.0.0.1",
                Port = guest.SshPort,
                User = "root",
                PrivateKeyPath = _key.PrivateKeyPath,
                KnownHostsPath = Path.Combine(_keys, $"known_hosts-{guest.SshPort}"),
                BootRetryWindow = BootBound,
                FirstRetryDelay = TimeSpan.FromSeconds(1),
                MaxRetryDelay = TimeSpan.FromSeconds(2),
            },
            TimeProvider.System,
            NullLogger<SshNodeSession>.Instance);

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Append("/usr/sbin").Append("/sbin").Any(directory => File.Exists(Path.Combine(directory, tool)));
}
