using NetServ.Contracts.Control;
using NetServ.Contracts.Status;

namespace NetServ.Node.Containers;

/// <summary>
/// The users' service containers as the controller sees them: find one, send it a request, recycle
/// it, describe it. <see cref="ContainerManager"/> runs real ones; the controller's parts depend on
/// this interface only, so that they can be tested without processes.
/// </summary>
internal interface IContainerHost
{
    /// <summary>One container per configured user.</summary>
    IReadOnlyCollection<ContainerHandle> Containers { get; }

    /// <summary>Who hears of failed modules and of containers that came back; the controller sets itself up as this before any container starts.</summary>
    IContainerEvents? Events { get; set; }

    bool TryGet(string user, out ContainerHandle handle);

    /// <summary>Sends a request to a user's container and waits for its reply.</summary>
    /// <exception cref="ContainerUnavailableException">The container is not ready, died, or did not answer in time.</exception>
    Task<ReplyMessage> RequestAsync(string user, ControlMessage message, CancellationToken cancellationToken, TimeSpan? timeout = null);

    /// <summary>Stops a container gracefully and starts a fresh one (to reclaim what a failed module holds).</summary>
    Task RecycleAsync(string user, ContainerRestartReason reason);

    /// <summary>The container's state for status and PROBE, without its modules and what only the container itself can tell.</summary>
    ContainerStatus Describe(ContainerHandle handle);
}

/// <summary>What a container host reports to the controller.</summary>
internal interface IContainerEvents
{
    /// <summary>The container took a module that failed on its own (hung, exhausted memory, crashed) out of the packet path.</summary>
    Task ModuleFailedAsync(string user, ModuleFailedMessage failure);

    /// <summary>The container is running again after a restart or a recycle; it holds no module.</summary>
    Task ContainerRestartedAsync(string user, ContainerRestartReason reason);
}
