using System.Net;
using Microsoft.Extensions.Logging;
using NetServ.Apps.Signaling;
using NetServ.Networking;
using NetServ.Sip;
using NetServ.Sip.Transport;

namespace NetServ.Apps.MediaRelay.Server;

/// <summary>
/// What the server does with each datagram <see cref="SipUdpServer"/> receives: answers REGISTER
/// and, for an agent new or moved, has <see cref="ModuleSignaler"/> install the Media Relay on the
/// path toward it, then remembers the node that answered nearest the agent (the last on the path)
/// as that agent's relay. Every other datagram goes to <see cref="SipCallProxy"/>, which relays the calls, and what it returns is sent.
/// </summary>
internal sealed partial class MediaRelaySipServer(RelayDirectory directory, ModuleSignaler signaler, SipCallProxy proxy, SipToTags toTags, ILogger logger)
{
    public async Task RunAsync(IPEndPoint listen, CancellationToken cancellationToken)
    {
        using var server = SipUdpServer.Bind(listen, logger);
        Log.Listening(logger, listen.ToString(), signaler.ModuleName);
        await server.RunAsync(HandleAsync, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask HandleAsync(SipUdpServer server, SipUdpDatagram datagram, CancellationToken cancellationToken)
    {
        var agent = datagram.Agent;
        if (!SipRegister.TryRead(datagram.Payload.Span, out var aor))
        {
            // What the proxy throws, the server logs and goes on to the next datagram.
            foreach (var send in await proxy.HandleAsync(datagram.Payload, agent, cancellationToken).ConfigureAwait(false))
            {
                await server.SendAsync(send.Payload, send.Destination, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (SipRegister.TryWriteOk(server.ReplyBuffer, datagram.Payload.Span, datagram.Source, toTags, 3600, out var length, out var sendTo))
        {
            await server.ReplyAsync(length, sendTo, cancellationToken).ConfigureAwait(false);
        }

        Log.Registered(logger, aor, agent.ToString());
        if (directory.Register(aor, agent))
        {
            server.RunInBackground(InstallRelayAsync(aor, agent.Address, cancellationToken));
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
    }
}
