using Microsoft.Extensions.Logging;
using NetServ.Netfilter.Queue;
using NetServ.Signaling.Transport;

namespace NetServ.Node.Signaling;

/// <summary>
/// Reads the signaling NFQUEUE (<see cref="QueueReader"/>): every udp/270 packet the node would forward.
/// NetServ Queries are handed to GIST and dropped from the path (the NSLP sends its own Query on);
/// anything else goes on unchanged, as a plain router would send it.
/// </summary>
internal sealed partial class QueryInterceptor : IPacketBatchHandler, IDisposable
{
    // A failing queue is retried at this pace, so that its warnings stay few.
    private static readonly TimeSpan ReceiveRetryDelay = TimeSpan.FromMilliseconds(50);

    private readonly NetfilterQueue _queue;
    private readonly GistEndpoint _endpoint;
    private readonly ILogger _logger;
    private readonly Thread _reader;
    private volatile bool _stopping;
    private long _taken;
    private long _passed;

    private QueryInterceptor(NetfilterQueue queue, GistEndpoint endpoint, ILogger logger)
    {
        _queue = queue;
        _endpoint = endpoint;
        _logger = logger;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "signaling interceptor" };
    }

    public long Taken => Interlocked.Read(ref _taken);

    public long Passed => Interlocked.Read(ref _passed);

    public static QueryInterceptor Start(ushort queueNumber, GistEndpoint endpoint, ILogger logger)
    {
        var queue = NetfilterQueue.Open(queueNumber, new NetfilterQueueOptions { BatchSize = 16, MaxLength = 1024 }, logger);
        var interceptor = new QueryInterceptor(queue, endpoint, logger);
        interceptor._reader.Start();
        Log.Started(logger, queueNumber);
        return interceptor;
    }

    public void Dispose()
    {
        _stopping = true;
        _reader.Join(TimeSpan.FromSeconds(1));
        _queue.Dispose();
    }

    bool IPacketBatchHandler.KeepReading => !_stopping;

    bool IPacketBatchHandler.OnBatch(PacketBatch batch, int count, VerdictBatch verdicts)
    {
        for (var i = 0; i < count; i++)
        {
            var packet = batch[i];
            if (_endpoint.TryTakeQuery(packet.Payload))
            {
                verdicts.Drop(packet.PacketId);
                Interlocked.Increment(ref _taken);
            }
            else
            {
                verdicts.Accept(packet.PacketId);
                Interlocked.Increment(ref _passed);
            }
        }

        return true;
    }

    void IPacketBatchHandler.OnReceiveFailed(Exception error) => Log.Failed(_logger, error.Message);

    void IPacketBatchHandler.OnSendFailed(Exception error) => Log.Failed(_logger, error.Message);

    private void ReadLoop() => QueueReader.Run(_queue, this, ReceiveRetryDelay);

    private static partial class Log
    {
        [LoggerMessage(3201, LogLevel.Information, "Intercepting GIST Queries on NFQUEUE {Queue}")]
        public static partial void Started(ILogger logger, ushort queue);

        [LoggerMessage(3202, LogLevel.Warning, "Signaling interception: {Error}")]
        public static partial void Failed(ILogger logger, string error);
    }
}
