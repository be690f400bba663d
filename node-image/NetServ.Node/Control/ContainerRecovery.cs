using Microsoft.Extensions.Logging;
using NetServ.Contracts.Control;
using NetServ.Node.Containers;
using ModuleRemovalReason = NetServ.Contracts.Status.ModuleRemovalReason;

namespace NetServ.Node.Control;

/// <summary>
/// The controller's crash policy: what becomes of a user's modules when the container reports a module
/// that failed on its own, and when the container comes back holding no module. A failed module is
/// taken out (and the container recycled when it cannot reclaim the module in place); a container that
/// came back gets its modules again in the order they were installed; one that keeps dying with no
/// module to blame sheds its newest module.
/// </summary>
internal sealed partial class ContainerRecovery(
    IContainerHost containers,
    ModuleTable table,
    ModuleInstaller installer,
    FilterAnnouncer filters,
    UserLocks locks,
    RecentFailures failures,
    TimeProvider time,
    ILogger<ContainerRecovery> logger) : IContainerEvents
{
    private const int DeathsBeforeEviction = 3;
    private static readonly TimeSpan DeathWindow = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, List<DateTimeOffset>> _unexplainedDeaths = new(StringComparer.Ordinal);

    public async Task ModuleFailedAsync(string user, ModuleFailedMessage failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        using (await locks.EnterAsync(user, CancellationToken.None).ConfigureAwait(false))
        {
            if (table.Find(user, failure.Module) is { } record)
            {
                await installer.DropAsync(record).ConfigureAwait(false);
            }

            failures.Record(user, failure.Module, failure.Reason, failure.Detail);
        }

        // Outside the lock: the container's return after the recycle is handled under the same lock.
        if (failure.RecycleContainer)
        {
            await containers.RecycleAsync(user, ContainerRestartReason.ModuleRecycled(failure.Module, failure.Reason)).ConfigureAwait(false);
        }
    }

    public async Task ContainerRestartedAsync(string user, ContainerRestartReason reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        using (await locks.EnterAsync(user, CancellationToken.None).ConfigureAwait(false))
        {
            var records = table.RecordsOf(user).ToList();

            // Without a module to blame, a container that keeps dying sheds its newest module.
            if (reason.IsUnexplainedDeath && CountDeath(user) >= DeathsBeforeEviction && records.Count > 0)
            {
                var newest = records[^1];
                records.RemoveAt(records.Count - 1);
                await installer.UninstallAsync(newest, ModuleRemovalReason.Evicted, $"the container died {DeathsBeforeEviction} times within a minute", CancellationToken.None).ConfigureAwait(false);
                failures.Record(user, newest.Name.ToString(), RecentFailures.Evicted, $"the container died {DeathsBeforeEviction} times within a minute ({reason})");
                ForgetDeaths(user);
            }

            // The container came back knowing no filter; its modules that subscribe hear of them as they start.
            await filters.AnnounceAsync(user, CancellationToken.None).ConfigureAwait(false);
            foreach (var record in records)
            {
                if (await installer.InstallInContainerAsync(record, CancellationToken.None).ConfigureAwait(false) is { } refused)
                {
                    Log.Refused(logger, refused.Status, refused.Message);
                    await installer.UninstallAsync(record, ModuleRemovalReason.ReinstallFailed, refused.Message.ReplaceLineEndings(" "), CancellationToken.None).ConfigureAwait(false);
                    failures.Record(user, record.Name.ToString(), RecentFailures.ReinstallFailed, refused.Message.ReplaceLineEndings(" "));
                }
            }

            Log.Reinstalled(logger, user, records.Count, reason.ToString());
        }
    }

    /// <summary>Counts a death of the user's container that nobody explained; returns how many there were within the last minute.</summary>
    private int CountDeath(string user)
    {
        lock (_unexplainedDeaths)
        {
            if (!_unexplainedDeaths.TryGetValue(user, out var deaths))
            {
                deaths = [];
                _unexplainedDeaths[user] = deaths;
            }

            var now = time.GetUtcNow();
            deaths.Add(now);
            deaths.RemoveAll(t => now - t > DeathWindow);
            return deaths.Count;
        }
    }

    private void ForgetDeaths(string user)
    {
        lock (_unexplainedDeaths)
        {
            if (_unexplainedDeaths.TryGetValue(user, out var deaths))
            {
                deaths.Clear();
            }
        }
    }

    private static partial class Log
    {
        // The event of the controller's refused requests: a module that cannot be put back was always logged as one.
        [LoggerMessage(2509, LogLevel.Warning, "Reinstalling after a container restart refused with {Status}: {Reason}")]
        public static partial void Refused(ILogger logger, int status, string reason);

        [LoggerMessage(2507, LogLevel.Information, "Reinstalled {Count} module(s) of {User} after the container came back ({Reason})")]
        public static partial void Reinstalled(ILogger logger, string user, int count, string reason);
    }
}
