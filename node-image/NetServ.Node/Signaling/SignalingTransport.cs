// The GIST endpoint and the NFQUEUE Query interceptor behind an interface, so that the NSLP can be tested without sockets.
using Microsoft.Extensions.Logging;
using NetServ.Networking;
using NetServ.Signaling.Gist;
using NetServ.Signaling.Transport;

namespace NetServ.Node.Signaling;

/// <summary>What the NSLP needs of GIST: messages in, messages out, the local address a peer sees.</summary>
internal interface ISignalingTransport : IAsyncDisposable
{
    /// <summary>Called with every NSLP message GIST delivers.</summary>
    Func<DeliverAction, Task>? Delivered { get; set; }

    /// <summary>Called when GIST gives up on a session or finishes it.</summary>
    Func<SessionStatusAction, Task>? SessionStatus { get; set; }

    /// <summary>Sends an NSLP message downstream (discovering the next peer) or upstream.</summary>
    void Send(GistSessionId session, GistMessageRoutingInformation mri, GistDirection direction, byte[] nslpMessage);

    /// <summary>The local address a peer toward <paramref name="destination"/> sees this node at.</summary>
    Ipv4Address LocalAddressFor(Ipv4Address destination);

    /// <summary>Takes NetServ Queries the node would forward off NFQUEUE <paramref name="queue"/> and hands them to GIST.</summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The queue cannot be opened.</exception>
    IDisposable InterceptQueries(ushort queue, ILogger logger);

    /// <summary>How many messages GIST dropped for <paramref name="reason"/> since it started.</summary>
    long DiscardedFor(GistDiscardReason reason);
}

/// <summary>Starts the node's signaling transport.</summary>
internal interface ISignalingTransportFactory
{
    /// <exception cref="System.Net.Sockets.SocketException">The GIST port cannot be bound.</exception>
    ISignalingTransport Start(GistEndpointOptions options, TimeProvider time);
}

/// <summary>The real transport: a <see cref="GistEndpoint"/> on UDP and TCP, Queries intercepted on NFQUEUE.</summary>
internal sealed class GistSignalingTransportFactory(ILoggerFactory loggerFactory) : ISignalingTransportFactory
{
    public ISignalingTransport Start(GistEndpointOptions options, TimeProvider time) =>
        new GistSignalingTransport(GistEndpoint.Start(options, loggerFactory.CreateLogger<GistEndpoint>(), time));

    private sealed class GistSignalingTransport(GistEndpoint endpoint) : ISignalingTransport
    {
        public Func<DeliverAction, Task>? Delivered
        {
            get => endpoint.Delivered;
            set => endpoint.Delivered = value;
        }

        public Func<SessionStatusAction, Task>? SessionStatus
        {
            get => endpoint.SessionStatus;
            set => endpoint.SessionStatus = value;
        }

        public void Send(GistSessionId session, GistMessageRoutingInformation mri, GistDirection direction, byte[] nslpMessage) =>
            endpoint.Send(session, mri, direction, nslpMessage);

        public Ipv4Address LocalAddressFor(Ipv4Address destination) => endpoint.LocalAddressFor(destination);

        public IDisposable InterceptQueries(ushort queue, ILogger logger) => QueryInterceptor.Start(queue, endpoint, logger);

        public long DiscardedFor(GistDiscardReason reason) => endpoint.DiscardedFor(reason);

        public ValueTask DisposeAsync() => endpoint.DisposeAsync();
    }
}
