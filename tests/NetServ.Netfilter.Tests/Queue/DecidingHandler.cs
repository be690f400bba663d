using NetServ.Netfilter.Queue;

namespace NetServ.Netfilter.Tests.Queue;

/// <summary>
/// A reading loop's handler for tests: drops packets whose first byte is odd and accepts the rest, or gives
/// every batch up; reads while <see cref="KeepReadingWhile"/> holds; keeps the failures it hears of.
/// Deciding allocates nothing.
/// </summary>
internal sealed class DecidingHandler : IPacketBatchHandler
{
    public Func<bool> KeepReadingWhile { get; init; } = static () => true;

    /// <summary>Whether <see cref="OnBatch"/> gives every batch up instead of deciding it.</summary>
    public bool Abandon { get; init; }

    public int Batches { get; private set; }

    public int Packets { get; private set; }

    public List<Exception> ReceiveFailures { get; } = [];

    public List<Exception> SendFailures { get; } = [];

    public bool KeepReading => KeepReadingWhile();

    public bool OnBatch(PacketBatch batch, int count, VerdictBatch verdicts)
    {
        Batches++;
        if (Abandon)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            var packet = batch[i];
            if ((packet.Payload[0] & 1) == 1)
            {
                verdicts.Drop(packet.PacketId);
            }
            else
            {
                verdicts.Accept(packet.PacketId);
            }
        }

        Packets += count;
        return true;
    }

    public void OnReceiveFailed(Exception error) => ReceiveFailures.Add(error);

    public void OnSendFailed(Exception error) => SendFailures.Add(error);
}
