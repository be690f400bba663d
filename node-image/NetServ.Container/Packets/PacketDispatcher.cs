using System.Diagnostics;
using Microsoft.Extensions.Logging;
using NetServ.Native;
using NetServ.Netfilter.Queue;
using NetServ.Sdk;

namespace NetServ.Container.Packets;

/// <summary>
/// Reads the user's NFQUEUE in batches (<see cref="QueueReader"/>), passes each packet through the
/// <see cref="ModuleChain"/> as a span over the receive buffer, and returns all verdicts of a batch at
/// once. A watchdog thread spots a module call that does not return: it releases the stuck batch
/// (fail-open), takes the module out, and starts a fresh reader; the stuck thread is abandoned until
/// the node recycles the container.
/// </summary>
internal sealed partial class PacketDispatcher : IDisposable
{
    // A failing receive is retried at this pace: quick enough for a passing error, slow enough not to spin.
    private static readonly TimeSpan ReceiveRetryDelay = TimeSpan.FromMilliseconds(10);

    private readonly IPacketQueue _queue;
    private readonly ModuleChain _chain;
    private readonly PacketDispatcherOptions _options;
    private readonly ILogger<PacketDispatcher> _logger;
    private readonly Thread _watchdog;
    private volatile bool _stopping;
    private int _generation;
    private Thread? _reader;

    // Read by the watchdog and by chain changes; written by the reader once per batch.
    private int _inBatch;
    private long _batchSequence;
    private uint _batchLastId;
    private long _received;
    private long _accepted;
    private long _dropped;
    private long _modified;
    private long _batches;

    public PacketDispatcher(IPacketQueue queue, ModuleChain chain, PacketDispatcherOptions options, ILogger<PacketDispatcher> logger)
    {
        _queue = queue;
        _chain = chain;
        _options = options;
        _logger = logger;
        _watchdog = new Thread(WatchdogLoop) { IsBackground = true, Name = "netserv watchdog" };
    }

    /// <summary>Raised on the watchdog thread when a module call exceeded the hang timeout; the module is already out of the chain.</summary>
    public event Action<ModuleSlot>? ModuleHung;

    public long Received => Interlocked.Read(ref _received);

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Modified => Interlocked.Read(ref _modified);

    public long Batches => Interlocked.Read(ref _batches);

    public void Start()
    {
        StartReader();
        if (!_options.NoModuleLayer)
        {
            _watchdog.Start();
        }
    }

    /// <summary>
    /// Waits until no batch that might still use a removed module is in progress, so the module
    /// can be stopped and unloaded safely. Returns false when the reader did not finish in time.
    /// </summary>
    public bool WaitForBatchBoundary(TimeSpan timeout)
    {
        // Pairs with the Interlocked.Exchange in the reader: either the reader sees the new chain, or we see it in a batch.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _inBatch) == 0)
        {
            return true;
        }

        var sequence = Interlocked.Read(ref _batchSequence);
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var spinner = default(SpinWait);
        while (Interlocked.Read(ref _batchSequence) == sequence && Volatile.Read(ref _inBatch) != 0)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            spinner.SpinOnce(sleep1Threshold: 20);
        }

        return true;
    }

    public void Stop(TimeSpan timeout)
    {
        _stopping = true;
        _reader?.Join(timeout);
    }

    public void Dispose() => Stop(TimeSpan.FromSeconds(1));

    private void StartReader()
    {
        var generation = Volatile.Read(ref _generation);
        var reader = new Thread(() => ReadLoop(generation)) { IsBackground = true, Name = $"netserv reader {generation}" };
        _reader = reader;
        reader.Start();
    }

    private void ReadLoop(int generation)
    {
        if (_options.ReaderCpu is { } cpu)
        {
            try
            {
                Interop.PinCurrentThread(cpu);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                Log.PinFailed(_logger, cpu, e.Message);
            }
        }

        // Each reader generation owns its buffers: an abandoned reader stuck in a module keeps its own.
        QueueReader.Run(_queue, CreateReader(generation), ReceiveRetryDelay);
    }

    /// <summary>The reading loop's handler for reader <paramref name="generation"/>.</summary>
    internal Reader CreateReader(int generation) => new(this, generation);

    /// <summary>
    /// Passes the <paramref name="count"/> packets of a received batch through the module chain, deciding
    /// their verdicts into <paramref name="verdicts"/> (empty on entry; the reader sends them). Allocation-free
    /// whatever the modules and filters, unless a module throws. Returns false when the watchdog declared this
    /// reader generation hung meanwhile: it has released the batch, so its verdicts must not be sent, and the
    /// reader must stop.
    /// </summary>
    internal bool DispatchBatch(PacketBatch batch, int count, VerdictBatch verdicts, byte[] spill, int generation)
    {
        Interlocked.Exchange(ref _inBatch, 1);
        Volatile.Write(ref _batchLastId, batch[count - 1].PacketId);
        if (_options.NoModuleLayer || _chain.IsEmpty)
        {
            verdicts.Accept(batch[count - 1].PacketId);
            Interlocked.Add(ref _accepted, count);
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                var queued = batch[i];
                var id = queued.PacketId;

                if (queued.IsTruncated)
                {
                    // Only part of it was copied to us (over 64 KiB): it passes unprocessed, never half-sent back.
                    verdicts.Accept(id);
                    _accepted++;
                    continue;
                }

                // The packet may grow into the free room of its receive slot, then into the spill buffer.
                var packet = new Packet(queued.PayloadBuffer, queued.Payload.Length, spill);

                var outcome = _chain.Process(ref packet);
                if (Volatile.Read(ref _generation) != generation)
                {
                    // The watchdog declared this thread hung while it was inside a module and has
                    // already released the batch; a late return must not send stale verdicts.
                    return false;
                }

                switch (outcome)
                {
                    case PacketOutcome.Drop:
                        verdicts.Drop(id);
                        _dropped++;
                        break;
                    case PacketOutcome.AcceptModified:
                        verdicts.AcceptModified(id, packet.Data);
                        _modified++;
                        break;
                    default:
                        verdicts.Accept(id);
                        _accepted++;
                        break;
                }
            }
        }

        _received += count;
        _batches++;
        Interlocked.Increment(ref _batchSequence);
        Volatile.Write(ref _inBatch, 0);
        return true;
    }

    private void WatchdogLoop()
    {
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 10, _options.HangTimeout.Ticks / 4));
        while (!_stopping)
        {
            Thread.Sleep(period);
            var started = _chain.CallStarted;
            if (started == 0 || Stopwatch.GetElapsedTime(started) < _options.HangTimeout || _chain.CallSlot is not { } slot)
            {
                continue;
            }

            // Take over: new generation first, so the stuck reader sends nothing if it ever returns.
            Interlocked.Increment(ref _generation);
            _chain.Remove(slot.ModuleName);
            slot.LastError = $"hung: no return within {_options.HangTimeout.TotalMilliseconds:0} ms";
            var release = _queue.CreateVerdictBatch();
            release.Accept(Volatile.Read(ref _batchLastId));
            try
            {
                _queue.SendVerdicts(release);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                Log.VerdictFailed(_logger, e.Message);
            }

            Interlocked.Exchange(ref _inBatch, 0);
            Interlocked.Increment(ref _batchSequence);
            Log.ModuleHung(_logger, slot.ModuleName, _options.HangTimeout.TotalMilliseconds);
            StartReader();
            ModuleHung?.Invoke(slot);
        }
    }

    /// <summary>
    /// One reader generation as the reading loop sees it: it reads while the dispatcher runs and the generation
    /// is current, and has its own spill buffer, which an abandoned reader keeps.
    /// </summary>
    internal sealed class Reader : IPacketBatchHandler
    {
        private readonly PacketDispatcher _dispatcher;
        private readonly int _generation;

        // Room for a packet that a module grows beyond the free room of its receive slot.
        private readonly byte[] _spill = GC.AllocateUninitializedArray<byte>(ushort.MaxValue + 1);

        public Reader(PacketDispatcher dispatcher, int generation)
        {
            _dispatcher = dispatcher;
            _generation = generation;
        }

        public bool KeepReading => !_dispatcher._stopping && Volatile.Read(ref _dispatcher._generation) == _generation;

        public bool OnBatch(PacketBatch batch, int count, VerdictBatch verdicts) =>
            _dispatcher.DispatchBatch(batch, count, verdicts, _spill, _generation);

        public void OnReceiveFailed(Exception error) => Log.ReceiveFailed(_dispatcher._logger, error.Message);

        public void OnSendFailed(Exception error) => Log.VerdictFailed(_dispatcher._logger, error.Message);
    }

    private static partial class Log
    {
        [LoggerMessage(1101, LogLevel.Error, "Module {Module} did not return from a packet within {TimeoutMs} ms: it is taken out of the packet path and the stuck packets were accepted")]
        public static partial void ModuleHung(ILogger logger, string module, double timeoutMs);

        [LoggerMessage(1102, LogLevel.Warning, "Receiving from the queue failed: {Error}")]
        public static partial void ReceiveFailed(ILogger logger, string error);

        [LoggerMessage(1103, LogLevel.Warning, "Sending verdicts failed: {Error}")]
        public static partial void VerdictFailed(ILogger logger, string error);

        [LoggerMessage(1104, LogLevel.Warning, "Could not pin the reader to CPU {Cpu}: {Error}")]
        public static partial void PinFailed(ILogger logger, int cpu, string error);
    }
}
