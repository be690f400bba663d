namespace NetServ.Node.Containers;

/// <summary>
/// Whether netservd sees the machine's cgroup file system. <c>ip netns exec</c> runs its command in
/// a mount namespace of its own with /sys remounted for the network namespace, and /sys/fs/cgroup
/// is then missing: every container would run without memory and CPU limits. netservd refuses to
/// start there and names the command that changes only the network namespace. (Comparing mount
/// namespaces with PID 1's is no help: /proc/1/ns is unreadable in some containers, even to root.)
/// </summary>
internal static class CgroupMount
{
    private const string Root = "/sys/fs/cgroup";

    /// <summary>Whether <paramref name="mountInfo"/> (the text of /proc/self/mountinfo) has a cgroup file system at or under /sys/fs/cgroup.</summary>
    public static bool IsMounted(string mountInfo)
    {
        ArgumentNullException.ThrowIfNull(mountInfo);
        foreach (var line in mountInfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // ID PARENT MAJOR:MINOR ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER-OPTIONS
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 5 || separator + 1 >= fields.Length)
            {
                continue;
            }

            var mountPoint = fields[4];
            var type = fields[separator + 1];
            if ((mountPoint == Root || mountPoint.StartsWith(Root + "/", StringComparison.Ordinal)) && type is "cgroup2" or "cgroup" or "tmpfs")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Why netservd must not start, or null: the process is in cgroups (<paramref name="ownCgroups"/>,
    /// the text of /proc/self/cgroup, names at least one) but its mount namespace does not show the
    /// cgroup file system (<paramref name="mountInfo"/>), as under <c>ip netns exec</c>. A kernel
    /// without cgroups is left to the containers, which then run without limits and say so.
    /// </summary>
    public static string? Problem(string mountInfo, string ownCgroups)
    {
        ArgumentNullException.ThrowIfNull(ownCgroups);
        return IsMounted(mountInfo) || ownCgroups.Trim().Length == 0
            ? null
            : $"{Root} is not mounted in this mount namespace, so containers would run without memory and CPU limits "
              + "(ip netns exec does this: it remounts /sys for the network namespace and leaves the cgroups out). "
              + "Start netservd in the network namespace only: nsenter --net=/run/netns/NAME -- netservd …";
    }

    /// <summary>The <see cref="Problem"/> of this process; null when it cannot tell (no /proc).</summary>
    public static string? ReadProblem()
    {
        try
        {
            return Problem(File.ReadAllText("/proc/self/mountinfo"), File.ReadAllText("/proc/self/cgroup"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
