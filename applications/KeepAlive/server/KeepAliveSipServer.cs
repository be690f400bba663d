using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetServ.Apps.Signaling;
using NetServ.Networking;
using NetServ.Sip;

namespace NetServ.Apps.KeepAlive.Server;

/// <summary>
/// The server's socket loop: receives datagrams, lets <see cref="SipRegistrar"/> answer them,
/// counts keep-alives per user agent and, once one passes the threshold, has
/// <see cref="ModuleSignaler"/> install the KeepAlive module on the path toward it.
/// </summary>
internal sealed partial class KeepAliveSipServer(SipRegistrar registrar, KeepAliveRate rate, ModuleSignaler? signaler, ILogger logger)
{
    private readonly List<Task> _signaling = [];

    public async Task RunAsync(IPEndPoint listen, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(listen);
        Log.Listening(logger, listen.ToString(), signaler?.ModuleName ?? "nothing");
        var receive = new byte[65536];
        var send = new byte[65536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var received = await socket.ReceiveFromAsync(receive, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
                var agent = (IPEndPoint)received.RemoteEndPoint;
                var source = new SipEndpoint(Ipv4Address.FromIPAddress(agent.Address), (ushort)agent.Port);
                var answer = registrar.Handle(receive.AsSpan(0, received.ReceivedBytes), source, send);
                if (answer.ResponseLength > 0)
                {
                    var sendTo = new IPEndPoint(answer.SendTo.Address.ToIPAddress(), answer.SendTo.Port);
                    await socket.SendToAsync(send.AsMemory(0, answer.ResponseLength), SocketFlags.None, sendTo, cancellationToken).ConfigureAwait(false);
                }

                if (!answer.IsKeepAlive)
                {
                    Log.Request(logger, answer.Kind.ToString(), answer.Method, agent.ToString());
                    continue;
                }

                var signal = rate.Record(agent, out var inWindow, out var total);
                Log.KeepAlive(logger, answer.Kind.ToString(), agent.ToString(), inWindow, total);
                if (signal && signaler is not null && Ipv4Address.TryParse(agent.Address.ToString(), out var address))
                {
                    _signaling.Add(signaler.SetupAsync(address, cancellationToken));
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
