using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetServ.Apps.Signaling;
using NetServ.Networking;
using NetServ.Sip;

namespace NetServ.Apps.MediaRelay.Server;

/// <summary>
/// The server's socket loop: answers REGISTER and, for an agent new or moved, has
/// <see cref="ModuleSignaler"/> install the Media Relay on the path toward it, then remembers the
/// node that answered nearest the agent (the last on the path) as that agent's relay. Every other
/// datagram goes to <see cref="SipCallProxy"/>, which relays the calls, and what it returns is sent.
/// </summary>
internal sealed partial class MediaRelaySipServer(RelayDirectory directory, ModuleSignaler signaler, SipCallProxy proxy, SipToTags toTags, ILogger logger)
{
    private readonly List<Task> _signaling = [];

    public async Task RunAsync(IPEndPoint listen, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(listen);
        Log.Listening(logger, listen.ToString(), signaler.ModuleName);
        var receive = new byte[65536];
        var send = new byte[65536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                SocketReceiveFromResult received;
                try
                {
                    received = await socket.ReceiveFromAsync(receive, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                    // An ICMP error for something sent to an agent that is gone: the socket is still good.
                    continue;
                }

                var agent = (IPEndPoint)received.RemoteEndPoint;
                var datagram = receive.AsMemory(0, received.ReceivedBytes);
                if (!SipRegister.TryRead(datagram.Span, out var aor))
                {
                    await ProxyAsync(socket, datagram, agent, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var source = new SipEndpoint(Ipv4Address.FromIPAddress(agent.Address), (ushort)agent.Port);
                if (SipRegister.TryWriteOk(send, datagram.Span, source, toTags, 3600, out var length, out var sendTo))
                {
                    await socket.SendToAsync(send.AsMemory(0, length), SocketFlags.None, new IPEndPoint(sendTo.Address.ToIPAddress(), sendTo.Port), cancellationToken).ConfigureAwait(false);
                }

                Log.Registered(logger, aor, agent.ToString());
                if (directory.Register(aor, agent))
                {
                    _signaling.Add(InstallRelayAsync(aor, agent.Address, cancellationToken));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        try
        {
            await Task.WhenAll(_signaling).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ProxyAsync(Socket socket, ReadOnlyMemory<byte> datagram, IPEndPoint agent, CancellationToken cancellationToken)
    {
        IReadOnlyList<SipDatagram> sends;
        try
        {
            sends = await proxy.HandleAsync(datagram, agent, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // One message gone wrong must not end the server.
            Log.ProxyFailed(logger, agent.ToString(), e);
            return;
        }

        foreach (var send in sends)
        {
            try
            {
                await socket.SendToAsync(send.Payload, SocketFlags.None, send.Destination, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                Log.SendFailed(logger, send.Destination.ToString(), e.SocketErrorCode.ToString());
            }
        }
    }

    private async Task InstallRelayAsync(string aor, IPAddress agent, CancellationToken cancellationToken)
    {
        var result = await signaler.SetupAsync(Ipv4Address.FromIPAddress(agent), cancellationToken).ConfigureAwait(false);
        if (result.NearestToDestination is { } node && IPAddress.TryParse(node.Address, out var relay))
        {
            directory.SetRelay(aor, relay);
            Log.RelayChosen(logger, aor, node.Node, relay.ToString());
        }
        else
        {
            Log.NoRelay(logger, aor, result.Status);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "SIP registrar and call proxy on udp {Listen}; installs {Module} near registering user agents")]
        public static partial void Listening(ILogger logger, string listen, string module);

        [LoggerMessage(2, LogLevel.Information, "REGISTER {Aor} from {Agent}")]
        public static partial void Registered(ILogger logger, string aor, string agent);

        [LoggerMessage(3, LogLevel.Information, "relay for {Aor}: node {Node} at {Relay}")]
        public static partial void RelayChosen(ILogger logger, string aor, string node, string relay);

        [LoggerMessage(4, LogLevel.Warning, "no NetServ node installed the relay toward {Aor} (status {Status}); its calls go without one")]
        public static partial void NoRelay(ILogger logger, string aor, int status);

        [LoggerMessage(5, LogLevel.Error, "handling a SIP message from {Agent} failed")]
        public static partial void ProxyFailed(ILogger logger, string agent, Exception exception);

        [LoggerMessage(6, LogLevel.Warning, "sending to {Destination} failed: {Error}")]
        public static partial void SendFailed(ILogger logger, string destination, string error);
    }
}
