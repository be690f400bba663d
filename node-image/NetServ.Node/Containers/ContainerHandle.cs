using System.Collections.Concurrent;
using NetServ.Contracts.Configuration;
using NetServ.Contracts.Control;

namespace NetServ.Node.Containers;

/// <summary>Where a container is in its life.</summary>
internal enum ContainerState
{
    Starting,
    Ready,
    Restarting,
    Stopped,
}

/// <summary>One user's service container as netservd sees it: process, control connection, limits.</summary>
internal sealed class ContainerHandle(UserConfiguration user, int uid, int queue, string directory)
{
    public UserConfiguration User { get; } = user;

    public string Name => User.Name;

    public int Uid { get; } = uid;

    public int Queue { get; } = queue;

    /// <summary>The container's own directory: module code, module data, temporary files.</summary>
    public string Directory { get; } = directory;

    public string ModulesDirectory => Path.Combine(Directory, "modules");

    public string DataDirectory => Path.Combine(Directory, "data");

    /// <summary>Serialises start, stop and recycle.</summary>
    public SemaphoreSlim Lifecycle { get; } = new(1, 1);

    public ConcurrentDictionary<long, TaskCompletionSource<ReplyMessage>> Pending { get; } = new();

    public volatile ContainerState State = ContainerState.Stopped;

    public IContainerProcess? Process { get; set; }

    public ControlChannel? Channel { get; set; }

    public HelloMessage? Hello { get; set; }

    public TaskCompletionSource<HelloMessage>? HelloSource { get; set; }

    public ContainerCgroup? Cgroup { get; set; }

    public long OomKillsAtStart { get; set; }

    /// <summary>Increments with every launch, so a late exit event of an old process is recognised.</summary>
    public int Generation { get; set; }

    /// <summary>Set while netservd itself stops or recycles the container: its exit is expected.</summary>
    public bool Intentional { get; set; }

    public int Restarts { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public string? LastExit { get; set; }

    /// <summary>When the container died unexpectedly, for back-off.</summary>
    public List<DateTimeOffset> Crashes { get; } = [];
}
