namespace NetServ.Container.Modules;

/// <summary>Deadlines for module lifecycle calls.</summary>
internal sealed class ModuleHostOptions
{
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan StatusTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a removal waits for the packet path to leave the module.</summary>
    public TimeSpan BatchBoundaryTimeout { get; init; } = TimeSpan.FromSeconds(2);
}
