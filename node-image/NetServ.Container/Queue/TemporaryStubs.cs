// TEMPORARY: replaced by the real NFQUEUE reader when that branch is merged.
#pragma warning disable CA1822
namespace NetServ.Container.Queue;

internal sealed class NetfilterQueueOptions
{
    public int BatchSize { get; init; } = 64;
    public uint MaxLength { get; init; } = 4096;
}

internal sealed class NetfilterQueue : IDisposable
{
    public static NetfilterQueue Open(ushort queueNumber, NetfilterQueueOptions options) => throw new NotImplementedException();
    public int Receive(PacketBatch batch) => throw new NotImplementedException();
    public void SendVerdicts(VerdictBatch verdicts) => throw new NotImplementedException();
    public void Dispose() { }
}

internal sealed class PacketBatch(NetfilterQueueOptions options) : IDisposable
{
    public int Count => options.BatchSize;
    public uint GetPacketId(int index) => (uint)index;
    public Span<byte> GetPayload(int index) => Span<byte>.Empty;
    public void Dispose() { }
}

internal sealed class VerdictBatch(NetfilterQueueOptions options)
{
    public int Size => options.BatchSize;
    public void Clear() { }
    public void Accept(uint id) { }
    public void Drop(uint id) { }
    public void AcceptModified(uint id, ReadOnlySpan<byte> packet) { }
}
