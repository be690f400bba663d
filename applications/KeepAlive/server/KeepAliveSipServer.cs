using System.Net;
using Microsoft.Extensions.Logging;
using NetServ.Apps.Signaling;
using NetServ.Networking;
using NetServ.Sip.Transport;

namespace NetServ.Apps.KeepAlive.Server;

/// <summary>
/// What the server does with each datagram <see cref="SipUdpServer"/> receives: lets
/// <see cref="SipRegistrar"/> answer it, counts keep-alives per user agent and, once one passes the
/// threshold, has <see cref="ModuleSignaler"/> install the KeepAlive module on the path toward it.
/// </summary>
internal sealed partial class KeepAliveSipServer(SipRegistrar registrar, KeepAliveRate rate, ModuleSignaler? signaler, ILogger logger)
{
    public async Task RunAsync(IPEndPoint listen, CancellationToken cancellationToken)
    {
        using var server = SipUdpServer.Bind(listen, logger);
        Log.Listening(logger, listen.ToString(), signaler?.ModuleName ?? "nothing");
        await server.RunAsync(HandleAsync, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask HandleAsync(SipUdpServer server, SipUdpDatagram datagram, CancellationToken cancellationToken)
    {
        var answer = registrar.Handle(datagram.Payload.Span, datagram.Source, server.ReplyBuffer);
        if (answer.ResponseLength > 0)
        {
            await server.ReplyAsync(answer.ResponseLength, answer.SendTo, cancellationToken).ConfigureAwait(false);
        }

        var agent = datagram.Agent;
        if (!answer.IsKeepAlive)
        {
            Log.Request(logger, answer.Kind.ToString(), answer.Method, agent.ToString());
            return;
        }

        var signal = rate.Record(agent, out var inWindow, out var total);
        Log.KeepAlive(logger, answer.Kind.ToString(), agent.ToString(), inWindow, total);
        if (signal && signaler is not null && Ipv4Address.TryParse(agent.Address.ToString(), out var address))
        {
            server.RunInBackground(signaler.SetupAsync(address, cancellationToken));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "SIP server on udp {Listen}; installs {Module} near busy user agents")]
        public static partial void Listening(ILogger logger, string listen, string module);

        [LoggerMessage(2, LogLevel.Information, "keep-alive {Kind} from {Agent}: {InWindow} in the window, {Total} in all")]
        public static partial void KeepAlive(ILogger logger, string kind, string agent, int inWindow, long total);

        [LoggerMessage(3, LogLevel.Information, "{Kind} {Method} from {Agent}")]
        public static partial void Request(ILogger logger, string kind, string method, string agent);
    }
}
