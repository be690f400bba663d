namespace NetServ.Node.Containers;

/// <summary>How a container's process ended, as its exit event saw it.</summary>
/// <param name="ExitCode">The process's exit code (128 + n when signal n killed it), or -1 when it could not be read.</param>
/// <param name="OutOfMemory">Whether the container's cgroup counted an OOM kill since the launch.</param>
/// <param name="Intentional">Whether netservd itself was stopping or recycling the container.</param>
/// <param name="Superseded">Whether the exit is of an older process than the container's current one.</param>
/// <param name="NodeStopping">Whether netservd is shutting down.</param>
internal readonly record struct ContainerExit(int ExitCode, bool OutOfMemory, bool Intentional, bool Superseded, bool NodeStopping)
{
    /// <summary>The exit in words, for the log and the container's status.</summary>
    public string Description => OutOfMemory ? "killed by the kernel: out of memory" : ExitCode > 128 ? $"killed by signal {ExitCode - 128}" : $"exit code {ExitCode}";
}

/// <summary>
/// Whether a container whose process ended is started again, and how soon: at once at first, then,
/// for a container that keeps dying, with a back-off of up to 30 s so that a crash loop does not
/// take the node's CPUs.
/// </summary>
internal sealed class ContainerRestartPolicy(int maxRestartsPerMinute, TimeProvider time)
{
    private const double MaxBackoffSeconds = 30;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan QuickRestart = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Why the container must be started again, or null when the exit was expected: netservd stopped or
    /// recycled it, a newer process already took its place, or the node is shutting down.
    /// </summary>
    public static ContainerRestartReason? RestartReason(ContainerExit exit)
    {
        if (exit.Intentional || exit.Superseded || exit.NodeStopping)
        {
            return null;
        }

        return exit.OutOfMemory ? ContainerRestartReason.OutOfMemory(exit.Description) : ContainerRestartReason.Died(exit.Description);
    }

    /// <summary>
    /// Counts a failure of the container whose recent failures are <paramref name="crashes"/> (kept in
    /// its handle) and says how long to wait before the next start.
    /// </summary>
    public TimeSpan NextDelay(List<DateTimeOffset> crashes)
    {
        ArgumentNullException.ThrowIfNull(crashes);
        var now = time.GetUtcNow();
        crashes.Add(now);
        crashes.RemoveAll(t => now - t > Window);

        var excess = Math.Max(0, crashes.Count - maxRestartsPerMinute);
        return excess == 0 ? QuickRestart : TimeSpan.FromSeconds(Math.Min(MaxBackoffSeconds, Math.Pow(2, excess)));
    }
}
