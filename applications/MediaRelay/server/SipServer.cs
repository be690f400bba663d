using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetServ.Apps.Signaling;
using NetServ.Sdk;

namespace NetServ.Apps.MediaRelay.Server;

/// <summary>
/// The server's socket loop: answers REGISTER and, for an agent new or moved, has
/// <see cref="ModuleSignaler"/> install the Media Relay on the path toward it, then remembers the
/// node that answered nearest the agent (the last on the path) as that agent's relay.
/// </summary>
internal sealed partial class SipServer(RelayDirectory directory, ModuleSignaler signaler, byte[] toTag, ILogger logger)
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
                var received = await socket.ReceiveFromAsync(receive, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
                var agent = (IPEndPoint)received.RemoteEndPoint;
                var datagram = receive.AsSpan(0, received.ReceivedBytes);
                if (!SipRegister.TryRead(datagram, out var aor))
                {
                    // Calls are relayed through CallRelayPlanner by a proxy; this registrar answers REGISTER only.
                    continue;
                }

                if (SipRegister.TryWriteOk(send, datagram, toTag, 3600, out var length))
                {
                    await socket.SendToAsync(send.AsMemory(0, length), SocketFlags.None, agent, cancellationToken).ConfigureAwait(false);
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
        [LoggerMessage(1, LogLevel.Information, "SIP registrar on udp {Listen}; installs {Module} near registering user agents")]
        public static partial void Listening(ILogger logger, string listen, string module);

        [LoggerMessage(2, LogLevel.Information, "REGISTER {Aor} from {Agent}")]
        public static partial void Registered(ILogger logger, string aor, string agent);

        [LoggerMessage(3, LogLevel.Information, "relay for {Aor}: node {Node} at {Relay}")]
        public static partial void RelayChosen(ILogger logger, string aor, string node, string relay);

        [LoggerMessage(4, LogLevel.Warning, "no NetServ node installed the relay toward {Aor} (status {Status}); its calls go without one")]
        public static partial void NoRelay(ILogger logger, string aor, int status);
    }
}
