using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.OpenFlow;
using NetServ.OpenFlow.Transport;
using NetServ.Sdk;
using NetServ.Testbed.OpenFlow;
using NetServ.TestSupport.OpenFlow;

namespace NetServ.Apps.OpenFlowController.Tests;

/// <summary>
/// A real Open vSwitch with a sender (port 1, 198.18.0.1), a receiver (port 2, 198.18.0.2) and a NetServ node
/// (port 3, 198.18.0.3; further nodes at ports 4... and 198.18.0.4...), static neighbours, and a
/// <see cref="LearningController"/> running on it, told of the node's filters by <c>filters</c> when given.
/// The controller can be killed without cleanup and a new one connected (<see cref="CrashControllerAsync"/>,
/// <see cref="ConnectNewControllerAsync"/>). Skips the test without root or Open vSwitch.
/// </summary>
internal sealed class SwitchRig : IAsyncDisposable
{
    private readonly OpenFlowListener _listener;
    private readonly LearningControllerOptions _options;
    private readonly IPacketFilterEvents? _filters;
    private CancellationTokenSource _stop = new();
    private IDisposable? _subscription;
    private Task _run;
    private bool _crashed;

    private SwitchRig(OvsSwitch ovs, OpenFlowListener listener, OpenFlowConnection connection, LearningControllerOptions options, IPacketFilterEvents? filters)
    {
        Switch = ovs;
        _listener = listener;
        _options = options;
        _filters = filters;
        (Connection, Controller, _subscription, _run) = Run(connection);
    }

    public OvsSwitch Switch { get; }

    public OvsHost Sender => Switch.Hosts[0];

    public OvsHost Receiver => Switch.Hosts[1];

    public OvsHost Node => Switch.Hosts[2];

    /// <summary>The NetServ nodes, <see cref="Node"/> first.</summary>
    public IReadOnlyList<OvsHost> Nodes => [.. Switch.Hosts.Skip(2)];

    public OpenFlowConnection Connection { get; private set; }

    public LearningController Controller { get; private set; }

    /// <summary>Starts the switch, the hosts and the controller; <paramref name="options"/> makes its options from the nodes' hosts.</summary>
    public static async Task<SwitchRig> StartAsync(Func<IReadOnlyList<OvsHost>, LearningControllerOptions> options, IPacketFilterEvents? filters = null, int nodes = 1)
    {
        var ovs = TestSwitch.Start();
        try
        {
            ovs.AddHost("sender", "198.18.0.1/24");
            ovs.AddHost("receiver", "198.18.0.2/24");
            var nodeHosts = Enumerable.Range(0, nodes).Select(i => ovs.AddHost(i == 0 ? "node" : $"node{i + 1}", $"198.18.0.{3 + i}/24")).ToArray();
            ovs.AddStaticNeighbours();
            var listener = ovs.ListenForController();
            var connection = await listener.AcceptAsync(CancellationToken.None);
            await connection.StartAsync(CancellationToken.None);
            return new SwitchRig(ovs, listener, connection, options(nodeHosts), filters);
        }
        catch
        {
            ovs.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The controller dies as a crashed module would: its work stops and its connection closes, and nothing is deleted
    /// from the switch.
    /// </summary>
    public async Task CrashControllerAsync()
    {
        _subscription?.Dispose();
        await _stop.CancelAsync();
        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Connection.DisposeAsync();
        _stop.Dispose();
        _crashed = true;
    }

    /// <summary>A new controller takes the switch's next connection (it retries within a second), as a reinstalled module would.</summary>
    public async Task ConnectNewControllerAsync(CancellationToken cancellationToken)
    {
        var connection = await _listener.AcceptAsync(cancellationToken);
        await connection.StartAsync(cancellationToken);
        _stop = new CancellationTokenSource();
        (Connection, Controller, _subscription, _run) = Run(connection);
        _crashed = false;
    }

    /// <summary>Waits until the controller's four proactive flows are in the switch.</summary>
    public Task WaitForProactiveFlowsAsync(CancellationToken cancellationToken) =>
        WaitForAsync(() => Switch.DumpFlows().Count >= 4, cancellationToken);

    public async Task<ulong> TxPacketsAsync(uint port, CancellationToken cancellationToken) => (await PortStatsAsync(port, cancellationToken)).TxPackets;

    public async Task<ulong> RxPacketsAsync(uint port, CancellationToken cancellationToken) => (await PortStatsAsync(port, cancellationToken)).RxPackets;

    /// <summary>
    /// Waits until the switch's datapath has revalidated the flows it caches against its flow table: until then a
    /// deleted flow may still carry packets (here: to a node whose link is down, where they are lost).
    /// </summary>
    public void WaitForDatapath() =>
        NetServ.Testbed.Linux.CommandRunner.Run("ovs-appctl", ["-t", Path.Combine(Switch.Directory, "ovs-vswitchd.ctl"), "revalidator/wait"]).EnsureSuccess();

    /// <summary>The packets the switch sent out of <paramref name="port"/>, from <c>ovs-ofctl dump-ports</c>: readable with no controller connected.</summary>
    public ulong SwitchTxPackets(uint port)
    {
        var text = Switch.OfCtl("dump-ports", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var at = text.IndexOf("tx pkts=", StringComparison.Ordinal) + "tx pkts=".Length;
        return ulong.Parse(text.AsSpan(at, text.IndexOf(',', at) - at), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<int> ReceiveAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken) =>
        await socket.ReceiveAsync(buffer, cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);

    public static Task WaitForAsync(Func<bool> condition, CancellationToken cancellationToken) =>
        WaitForAsync(() => Task.FromResult(condition()), cancellationToken);

    public static async Task WaitForAsync(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("the condition did not hold within 10 s");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_crashed)
        {
            _listener.Dispose();
            Switch.Dispose();
            return;
        }

        _subscription?.Dispose();
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        await Connection.DisposeAsync();
        _listener.Dispose();
        _stop.Dispose();
        Switch.Dispose();
    }

    private (OpenFlowConnection, LearningController, IDisposable?, Task) Run(OpenFlowConnection connection)
    {
        var controller = new LearningController(_options, NullLogger.Instance);
        var subscription = _filters?.Subscribe(controller);
        return (connection, controller, subscription, controller.RunAsync(connection, _stop.Token));
    }

    private async Task<PortStats> PortStatsAsync(uint port, CancellationToken cancellationToken)
    {
        var reply = await Connection.RequestAsync(xid => new PortStatsRequestMessage(xid, port), cancellationToken);
        return ((PortStatsReplyMessage)reply).Ports.Single();
    }
}
