using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetServ.Apps.OpenFlowController;
using NetServ.OpenFlow.Transport;
using NetServ.Sdk;

[assembly: NetServModule(typeof(OpenFlowControllerModule))]

namespace NetServ.Apps.OpenFlowController;

/// <summary>
/// The OpenFlow controller as a NetServ module (paper section 10): listens at <c>listen_ip:listen_port</c>
/// (127.0.0.1:6653 unless set) for switches, and runs a <see cref="LearningController"/> on each, with the
/// NetServ node at switch port <c>netserv_port</c> (its MAC address <c>netserv_mac</c>). Where the container offers
/// the <c>filter-events</c> building block, each controller hears of the node's packet filters and steers their
/// flows through the node.
/// </summary>
public sealed partial class OpenFlowControllerModule : NetServModule, IModuleStatus, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _sessions = [];
    private OpenFlowListener? _listener;
    private LearningControllerOptions? _options;
    private Task? _acceptLoop;
    private readonly List<LearningController> _controllers = [];
    private IPacketFilterEvents? _filterEvents;
    private long _switches;

    /// <inheritdoc />
    public JsonObject GetStatus() => new()
    {
        ["listening"] = _listener?.LocalEndPoint.ToString(),
        ["netservPort"] = _options?.NetServPort,
        ["switches"] = Interlocked.Read(ref _switches),
        ["filterEvents"] = _filterEvents is not null,
        ["filters"] = Controllers().Sum(c => c.Filters),
        ["packetIns"] = Controllers().Sum(c => c.PacketIns),
        ["steeredFlows"] = Controllers().Sum(c => c.SteeredFlows),
        ["steeredFlowsPerNode"] = new JsonArray([.. Controllers().Select(c => c.SteeredFlowsPerNode).Aggregate(
            new long[1 + (_options?.MoreNodes.Count ?? 0)], (sum, c) => [.. sum.Zip(c, (a, b) => a + b)]).Select(n => (JsonNode?)n)]),
        ["bypassedFlows"] = Controllers().Sum(c => c.BypassedFlows),
        ["nodes"] = NodesStatus(),
    };

    /// <summary>Each node's port and whether it is live on every switch connected now (null with none connected).</summary>
    private JsonArray NodesStatus()
    {
        var controllers = Controllers();
        var live = controllers.Select(c => c.NodesLive).ToArray();
        return new JsonArray([.. (_options?.Nodes ?? []).Select((node, i) => (JsonNode?)new JsonObject
        {
            ["port"] = node.Port,
            ["live"] = live.Length == 0 ? null : live.All(l => l[i]),
        })]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _listener?.Dispose();
        _stopping.Dispose();
    }

    /// <inheritdoc />
    protected override Task OnStartAsync(CancellationToken cancellationToken)
    {
        var properties = Context.Properties;
        var ip = properties.GetString("listen_ip") ?? "127.0.0.1";
        if (!IPAddress.TryParse(ip, out var address))
        {
            throw new ArgumentException($"listen_ip '{ip}' is not an IP address");
        }

        var port = properties.GetInt32("listen_port", 6653);
        if (port is < 0 or > 65535)
        {
            throw new ArgumentException($"listen_port {port} is not a port");
        }

        var netservPort = properties.GetInt32("netserv_port", 0);
        if (netservPort <= 0)
        {
            throw new ArgumentException("netserv_port (the NetServ node's switch port) must be given and positive");
        }

        var mac = properties.GetString("netserv_mac");
        _options = new LearningControllerOptions
        {
            NetServPort = (uint)netservPort,
            NetServMac = mac is null ? null : NetServ.OpenFlow.EthernetAddress.Parse(mac),
        };
        foreach (var node in (properties.GetString("more_netserv_nodes") ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            _options.MoreNodes.Add(ParseNode(node));
        }

        _options.Validate();
        _filterEvents = Context.BuildingBlocks.Find<IPacketFilterEvents>();
        _listener = new OpenFlowListener(
            new IPEndPoint(address, port), Options.Create(new OpenFlowConnectionOptions()), Context.TimeProvider,
            Context.LoggerFactory.CreateLogger<OpenFlowConnection>());
        _acceptLoop = AcceptAsync(_listener, _options);
        Log.Listening(Context.Logger, _listener.LocalEndPoint, netservPort);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override async Task OnStopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        Task[] sessions;
        lock (_sessions)
        {
            sessions = [.. _sessions];
        }

        await Task.WhenAll([.. sessions, _acceptLoop ?? Task.CompletedTask]).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task AcceptAsync(OpenFlowListener listener, LearningControllerOptions options)
    {
        while (!_stopping.IsCancellationRequested)
        {
            OpenFlowConnection connection;
            try
            {
                connection = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                return;
            }

            var session = RunSessionAsync(connection, options);
            lock (_sessions)
            {
                _sessions.RemoveAll(t => t.IsCompleted);
                _sessions.Add(session);
            }
        }
    }

    private async Task RunSessionAsync(OpenFlowConnection connection, LearningControllerOptions options)
    {
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                await connection.StartAsync(_stopping.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _switches);
                var controller = new LearningController(options, Context.Logger);
                lock (_controllers)
                {
                    _controllers.Add(controller);
                }

                using var subscription = _filterEvents?.Subscribe(controller);
                try
                {
                    await controller.RunAsync(connection, _stopping.Token).ConfigureAwait(false);
                }
                finally
                {
                    lock (_controllers)
                    {
                        _controllers.Remove(controller);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (OpenFlowConnectionException e)
            {
                Log.SessionEnded(Context.Logger, connection.Peer, e.Message);
            }
        }
    }

    /// <summary>One of <c>more_netserv_nodes</c>: <c>port@mac</c>, or a port alone.</summary>
    private static NetServNodeAttachment ParseNode(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var port = at < 0 ? text : text[..at];
        if (!uint.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number == 0)
        {
            throw new ArgumentException($"more_netserv_nodes: '{text}' is not port@mac (4@02:00:00:00:00:04)");
        }

        return new NetServNodeAttachment(number, at < 0 ? null : NetServ.OpenFlow.EthernetAddress.Parse(text[(at + 1)..]));
    }

    private LearningController[] Controllers()
    {
        lock (_controllers)
        {
            return [.. _controllers];
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Listening for switches at {EndPoint}, NetServ node at switch port {NetServPort}")]
        public static partial void Listening(ILogger logger, IPEndPoint endPoint, int netServPort);

        [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Switch {Peer}: {Reason}")]
        public static partial void SessionEnded(ILogger logger, string peer, string reason);
    }
}
