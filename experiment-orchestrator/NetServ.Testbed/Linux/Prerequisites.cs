using System.Runtime.InteropServices;

namespace NetServ.Testbed.Linux;

/// <summary>What tests and runs need from the machine: root, and tools such as ip and iptables.</summary>
public static partial class Prerequisites
{
    /// <summary>Whether the process runs as root.</summary>
    public static bool IsRoot => GetEffectiveUserId() == 0;

    /// <summary>Why the machine cannot run something that needs root and <paramref name="tools"/>, or null when it can.</summary>
    public static string? Missing(params string[] tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        if (!IsRoot)
        {
            return "needs root: network namespaces, netfilter rules and cgroups are created (CI runs as root)";
        }

        var missing = tools.Where(t => CommandRunner.FindOnPath(t) is null).ToArray();
        return missing.Length == 0 ? null : $"needs {string.Join(", ", missing)} (./lab build installs them)";
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
