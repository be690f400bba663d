using Microsoft.Extensions.Logging;
using NetServ.Contracts.Control;
using NetServ.Node.Containers;
using NetServ.Sdk;

namespace NetServ.Node.Control;

/// <summary>
/// netservd's end of the <c>filter-events</c> building block (paper section 10: the NetServ controller tells the
/// OpenFlow controller module which packet filters installed modules asked for). After each change to the module
/// table, and to a container that came back, sends the node's whole numbered set of filters to the containers
/// that offer the block. A container that fails to take it is logged and skipped: the node keeps serving.
/// </summary>
internal sealed partial class FilterAnnouncer(IContainerHost containers, ModuleTable table, ILogger<FilterAnnouncer> logger) : IDisposable
{
    private readonly SemaphoreSlim _sending = new(1, 1);
    private long _version;

    /// <summary>The number of the last set sent.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Sends the current set to every container offering the block, or only to <paramref name="onlyUser"/>'s.</summary>
    public async Task AnnounceAsync(string? onlyUser, CancellationToken cancellationToken)
    {
        // One set at a time, each taken once the one before has gone out: a container never sees them reordered.
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var message = new FiltersMessage { Version = Interlocked.Increment(ref _version), Filters = Snapshot() };
            foreach (var handle in containers.Containers)
            {
                if ((onlyUser is not null && handle.Name != onlyUser)
                    || handle.State != ContainerState.Ready
                    || handle.Hello?.BuildingBlocks.Contains(BuildingBlockNames.FilterEvents, StringComparer.OrdinalIgnoreCase) != true)
                {
                    continue;
                }

                try
                {
                    var reply = await containers.RequestAsync(handle.Name, message, cancellationToken).ConfigureAwait(false);
                    if (!reply.Ok)
                    {
                        Log.NotTaken(logger, handle.Name, reply.Error ?? "unknown");
                    }
                }
                catch (ContainerUnavailableException e)
                {
                    Log.NotTaken(logger, handle.Name, e.Message);
                }
            }
        }
        finally
        {
            _sending.Release();
        }
    }

    public void Dispose() => _sending.Dispose();

    /// <summary>The filters of every installed module, in the order they were installed.</summary>
    internal InstalledFilterSpec[] Snapshot() =>
        [.. table.Records()
            .Where(r => r.Filter is not null)
            .OrderBy(r => r.Sequence)
            .Select(r => new InstalledFilterSpec { User = r.User, Module = r.Name.ToString(), Filter = FilterSpec.From(r.Filter!) })];

    private static partial class Log
    {
        [LoggerMessage(2520, LogLevel.Warning, "The container of {User} did not take the node's packet filters: {Error}")]
        public static partial void NotTaken(ILogger logger, string user, string error);
    }
}
