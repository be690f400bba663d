using System.Globalization;

namespace NetServ.Testbed.Linux;

/// <summary>What the reaper did with one run's record.</summary>
public enum ReapOutcome
{
    /// <summary>The owner still runs: nothing of the run was touched.</summary>
    OwnerAlive,

    /// <summary>The owner was gone: its recorded resources and the record are removed.</summary>
    Removed,

    /// <summary>The owner was gone, but some recorded resources could not be removed; the record keeps them.</summary>
    Incomplete,

    /// <summary>The directory is not a run's record (no readable owner): left alone.</summary>
    NotARun,
}

/// <summary>One run's record as the reaper found it, and what it removed.</summary>
public sealed record ReapedRun(string Directory, ProcessIdentity? Owner, ReapOutcome Outcome, IReadOnlyList<RunResource> Removed, IReadOnlyList<string> Failures);

/// <summary>How the reaper removes a resource; the machine's way by default, a fake in tests.</summary>
internal interface IRunResourceRemover
{
    /// <summary>Whether the process is still the one recorded (same pid and start time).</summary>
    bool IsAlive(ProcessIdentity process);

    /// <summary>Kills the process if it is still the one recorded.</summary>
    void Kill(ProcessIdentity process);

    void DeleteNamespace(string name);

    /// <summary>Removes the Docker container <paramref name="id"/>, running or not, if it carries the testbed label.</summary>
    void RemoveContainer(string id);

    void RemoveChain(string namespaceName, string chain);

    void RemoveCgroup(string path);

    void DeleteDirectory(string path);
}

/// <summary>
/// Removes the leftovers of runs whose owner is dead, exactly as their records list them, and nothing
/// else: a namespace, a netservd or a cgroup no record lists (systemd's node, another user's
/// experiment, a run that is still alive) is never touched.
/// </summary>
public sealed class RunReaper
{
    private readonly string _root;
    private readonly IRunResourceRemover _remover;

    internal RunReaper(string root, IRunResourceRemover remover)
    {
        _root = root;
        _remover = remover;
    }

    /// <summary>The reaper of this machine's records (<see cref="LabRunRecord.DefaultRoot"/>).</summary>
    public static RunReaper ForMachine() => new(LabRunRecord.DefaultRoot, new MachineResourceRemover());

    /// <summary>Looks at every record: reaps those of dead owners, reports the live ones untouched.</summary>
    public IReadOnlyList<ReapedRun> Reap()
    {
        if (!System.IO.Directory.Exists(_root))
        {
            return [];
        }

        return System.IO.Directory.GetDirectories(_root).Order(StringComparer.Ordinal).Select(ReapOne).ToArray();
    }

    private ReapedRun ReapOne(string directory)
    {
        var ownerFile = Path.Combine(directory, LabRunRecord.OwnerFile);
        if (!File.Exists(ownerFile) || !ProcessIdentity.TryParse(File.ReadAllText(ownerFile).Trim(), out var owner))
        {
            return new ReapedRun(directory, null, ReapOutcome.NotARun, [], []);
        }

        if (_remover.IsAlive(owner))
        {
            return new ReapedRun(directory, owner, ReapOutcome.OwnerAlive, [], []);
        }

        var resourcesFile = Path.Combine(directory, LabRunRecord.ResourcesFile);
        var resources = File.Exists(resourcesFile)
            ? File.ReadAllLines(resourcesFile).Select(l => RunResource.TryParse(l, out var r) ? r : (RunResource?)null).OfType<RunResource>().ToList()
            : [];

        var removed = new List<RunResource>();
        var failures = new List<string>();
        foreach (var resource in resources.OrderBy(r => r.Kind))
        {
            try
            {
                Remove(resource);
                removed.Add(resource);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or CommandFailedException)
            {
                failures.Add($"{resource}: {e.Message}");
            }
        }

        if (failures.Count > 0)
        {
            File.WriteAllLines(resourcesFile, resources.Except(removed).Select(r => r.ToString()));
            return new ReapedRun(directory, owner, ReapOutcome.Incomplete, removed, failures);
        }

        System.IO.Directory.Delete(directory, recursive: true);
        return new ReapedRun(directory, owner, ReapOutcome.Removed, removed, failures);
    }

    private void Remove(RunResource resource)
    {
        switch (resource.Kind)
        {
            case RunResourceKind.Process:
                _remover.Kill(ProcessIdentity.TryParse(resource.Value, out var process)
                    ? process
                    : throw new ArgumentException($"'{resource.Value}' is not 'pid starttime'"));
                break;
            case RunResourceKind.Container:
                _remover.RemoveContainer(resource.Value.Length == 64 && resource.Value.All(char.IsAsciiHexDigitLower)
                    ? resource.Value
                    : throw new ArgumentException($"'{resource.Value}' is not a container id"));
                break;
            case RunResourceKind.Chain:
                var words = resource.Value.Split(' ');
                if (words.Length != 2 || !IsProjectNamespace(words[0]) || !IptablesChain.IsProjectChain(words[1]))
                {
                    throw new ArgumentException($"'{resource.Value}' is not a chain of the project in a namespace of the project");
                }

                _remover.RemoveChain(words[0], words[1]);
                break;
            case RunResourceKind.Namespace:
                // A record names only what the project makes; anything else in it is not followed.
                if (!IsProjectNamespace(resource.Value))
                {
                    throw new ArgumentException($"'{resource.Value}' is not a namespace name of the project");
                }

                _remover.DeleteNamespace(resource.Value);
                break;
            case RunResourceKind.Cgroup:
                // Nodes make theirs under netserv/ (v2) or <controller>/netserv/ (v1).
                _remover.RemoveCgroup(RequireUnder(resource.Value, "/sys/fs/cgroup/") is var cgroup && cgroup.Contains("/netserv/", StringComparison.Ordinal)
                    ? cgroup
                    : throw new ArgumentException($"'{resource.Value}' is not a node's cgroup"));
                break;
            case RunResourceKind.Directory:
                _remover.DeleteDirectory(RequireUnder(resource.Value, Path.GetTempPath()));
                break;
        }
    }

    private static bool IsProjectNamespace(string name) =>
        name.StartsWith(NetworkNamespace.NamePrefix, StringComparison.Ordinal) && !name.Contains('/', StringComparison.Ordinal);

    private static string RequireUnder(string path, string parent)
    {
        var full = Path.GetFullPath(path);
        var under = Path.EndsInDirectorySeparator(parent) ? parent : parent + "/";
        return full.StartsWith(under, StringComparison.Ordinal) && full.Length > under.Length
            ? full
            : throw new ArgumentException($"'{path}' is not under {under}");
    }
}

/// <summary>Removes resources on this machine: kill(2) after checking the start time, iptables -X, <c>ip netns del</c>, rmdir.</summary>
internal sealed class MachineResourceRemover : IRunResourceRemover
{
    public bool IsAlive(ProcessIdentity process) => process.IsAlive();

    public void Kill(ProcessIdentity process)
    {
        // The start time guards against a pid the kernel has since given to someone else's process.
        if (process.IsAlive())
        {
            _ = Interop.Kill(process.Pid, Interop.SIGKILL);
        }
    }

    public void DeleteNamespace(string name) => NetworkNamespace.Delete(name);

    public void RemoveChain(string namespaceName, string chain) => IptablesChain.Remove(namespaceName, chain);

    public void RemoveContainer(string id) => Docker.DockerTestbed.RemoveLeftoverContainerAsync(id, CancellationToken.None).GetAwaiter().GetResult();

    public void RemoveCgroup(string path)
    {
        if (!System.IO.Directory.Exists(path))
        {
            return;
        }

        // Children first; a cgroup goes only once no process is in it, and those in it are the run's containers.
        foreach (var child in System.IO.Directory.GetDirectories(path))
        {
            RemoveCgroup(child);
        }

        var procs = Path.Combine(path, "cgroup.procs");
        for (var attempt = 0; attempt < 50 && File.Exists(procs); attempt++)
        {
            var pids = File.ReadAllLines(procs).Where(l => l.Length > 0).ToArray();
            if (pids.Length == 0)
            {
                break;
            }

            foreach (var pid in pids)
            {
                _ = Interop.Kill(int.Parse(pid, CultureInfo.InvariantCulture), Interop.SIGKILL);
            }

            Thread.Sleep(20);
        }

        System.IO.Directory.Delete(path);
    }

    public void DeleteDirectory(string path)
    {
        if (System.IO.Directory.Exists(path))
        {
            System.IO.Directory.Delete(path, recursive: true);
        }
    }
}
