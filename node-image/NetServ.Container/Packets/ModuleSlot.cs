using NetServ.Contracts.Status;
using NetServ.Sdk;

namespace NetServ.Container.Packets;

/// <summary>A packet-processing module's place in the chain, with its counters.</summary>
internal sealed class ModuleSlot(string moduleName, PacketFilter filter, IPacketProcessor processor)
{
    private long _packets;
    private long _dropped;
    private long _modified;
    private long _errors;

    public string ModuleName { get; } = moduleName;

    public PacketFilter Filter { get; } = filter;

    public IPacketProcessor Processor { get; } = processor;

    /// <summary>When the last exception was logged (Stopwatch ticks), to log at most once a second.</summary>
    public long LastErrorLogged { get; set; }

    public long SuppressedErrors { get; set; }

    public string? LastError { get; set; }

    public long Errors => Volatile.Read(ref _errors);

    // Counters are written by the one reader thread only; plain increments suffice.
    public void CountPacket() => _packets++;

    public void CountDrop() => _dropped++;

    public void CountModified() => _modified++;

    public void CountError() => Interlocked.Increment(ref _errors);

    public ModuleCounters Counters() => new()
    {
        Packets = Volatile.Read(ref _packets),
        Dropped = Volatile.Read(ref _dropped),
        Modified = Volatile.Read(ref _modified),
        Errors = Volatile.Read(ref _errors),
        LastError = LastError,
    };
}
