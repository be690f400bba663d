using System.Globalization;

namespace NetServ.Evaluation.NodeRuntime;

/// <summary>
/// A CPU cgroup for the C loop that matches a container's (netservd puts each container in
/// netserv/&lt;node&gt;/&lt;user&gt; with a quota of its CPU limit): without it nfq-accept would share the
/// benchmark's own scheduling group, and so compete with the generator on different terms than a
/// container does. Created under netserv-eval/&lt;name&gt;, removed on dispose.
/// </summary>
internal sealed class ReaderCgroup : IDisposable
{
    private const string Root = "/sys/fs/cgroup";
    private const long PeriodMicroseconds = 100_000;

    private ReaderCgroup(string directory, string parent)
    {
        Directory = directory;
        Parent = parent;
    }

    /// <summary>The cgroup's directory.</summary>
    public string Directory { get; }

    private string Parent { get; }

    /// <summary>Whether the cgroup tree is v2 (unified), as netservd decides it.</summary>
    public static bool IsV2 => File.Exists(Path.Combine(Root, "cgroup.controllers"));

    /// <summary>Creates the cgroup with a CPU quota of <paramref name="cpuLimit"/> CPUs; null when the machine has no usable CPU controller.</summary>
    public static ReaderCgroup? Create(string name, double cpuLimit = 1.0)
    {
        var quota = (long)Math.Round(cpuLimit * PeriodMicroseconds);
        try
        {
            if (IsV2)
            {
                var parent = Path.Combine(Root, "netserv-eval");
                System.IO.Directory.CreateDirectory(parent);
                File.WriteAllText(Path.Combine(Root, "cgroup.subtree_control"), "+cpu");
                File.WriteAllText(Path.Combine(parent, "cgroup.subtree_control"), "+cpu");
                var directory = Path.Combine(parent, name);
                System.IO.Directory.CreateDirectory(directory);
                File.WriteAllText(Path.Combine(directory, "cpu.max"), string.Create(CultureInfo.InvariantCulture, $"{quota} {PeriodMicroseconds}"));
                return new ReaderCgroup(directory, parent);
            }

            var controller = Path.Combine(Root, System.IO.Directory.Exists(Path.Combine(Root, "cpu")) ? "cpu" : "cpu,cpuacct");
            if (!System.IO.Directory.Exists(controller))
            {
                return null;
            }

            var v1Parent = Path.Combine(controller, "netserv-eval");
            var v1Directory = Path.Combine(v1Parent, name);
            System.IO.Directory.CreateDirectory(v1Directory);
            File.WriteAllText(Path.Combine(v1Directory, "cpu.cfs_period_us"), PeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(v1Directory, "cpu.cfs_quota_us"), quota.ToString(CultureInfo.InvariantCulture));
            return new ReaderCgroup(v1Directory, v1Parent);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Moves process <paramref name="pid"/> (all its threads) into the cgroup.</summary>
    public void Add(int pid) => File.WriteAllText(Path.Combine(Directory, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>Removes the cgroup (its processes must be gone) and the parent when empty.</summary>
    public void Dispose()
    {
        foreach (var directory in new[] { Directory, Parent })
        {
            for (var attempt = 0; attempt < 20 && System.IO.Directory.Exists(directory); attempt++)
            {
                try
                {
                    System.IO.Directory.Delete(directory);
                }
                catch (IOException)
                {
                    // Busy: a process still inside, or (the parent) another run's cgroup; try again shortly, then leave it.
                    Thread.Sleep(50);
                }
            }
        }
    }
}
