namespace NetServ.Node.Containers;

/// <summary>What brought a container back.</summary>
internal enum ContainerRestartCause
{
    /// <summary>The process exited without being asked to (a crash, a signal from outside).</summary>
    Died,

    /// <summary>The kernel killed the process for exceeding its cgroup's memory limit.</summary>
    OutOfMemory,

    /// <summary>The container could not be started with the node; this is a later attempt.</summary>
    FirstStartFailed,

    /// <summary>The node recycled the container to reclaim what a failed module holds.</summary>
    Recycled,

    /// <summary>A recycle stopped the container but could not start the new one; this is a later attempt.</summary>
    RecycleFailed,
}

/// <summary>
/// Why a container was started again. The controller's crash policy counts only the deaths nobody
/// explained; a typed cause lets it tell them from the restarts the node asked for without reading
/// the words. <see cref="ToString()"/> gives the words that logs and failure records carry.
/// </summary>
internal sealed record ContainerRestartReason(ContainerRestartCause Cause, string Detail)
{
    /// <summary>Whether the container died without the node asking (neither a recycle nor a start that failed).</summary>
    public bool IsUnexplainedDeath => Cause is ContainerRestartCause.Died or ContainerRestartCause.OutOfMemory;

    /// <summary>The process exited on its own; <paramref name="exit"/> says how (exit code or signal).</summary>
    public static ContainerRestartReason Died(string exit) => new(ContainerRestartCause.Died, exit);

    /// <summary>The kernel's OOM killer ended the process.</summary>
    public static ContainerRestartReason OutOfMemory(string exit) => new(ContainerRestartCause.OutOfMemory, exit);

    /// <summary>The start with the node failed with <paramref name="error"/>.</summary>
    public static ContainerRestartReason FirstStartFailed(string error) => new(ContainerRestartCause.FirstStartFailed, error);

    /// <summary>The start after a recycle failed with <paramref name="error"/>.</summary>
    public static ContainerRestartReason RecycleFailed(string error) => new(ContainerRestartCause.RecycleFailed, error);

    /// <summary>The node recycles the container because <paramref name="module"/> failed for <paramref name="failure"/> in a way the container cannot reclaim.</summary>
    public static ContainerRestartReason ModuleRecycled(string module, string failure) => new(ContainerRestartCause.Recycled, $"module {module} {failure}");

    public override string ToString() => Cause switch
    {
        ContainerRestartCause.Died => $"the container died ({Detail})",
        ContainerRestartCause.OutOfMemory => "the container ran out of memory",
        ContainerRestartCause.FirstStartFailed => $"first start failed: {Detail}",
        ContainerRestartCause.RecycleFailed => $"restart after recycle failed: {Detail}",
        _ => Detail,
    };
}
