namespace NetServ.Sdk;

/// <summary>
/// A convenient base class for modules: keeps the <see cref="IModuleContext"/> and offers
/// overridable <see cref="OnStartAsync"/> and <see cref="OnStopAsync"/> hooks.
/// </summary>
public abstract class NetServModule : INetServModule
{
    private IModuleContext? _context;

    /// <summary>The context given at start. Throws before the module has been started.</summary>
    protected IModuleContext Context =>
        _context ?? throw new InvalidOperationException("The module has not been started yet.");

    /// <inheritdoc />
    public Task StartAsync(IModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        return OnStartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => OnStopAsync(cancellationToken);

    /// <summary>Called once when the module starts; <see cref="Context"/> is set.</summary>
    /// <param name="cancellationToken">Cancelled when the start deadline passes.</param>
    protected virtual Task OnStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called once when the module stops.</summary>
    /// <param name="cancellationToken">Cancelled when the stop deadline passes.</param>
    protected virtual Task OnStopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
