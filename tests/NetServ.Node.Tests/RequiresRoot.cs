namespace NetServ.Node.Tests;

/// <summary>Skips (with the reason) tests whose prerequisites are truly absent.</summary>
internal static class RequiresRoot
{
    public static void Check()
    {
        if (geteuid() != 0)
        {
            Assert.Ignore("needs root: network namespaces, netfilter rules and cgroups are created (CI runs as root)");
        }

        foreach (var tool in new[] { "ip", "iptables" })
        {
            if (NetServ.Testbed.Linux.CommandRunner.FindOnPath(tool) is null)
            {
                Assert.Ignore($"needs {tool} (./lab build installs it)");
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}
