using NetServ.Contracts.Status;

namespace NetServ.Node.Control;

/// <summary>The last modules taken out of the node, newest first, with why: what status shows instead of a log line to look for.</summary>
internal sealed class RecentRemovals(TimeProvider time)
{
    private readonly RecentList<ModuleRemoval> _removals = new(20);

    public void Record(string user, string module, ModuleRemovalReason reason, string? detail) =>
        _removals.Add(new ModuleRemoval { Time = time.GetUtcNow(), User = user, Module = module, Reason = reason, Detail = detail });

    /// <summary>The removals, newest first: all, or <paramref name="onlyUser"/>'s.</summary>
    public IReadOnlyList<ModuleRemoval> Snapshot(string? onlyUser = null) =>
        _removals.Snapshot(onlyUser is null ? null : r => r.User == onlyUser);
}
