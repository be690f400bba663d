using NetServ.Testbed.Linux;

namespace NetServ.Orchestrator.Tests;

/// <summary>Skips (with the reason) tests whose prerequisites are truly absent.</summary>
internal static class RequiresRoot
{
    public static void Check()
    {
        if (Prerequisites.Missing("ip", "iptables", "nsenter") is { } reason)
        {
            Assert.Ignore(reason);
        }
    }
}
