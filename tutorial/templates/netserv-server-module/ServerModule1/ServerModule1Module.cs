using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NetServ.Sdk;
using ServerModule1;

// The node loads the module named here from the package's assembly.
[assembly: NetServModule(typeof(ServerModule1Module))]

namespace ServerModule1;

/// <summary>
/// A server module: it has no packet filter; it listens on a UDP port that the node's policy allows its user
/// (the SETUP property <c>port</c>, opened through the <c>server-sockets</c> building block) and answers each
/// datagram with <c>hello </c> followed by the datagram. Its request count is in its status.
/// </summary>
public sealed partial class ServerModule1Module : NetServModule, IModuleStatus, IDisposable
{
    private const int MaxDatagram = 1472;

    private CancellationTokenSource? _stopping;
    private Socket? _socket;
    private Task _serving = Task.CompletedTask;
    private long _requests;

    /// <summary>The UDP port the module listens on, once started.</summary>
    public int Port { get; private set; }

    /// <inheritdoc />
    public JsonObject GetStatus() => new() { ["port"] = Port, ["requests"] = Interlocked.Read(ref _requests) };

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping?.Dispose();
        _socket?.Dispose();
    }

    /// <inheritdoc />
    protected override Task OnStartAsync(CancellationToken cancellationToken)
    {
        Port = Context.Properties.GetInt32("port", 0);
        if (Port is < 1 or > 65535)
        {
            throw new ArgumentException("the SETUP property 'port' must name a UDP port the node's policy allows (port=...)");
        }

        // Throws ModulePolicyException when the node's policy does not give the user this port.
        _socket = Context.BuildingBlocks.Require<IServerSockets>().BindUdp(Port);
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(Context.ModuleStopping);
        _serving = ServeAsync(_socket, _stopping.Token);
        Log.Listening(Context.Logger, Port);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override async Task OnStopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is not null)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        await _serving.ConfigureAwait(false);
        _socket?.Dispose();
    }

    private async Task ServeAsync(Socket socket, CancellationToken cancellationToken)
    {
        var request = new byte[MaxDatagram];
        var reply = new byte[MaxDatagram + Greeting.Prefix.Length];
        EndPoint anyone = new IPEndPoint(IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var received = await socket.ReceiveFromAsync(request, SocketFlags.None, anyone, cancellationToken).ConfigureAwait(false);
                if (Greeting.TryWrite(request.AsSpan(0, received.ReceivedBytes), reply, out var length))
                {
                    Interlocked.Increment(ref _requests);
                    await socket.SendToAsync(reply.AsMemory(0, length), SocketFlags.None, received.RemoteEndPoint, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                // One client's failure (an ICMP port unreachable, say) must not stop the server.
                Log.RequestFailed(Context.Logger, e.SocketErrorCode.ToString());
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Listening on UDP port {Port}")]
        public static partial void Listening(ILogger logger, int port);

        [LoggerMessage(2, LogLevel.Warning, "A request failed: {Error}")]
        public static partial void RequestFailed(ILogger logger, string error);
    }
}
