using Microsoft.Extensions.Logging;
using NetServ.Networking;
using NetServ.Node.Signaling;
using NetServ.Signaling.Gist;
using NetServ.Signaling.Transport;

namespace NetServ.Node.Tests.Signaling;

/// <summary>
/// GIST in memory: the options the service started it with, every NSLP message the service sent, and
/// deliveries and session outcomes pushed in by the test as if they came from peers.
/// </summary>
internal sealed class FakeSignalingTransport : ISignalingTransport, ISignalingTransportFactory
{
    private readonly Lock _lock = new();
    private readonly List<(GistSessionId Session, GistMessageRoutingInformation Mri, GistDirection Direction, byte[] Message)> _sent = [];

    /// <summary>The address every peer sees this node at.</summary>
    public static readonly Ipv4Address LocalAddress = Ipv4Address.Parse("198.18.1.1");

    public GistEndpointOptions? StartedWith { get; private set; }

    public Exception? StartFails { get; set; }

    public Exception? InterceptFails { get; set; }

    /// <summary>When set, a send in that direction throws it.</summary>
    public (GistDirection Direction, Exception Error)? SendFails { get; set; }

    public List<ushort> InterceptedQueues { get; } = [];

    public bool InterceptorDisposed { get; private set; }

    public bool Disposed { get; private set; }

    public Func<DeliverAction, Task>? Delivered { get; set; }

    public Func<SessionStatusAction, Task>? SessionStatus { get; set; }

    public IReadOnlyList<(GistSessionId Session, GistMessageRoutingInformation Mri, GistDirection Direction, byte[] Message)> Sent
    {
        get
        {
            lock (_lock)
            {
                return _sent.ToList();
            }
        }
    }

    public IReadOnlyList<(GistSessionId Session, GistMessageRoutingInformation Mri, GistDirection Direction, byte[] Message)> SentDownstream =>
        Sent.Where(s => s.Direction == GistDirection.Downstream).ToList();

    public IReadOnlyList<(GistSessionId Session, GistMessageRoutingInformation Mri, GistDirection Direction, byte[] Message)> SentUpstream =>
        Sent.Where(s => s.Direction == GistDirection.Upstream).ToList();

    public ISignalingTransport Start(GistEndpointOptions options, TimeProvider time)
    {
        if (StartFails is { } error)
        {
            throw error;
        }

        StartedWith = options;
        return this;
    }

    public void Send(GistSessionId session, GistMessageRoutingInformation mri, GistDirection direction, byte[] nslpMessage)
    {
        if (SendFails is { } fails && fails.Direction == direction)
        {
            throw fails.Error;
        }

        lock (_lock)
        {
            _sent.Add((session, mri, direction, nslpMessage));
        }
    }

    public Ipv4Address LocalAddressFor(Ipv4Address destination) => LocalAddress;

    /// <summary>What GIST would have counted as dropped, by reason; set by the test.</summary>
    public Dictionary<GistDiscardReason, long> Discarded { get; } = [];

    public long DiscardedFor(GistDiscardReason reason) => Discarded.GetValueOrDefault(reason);

    public IDisposable InterceptQueries(ushort queue, ILogger logger)
    {
        if (InterceptFails is { } error)
        {
            throw error;
        }

        InterceptedQueues.Add(queue);
        return new Interception(this);
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    private sealed class Interception(FakeSignalingTransport transport) : IDisposable
    {
        public void Dispose() => transport.InterceptorDisposed = true;
    }
}
