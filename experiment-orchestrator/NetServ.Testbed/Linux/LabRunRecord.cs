using System.Globalization;

namespace NetServ.Testbed.Linux;

/// <summary>What a run can leave on the machine, one kind per line of its record, in the order the reaper removes them.</summary>
public enum RunResourceKind
{
    /// <summary>
    /// A Docker container of a Docker testbed (its id), labelled <c>netserv.testbed</c>; first, while the dockerd
    /// that runs it (a process of the same record) is still there to remove it.
    /// </summary>
    Container,

    /// <summary>A process (<see cref="ProcessIdentity"/>: pid and start time); first, as it may hold namespaces and cgroups.</summary>
    Process,

    /// <summary>
    /// An iptables chain the run made in one of its namespaces (<c>namespace chain</c>), with the jumps to it;
    /// before the namespaces, though one going takes its chains with it, so that a chain is removed where it was made.
    /// </summary>
    Chain,

    /// <summary>A network namespace (its name); what runs inside goes with it, iptables chains included.</summary>
    Namespace,

    /// <summary>A cgroup directory under /sys/fs/cgroup that a node of the run makes for its containers.</summary>
    Cgroup,

    /// <summary>A scratch directory under the temporary folder.</summary>
    Directory,
}

/// <summary>One resource a run created: a line <c>kind value</c> of its record.</summary>
public readonly record struct RunResource(RunResourceKind Kind, string Value)
{
    public static RunResource Namespace(string name) => new(RunResourceKind.Namespace, name);

    public static RunResource Container(string id) => new(RunResourceKind.Container, id);

    public static RunResource Process(ProcessIdentity process) => new(RunResourceKind.Process, process.ToString());

    /// <summary>The chain <paramref name="chain"/> in the namespace called <paramref name="namespaceName"/>.</summary>
    public static RunResource Chain(string namespaceName, string chain) => new(RunResourceKind.Chain, $"{namespaceName} {chain}");

    public static RunResource Cgroup(string path) => new(RunResourceKind.Cgroup, path);

    public static RunResource Directory(string path) => new(RunResourceKind.Directory, path);

    /// <summary>The line in the record.</summary>
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} {Value}";

    /// <summary>Reads a line of a record; false for anything else.</summary>
    public static bool TryParse(string line, out RunResource resource)
    {
        resource = default;
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || space == line.Length - 1
            || !Enum.TryParse<RunResourceKind>(line[..space], ignoreCase: true, out var kind)
            || !Enum.IsDefined(kind) || char.IsAsciiDigit(line[0]))
        {
            return false;
        }

        resource = new RunResource(kind, line[(space + 1)..]);
        return true;
    }
}

/// <summary>
/// The record of one run: a directory <c>&lt;root&gt;/&lt;run id&gt;/</c> holding <c>owner</c> (the pid and
/// start time of the process that runs it) and <c>resources</c> (one line per namespace, process, chain, cgroup
/// or directory it created and has not removed yet). Whatever is listed when the owner is gone is a
/// leftover that <see cref="RunReaper"/> removes; nothing unlisted is ever touched.
/// </summary>
public sealed class LabRunRecord
{
    /// <summary>Where runs on this machine keep their records.</summary>
    public const string DefaultRoot = "/run/netserv-lab";

    internal const string OwnerFile = "owner";
    internal const string ResourcesFile = "resources";

    private static readonly Lazy<LabRunRecord> Shared = new(() => Open(DefaultRoot, ProcessIdentity.Current, removeWhenEmptyAtExit: true));

    private readonly Lock _lock = new();
    private readonly List<RunResource> _resources = [];

    private LabRunRecord(string directory, ProcessIdentity owner)
    {
        Directory = directory;
        Owner = owner;
    }

    /// <summary>The record of this process, made in <see cref="DefaultRoot"/> on first use (root only).</summary>
    public static LabRunRecord Current => Shared.Value;

    /// <summary>The run's directory.</summary>
    public string Directory { get; }

    /// <summary>The process whose death makes the run's resources leftovers.</summary>
    public ProcessIdentity Owner { get; }

    /// <summary>What the run created and still holds, in order.</summary>
    public IReadOnlyList<RunResource> Resources
    {
        get
        {
            lock (_lock)
            {
                return _resources.ToArray();
            }
        }
    }

    /// <summary>Starts the record of a run owned by <paramref name="owner"/> under <paramref name="root"/>.</summary>
    internal static LabRunRecord Open(string root, ProcessIdentity owner, bool removeWhenEmptyAtExit = false)
    {
        // Only root writes here (only root makes namespaces): others must not be able to plant records for the reaper.
        System.IO.Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var directory = Path.Combine(root, string.Create(CultureInfo.InvariantCulture, $"{owner.Pid}-{owner.StartTime}"));
        System.IO.Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, ResourcesFile), string.Empty);
        // The owner last: a reaper reads a run without it as one still being made.
        File.WriteAllText(Path.Combine(directory, OwnerFile), owner + "\n");
        var record = new LabRunRecord(directory, owner);
        if (removeWhenEmptyAtExit)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => record.RemoveIfEmpty();
        }

        return record;
    }

    /// <summary>Notes that the run created <paramref name="resource"/>.</summary>
    public void Add(RunResource resource)
    {
        lock (_lock)
        {
            _resources.Add(resource);
            File.AppendAllText(Path.Combine(Directory, ResourcesFile), resource + "\n");
        }
    }

    /// <summary>
    /// Notes in this process's record, if it has one, that <paramref name="resource"/> is gone. A process
    /// that only removes (a reaper) does not start a record of its own.
    /// </summary>
    internal static void NoteRemoved(RunResource resource)
    {
        if (Shared.IsValueCreated)
        {
            Shared.Value.Remove(resource);
        }
    }

    /// <summary>Notes that the run removed <paramref name="resource"/> itself.</summary>
    public void Remove(RunResource resource)
    {
        lock (_lock)
        {
            if (!_resources.Remove(resource))
            {
                return;
            }

            var file = Path.Combine(Directory, ResourcesFile);
            var next = file + ".next";
            File.WriteAllLines(next, _resources.Select(r => r.ToString()));
            File.Move(next, file, overwrite: true);
        }
    }

    /// <summary>Deletes the record when nothing is left in it: at a clean exit.</summary>
    public void RemoveIfEmpty()
    {
        lock (_lock)
        {
            if (_resources.Count == 0 && System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }
    }
}
