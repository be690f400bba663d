namespace NetServ.Testbed.Tests;

/// <summary>Skips (with the reason) tests that need root and the ip tool where they are truly absent.</summary>
internal static class RequiresRoot
{
    public static void Check()
    {
        if (Environment.UserName != "root" && !string.Equals(Environment.GetEnvironmentVariable("USER"), "root", StringComparison.Ordinal) && geteuid() != 0)
        {
            Assert.Ignore("needs root: network namespaces and netfilter rules are created (CI runs as root)");
        }

        if (NetServ.Testbed.Linux.CommandRunner.FindOnPath("ip") is null)
        {
            Assert.Ignore("needs iproute2's ip (./lab installs it)");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}
