using NetServ.Testbed.Linux;

namespace NetServ.TestSupport;

/// <summary>Skips (with the reason) tests whose prerequisites are truly absent: root, and the tools they run.</summary>
public static class RequiresRoot
{
    /// <summary>What every test that builds network namespaces runs.</summary>
    private static readonly string[] NamespaceTools = ["ip", "iptables", "nsenter"];

    /// <summary>Skips the test unless it runs as root with ip, iptables, nsenter and <paramref name="moreTools"/> on the PATH.</summary>
    public static void Check(params string[] moreTools)
    {
        if (Prerequisites.Missing([.. NamespaceTools, .. moreTools]) is { } reason)
        {
            Assert.Ignore(reason);
        }
    }

    /// <summary>
    /// Skips the test unless the evaluation's benchmarks can run here: as <see cref="Check"/>, and sysctl
    /// (they set kernel settings), make and gcc (they build the C NFQUEUE loop).
    /// </summary>
    public static void CheckBenchmarks() => Check("sysctl", "make", "gcc");
}
