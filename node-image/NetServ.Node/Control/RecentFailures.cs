using NetServ.Contracts.Status;

namespace NetServ.Node.Control;

/// <summary>
/// The last modules that failed, newest first, for the node's status: a module that failed on its
/// own (its container says why), one evicted from a container that kept dying, one that could not be
/// put back into a container that came back.
/// </summary>
internal sealed class RecentFailures(TimeProvider time)
{
    /// <summary>A module evicted from a container that kept dying.</summary>
    public const string Evicted = "evicted";

    /// <summary>A module that could not be installed again in a container that came back.</summary>
    public const string ReinstallFailed = "reinstall-failed";

    private readonly RecentList<ModuleFailure> _failures = new(20);

    public void Record(string user, string module, string reason, string? detail) =>
        _failures.Add(new ModuleFailure { Time = time.GetUtcNow(), User = user, Module = module, Reason = reason, Detail = detail });

    /// <summary>The failures, newest first, as status shows them.</summary>
    public IReadOnlyList<ModuleFailure> Snapshot() => _failures.Snapshot();
}
