using NetServ.Node.Containers;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;

namespace NetServ.Node.Tests.Containers;

[TestFixture]
public sealed class CgroupMountTests
{
    // What /proc/self/cgroup says of a process in cgroups.
    private const string InCgroups = "4:memory:/user.slice\n0::/user.slice\n";

    // What /proc/self/mountinfo says on this kind of machine (cgroup v1 under a tmpfs) and on cgroup v2.
    private const string CgroupV1 = """
        22 26 0:21 / /sys rw,relatime - sysfs sysfs rw
        30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        """;

    private const string CgroupV2 = "29 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";

    // Under `ip netns exec`: /sys is a fresh sysfs and nothing is mounted below it.
    private const string IpNetnsExec = "50 47 0:39 / /sys rw,relatime - sysfs ns-x rw\n";

    [Test]
    public void Problem_CgroupsMounted_IsNone()
    {
        Assert.That(CgroupMount.Problem(CgroupV1, InCgroups), Is.Null);
        Assert.That(CgroupMount.Problem(CgroupV2, InCgroups), Is.Null);
    }

    [Test]
    public void Problem_InCgroupsThatAreNotMounted_NamesNsenter() =>
        Assert.That(CgroupMount.Problem(IpNetnsExec, InCgroups), Does.Contain("nsenter --net=/run/netns/NAME"));

    [Test]
    public void Problem_AKernelWithoutCgroups_IsLeftToTheContainers() =>
        Assert.That(CgroupMount.Problem(IpNetnsExec, string.Empty), Is.Null);

    [Test]
    public void IsMounted_ACgroupNameElsewhere_IsNotTheCgroupFileSystem() =>
        Assert.That(CgroupMount.IsMounted("60 22 0:50 / /srv/sys/fs/cgroup rw - cgroup2 cgroup2 rw\n61 22 0:51 / /sys/fs/cgroupx rw - cgroup2 cgroup2 rw\n"), Is.False);

    [Test]
    public void Netservd_StartedWithIpNetnsExec_RefusesAndNamesNsenter_ButStartsPastTheCheckWithNsenter()
    {
        RequiresRoot.Check();
        var netservd = Path.Combine(BuildOutputs.EnsureNode(), "netservd.dll");
        var config = Path.GetTempFileName();
        try
        {
            // A configuration that fails validation: netservd stops right after the cgroup check.
            File.WriteAllText(config, """{ "NetServ": { "NodeName": "" } }""");
            using var ns = NetworkNamespace.Create($"{NetworkNamespace.NamePrefix}{Guid.NewGuid().ToString("N")[..8]}-cg");

            var underIpNetnsExec = CommandRunner.Run("ip", ["netns", "exec", ns.Name, "dotnet", netservd, "--config", config], TimeSpan.FromSeconds(60));
            var underNsenter = CommandRunner.Run("nsenter", [$"--net=/run/netns/{ns.Name}", "--", "dotnet", netservd, "--config", config], TimeSpan.FromSeconds(60));

            Assert.Multiple(() =>
            {
                Assert.That(underIpNetnsExec.ExitCode, Is.EqualTo(1), underIpNetnsExec.StandardError);
                Assert.That(underIpNetnsExec.StandardError, Does.Contain("nsenter --net=/run/netns/NAME"));
                Assert.That(underNsenter.StandardError, Does.Not.Contain("nsenter"), "the cgroups are there with only the network namespace changed");
                Assert.That(underNsenter.ExitCode, Is.EqualTo(2), underNsenter.StandardError);
            });
        }
        finally
        {
            File.Delete(config);
        }
    }
}
