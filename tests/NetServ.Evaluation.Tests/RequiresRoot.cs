namespace NetServ.Evaluation.Tests;

/// <summary>Skips (with the reason) tests whose prerequisites are truly absent.</summary>
internal static class RequiresRoot
{
    public static void Check()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("needs root: the benchmark creates network namespaces, netfilter rules and cgroups and sets sysctls (CI runs as root)");
        }

        foreach (var tool in new[] { "ip", "iptables", "nsenter", "sysctl", "make", "gcc" })
        {
            if (NetServ.Testbed.Linux.CommandRunner.FindOnPath(tool) is null)
            {
                Assert.Ignore($"needs {tool} (./lab build installs it)");
            }
        }
    }
}
