namespace NetServ.Sdk;

/// <summary>
/// The lifecycle every module implements. The container creates the entry type, calls
/// <see cref="StartAsync"/> once when the module is installed and <see cref="StopAsync"/> once
/// when it is removed (REMOVE, ttl expiry, or the node shutting down).
/// </summary>
/// <remarks>
/// A module may additionally implement <see cref="IPacketProcessor"/> (it then sits in the packet
/// path for the packets its SETUP filter selects), open server sockets through
/// <see cref="IServerSockets"/>, and report its state through <see cref="IModuleStatus"/>.
/// Both calls have a deadline set by the node; a module that does not return in time is unloaded.
/// </remarks>
public interface INetServModule
{
    /// <summary>Starts the module. Properties, logger and building blocks come with <paramref name="context"/>.</summary>
    /// <param name="context">What the node gives this module for its whole life.</param>
    /// <param name="cancellationToken">Cancelled when the start deadline passes.</param>
    Task StartAsync(IModuleContext context, CancellationToken cancellationToken);

    /// <summary>Stops the module: close sockets, stop timers, let go of everything it holds.</summary>
    /// <param name="cancellationToken">Cancelled when the stop deadline passes.</param>
    Task StopAsync(CancellationToken cancellationToken);
}
