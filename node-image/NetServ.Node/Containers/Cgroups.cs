using System.Globalization;
using Microsoft.Extensions.Logging;

namespace NetServ.Node.Containers;

/// <summary>A container's cgroup: one directory per controller on cgroup v1, one directory on v2.</summary>
internal sealed record ContainerCgroup(IReadOnlyList<string> Directories, string? MemoryDirectory, bool IsV2);

/// <summary>
/// The containers' cgroups as the container manager uses them; an interface so that its crash handling
/// (out of memory) and its clean-up can be tested without a cgroup file system.
/// </summary>
internal interface IContainerCgroups
{
    /// <summary>Why cgroups cannot be used here, or null when they can.</summary>
    string? Unavailable { get; }

    /// <summary>Removes the cgroups of a node and of all its containers (killing processes still inside).</summary>
    void RemoveNode(string node);

    /// <summary>Creates the container's cgroup with its limits; null when the machine has no usable cgroups.</summary>
    ContainerCgroup? Create(string node, string user, int memoryLimitMb, double cpuLimit);

    /// <summary>How many times the kernel's OOM killer has killed a process of this cgroup.</summary>
    long OomKills(ContainerCgroup cgroup);
}

/// <summary>
/// Creates per-container cgroups with the user's memory and CPU limits, under
/// netserv/&lt;node&gt;/&lt;user&gt;, on cgroup v2 or on the v1 memory and cpu hierarchies.
/// </summary>
internal sealed partial class Cgroups(ILogger<Cgroups> logger) : IContainerCgroups
{
    private const string Root = "/sys/fs/cgroup";
    private const long CpuPeriodMicroseconds = 100_000;

    /// <summary>Why cgroups cannot be used here, or null when they can.</summary>
    public string? Unavailable { get; private set; }

    public static bool IsV2 => File.Exists(Path.Combine(Root, "cgroup.controllers"));

    /// <summary>Removes what a previous run of this node left (killing processes still inside).</summary>
    public void RemoveNode(string node)
    {
        foreach (var parent in NodeDirectories(node))
        {
            if (!Directory.Exists(parent))
            {
                continue;
            }

            foreach (var child in Directory.GetDirectories(parent))
            {
                RemoveDirectory(child);
            }

            RemoveDirectory(parent);
        }
    }

    /// <summary>Creates the container's cgroup with its limits; null (and <see cref="Unavailable"/> set) when the machine has no usable cgroups.</summary>
    public ContainerCgroup? Create(string node, string user, int memoryLimitMb, double cpuLimit)
    {
        try
        {
            var memoryBytes = (long)memoryLimitMb * 1024 * 1024;
            var quota = (long)Math.Round(cpuLimit * CpuPeriodMicroseconds);
            if (IsV2)
            {
                EnableV2Controllers(Path.Combine(Root, "netserv", node));
                var directory = Path.Combine(Root, "netserv", node, user);
                Directory.CreateDirectory(directory);
                File.WriteAllText(Path.Combine(directory, "memory.max"), memoryBytes.ToString(CultureInfo.InvariantCulture));
                WriteIfExists(Path.Combine(directory, "memory.swap.max"), "0");
                File.WriteAllText(Path.Combine(directory, "cpu.max"), string.Create(CultureInfo.InvariantCulture, $"{quota} {CpuPeriodMicroseconds}"));
                return new ContainerCgroup([directory], directory, IsV2: true);
            }

            var memory = Path.Combine(Root, "memory", "netserv", node, user);
            var cpu = Path.Combine(Root, Directory.Exists(Path.Combine(Root, "cpu")) ? "cpu" : "cpu,cpuacct", "netserv", node, user);
            Directory.CreateDirectory(memory);
            Directory.CreateDirectory(cpu);
            File.WriteAllText(Path.Combine(memory, "memory.limit_in_bytes"), memoryBytes.ToString(CultureInfo.InvariantCulture));
            WriteIfExists(Path.Combine(memory, "memory.memsw.limit_in_bytes"), memoryBytes.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(cpu, "cpu.cfs_period_us"), CpuPeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(cpu, "cpu.cfs_quota_us"), quota.ToString(CultureInfo.InvariantCulture));
            return new ContainerCgroup([memory, cpu], memory, IsV2: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Unavailable = $"cgroups cannot be used ({e.Message}): containers run without memory and CPU limits";
            Log.Unavailable(logger, Unavailable);
            return null;
        }
    }

    /// <summary>How many times the kernel's OOM killer has killed a process of this cgroup.</summary>
    public long OomKills(ContainerCgroup cgroup)
    {
        if (cgroup.MemoryDirectory is null)
        {
            return 0;
        }

        var file = Path.Combine(cgroup.MemoryDirectory, cgroup.IsV2 ? "memory.events" : "memory.oom_control");
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith("oom_kill ", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan("oom_kill ".Length), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    /// <summary>Removes a container's cgroup once its processes are gone.</summary>
    public void Remove(ContainerCgroup cgroup)
    {
        foreach (var directory in cgroup.Directories)
        {
            RemoveDirectory(directory);
        }
    }

    private static IEnumerable<string> NodeDirectories(string node)
    {
        yield return Path.Combine(Root, "netserv", node);
        foreach (var controller in new[] { "memory", "cpu", "cpu,cpuacct" })
        {
            yield return Path.Combine(Root, controller, "netserv", node);
        }
    }

    private void RemoveDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        // A cgroup directory can only go once it is empty of processes.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var procs = Path.Combine(directory, "cgroup.procs");
            var pids = File.Exists(procs) ? File.ReadAllLines(procs).Where(l => l.Length > 0).ToArray() : [];
            if (pids.Length == 0)
            {
                break;
            }

            foreach (var pid in pids)
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById(int.Parse(pid, CultureInfo.InvariantCulture)).Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                }
            }

            Thread.Sleep(20);
        }

        try
        {
            Directory.Delete(directory);
        }
        catch (IOException e)
        {
            Log.RemoveFailed(logger, directory, e.Message);
        }
    }

    private static void EnableV2Controllers(string leafParent)
    {
        // Every level from the root down must delegate memory and cpu to its children.
        var path = Root;
        foreach (var part in Path.GetRelativePath(Root, leafParent).Split('/'))
        {
            WriteIfExists(Path.Combine(path, "cgroup.subtree_control"), "+memory +cpu");
            path = Path.Combine(path, part);
            Directory.CreateDirectory(path);
        }

        WriteIfExists(Path.Combine(path, "cgroup.subtree_control"), "+memory +cpu");
    }

    private static void WriteIfExists(string file, string value)
    {
        if (File.Exists(file))
        {
            File.WriteAllText(file, value);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2301, LogLevel.Warning, "{Reason}")]
        public static partial void Unavailable(ILogger logger, string reason);

        [LoggerMessage(2302, LogLevel.Warning, "Could not remove cgroup {Directory}: {Error}")]
        public static partial void RemoveFailed(ILogger logger, string directory, string error);
    }
}
