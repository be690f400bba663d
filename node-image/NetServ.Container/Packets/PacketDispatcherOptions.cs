namespace NetServ.Container.Packets;

/// <summary>How the container reads its queue.</summary>
internal sealed class PacketDispatcherOptions
{
    /// <summary>Configuration 3 of the paper's evaluation: accept every packet without a module layer.</summary>
    public bool NoModuleLayer { get; init; }

    /// <summary>A module call that takes longer than this is a hang: the module is taken out and unloaded.</summary>
    public TimeSpan HangTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The CPU the reader thread is pinned to, or null for none (the evaluation sets it).</summary>
    public int? ReaderCpu { get; init; }
}
