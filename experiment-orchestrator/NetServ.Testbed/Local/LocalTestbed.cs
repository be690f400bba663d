using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Networking;
using NetServ.RSpec;
using NetServ.Testbed.Linux;
using NetServ.Testbed.OpenFlow;

namespace NetServ.Testbed.Local;

/// <summary>
/// A GENI RSpec v3 request realised on this machine: a network namespace per node
/// (<c>ns-&lt;tag&gt;-&lt;node&gt;</c>), a veth pair per link of two interfaces, a bridge in a namespace of
/// its own (<c>ns-&lt;tag&gt;-lan-&lt;link&gt;</c>) for a LAN of more, the request's addresses (only
/// 198.18.0.0/15; those it leaves to the aggregate chosen here, and those outside the range remapped
/// into it when <see cref="LocalTestbedOptions.RemapAddresses"/> says so), static routes along shortest paths so every node reaches every other node's
/// addresses, IPv4 forwarding on nodes with more than one interface, a switch node (one whose execute service makes an
/// Open vSwitch bridge, <see cref="OpenFlowSwitchNode"/>) as an <see cref="OvsSwitch"/> in its namespace with a veth pair
/// per port, and each node's other <c>execute</c> services run inside its namespace. Built from <see cref="LocalNetwork"/>.
/// Disposing removes every namespace and what runs inside; a realisation that fails or is cancelled
/// removes what it had created before it throws. The first implementation of <see cref="ITestbed"/>: each
/// node's session enters its namespace (<see cref="NamespaceShell"/>).
/// </summary>
/// <remarks>
/// <c>install</c> services are not run: the namespaces share this machine's file system, where the
/// node software is built already. Link properties (capacity, latency, loss) are not applied. What a
/// request asks for that is not realised is logged, and listed by <see cref="Check(RequestRSpec)"/>.
/// </remarks>
public sealed partial class LocalTestbed : ISwitchTestbed
{
    private readonly List<LocalTestbedNode> _nodes = [];
    private readonly Dictionary<string, OvsSwitch> _switches = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly LocalTestbedOptions _options;
    private bool _disposed;

    private LocalTestbed(LocalTestbedPlan plan, LocalNetwork network, LocalTestbedOptions options, ILogger logger)
    {
        Request = plan.Request;
        AssignedAddresses = plan.Assigned;
        AddressMap = plan.AddressMap;
        Network = network;
        _options = options;
        _logger = logger;
    }

    /// <summary>
    /// The request as this testbed realises it, which is what a manifest would say: the given request
    /// with the addresses chosen here (<see cref="AssignedAddresses"/>) and the remapped ones (<see cref="AddressMap"/>),
    /// in its interfaces and its execute services' command lines.
    /// </summary>
    public RequestRSpec Request { get; }

    /// <summary>The addresses this testbed chose for interfaces the request gives none.</summary>
    public IReadOnlyList<AssignedAddress> AssignedAddresses { get; }

    /// <summary>The request's subnets outside 198.18.0.0/15 and the subnets that stand for them here; empty unless remapping was asked for.</summary>
    public IReadOnlyList<SubnetMapping> AddressMap { get; }

    /// <summary>The network of namespaces underneath.</summary>
    public LocalNetwork Network { get; }

    /// <summary>The random tag in every namespace name of this testbed.</summary>
    public string Id => Network.Id;

    /// <summary>The nodes, in the request's order.</summary>
    public IReadOnlyList<LocalTestbedNode> Nodes => _nodes;

    /// <inheritdoc />
    IReadOnlyList<ITestbedNode> ITestbed.Nodes => _nodes;

    /// <summary>
    /// The switch nodes (<see cref="OpenFlowSwitchNode"/>) by client id: an Open vSwitch each, in the node's namespace, whose
    /// ports are the veth ends of the node's links and which connects to the controller its execute service names.
    /// </summary>
    public IReadOnlyDictionary<string, OvsSwitch> Switches => _switches;

    /// <inheritdoc />
    public NetworkNamespace NamespaceOf(string clientId) => this[clientId].Namespace;

    /// <summary>The node called <paramref name="clientId"/> in the request.</summary>
    /// <exception cref="KeyNotFoundException">The request has no such node.</exception>
    public LocalTestbedNode this[string clientId] =>
        TryGetNode(clientId, out var node) ? node : throw new KeyNotFoundException($"the request has no node '{clientId}'");

    /// <summary>Finds the node called <paramref name="clientId"/> in the request.</summary>
    public bool TryGetNode(string clientId, [NotNullWhen(true)] out LocalTestbedNode? node)
    {
        node = _nodes.FirstOrDefault(n => n.ClientId == clientId);
        return node is not null;
    }

    /// <summary>The address of the interface called <paramref name="interfaceClientId"/> in the request.</summary>
    /// <exception cref="KeyNotFoundException">No node has such an interface.</exception>
    public Ipv4Address AddressOf(string interfaceClientId) =>
        _nodes.SelectMany(n => n.Interfaces).FirstOrDefault(i => i.ClientId == interfaceClientId)?.Address
        ?? throw new KeyNotFoundException($"no node has interface '{interfaceClientId}'");

    /// <summary>
    /// Realises <paramref name="request"/>. The request is checked before anything is created;
    /// <c>execute</c> services run last (unless <see cref="LocalTestbedOptions.RunExecuteServices"/> is off), one after the other in the request's order, each bounded by
    /// <see cref="LocalTestbedOptions.ExecuteTimeout"/>. A service that fails or times out does not
    /// fail the realisation (as on a GENI aggregate): its result is in <see cref="LocalTestbedNode.ServiceResults"/>.
    /// </summary>
    /// <exception cref="LocalTestbedException">The request cannot be realised here (an address outside 198.18.0.0/15 without remapping, a LAN across subnets…); nothing was created.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled; what was created is removed.</exception>
    public static async Task<LocalTestbed> RealiseAsync(
        RequestRSpec request, LocalTestbedOptions? options = null, ILogger<LocalTestbed>? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        options ??= new LocalTestbedOptions();
        options.Validate();
        var plan = LocalTestbedPlan.Create(request, options.RemapAddresses);
        cancellationToken.ThrowIfCancellationRequested();
        var log = (ILogger?)logger ?? NullLogger.Instance;
        foreach (var finding in plan.NotRealised)
        {
            Log.NotRealised(log, finding.Message);
        }

        foreach (var mapping in plan.AddressMap)
        {
            Log.SubnetRemapped(log, mapping.From.ToString(), mapping.To.ToString());
        }

        foreach (var assigned in plan.Assigned)
        {
            Log.AddressAssigned(log, assigned.Interface, assigned.Node, assigned.Ip.ToString());
        }

        var network = options.NetworkId is { } id ? LocalNetwork.Create(id) : LocalNetwork.Create();
        var testbed = new LocalTestbed(plan, network, options, log);
        try
        {
            await testbed.BuildAsync(plan, options, cancellationToken).ConfigureAwait(false);
            return testbed;
        }
        catch (Exception failure)
        {
            Log.RealisationFailed(testbed._logger, testbed.Id, failure.Message);
            try
            {
                testbed.Dispose();
            }
            catch (AggregateException cleanup)
            {
                throw new AggregateException($"realising testbed {testbed.Id} failed, and so did removing it", failure, cleanup);
            }

            throw;
        }
    }

    /// <summary>Why <paramref name="request"/> cannot be realised on this machine, and what of it would not be realised. Creates nothing.</summary>
    public static LocalTestbedCheck Check(RequestRSpec request) => LocalTestbedPlan.Check(request);

    /// <summary>As <see cref="Check(RequestRSpec)"/>, with the subnets outside 198.18.0.0/15 remapped into it when <paramref name="remapAddresses"/> says so.</summary>
    public static LocalTestbedCheck Check(RequestRSpec request, bool remapAddresses) => LocalTestbedPlan.Check(request, remapAddresses);

    /// <summary>
    /// Runs one <c>execute</c> service on <paramref name="node"/> now, bounded by
    /// <see cref="LocalTestbedOptions.ExecuteTimeout"/>, and records its result with the node's.
    /// For services realisation did not run (<see cref="LocalTestbedOptions.RunExecuteServices"/> off).
    /// </summary>
    /// <exception cref="OperationCanceledException">The caller cancelled; the command was killed.</exception>
    public async Task<ExecuteServiceResult> RunServiceAsync(LocalTestbedNode node, ExecuteService service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(service);
        ObjectDisposedException.ThrowIf(_disposed, this);
        // A request may name the shell by path (/bin/bash); this machine's is found on the PATH.
        var shell = LocalTestbedPlan.ShellToRun(service.Shell) ?? throw new ArgumentException($"the local testbed does not run shell '{service.Shell}'", nameof(service));
        var result = await ExecuteServiceRunner.RunAsync(
            node.Session, node.ClientId, service, shell, _options.ExecuteTimeout, _options.OutputLimit, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        node.AddServiceResult(result);
        if (result.TimedOut)
        {
            Log.ServiceTimedOut(_logger, node.ClientId, _options.ExecuteTimeout.TotalSeconds, service.Command);
        }
        else
        {
            Log.ServiceFinished(_logger, node.ClientId, result.ExitCode, (long)result.Duration.TotalMilliseconds, service.Command);
        }

        return result;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="node"/> is not a node of this testbed.</exception>
    async Task<ExecuteServiceResult> ITestbed.RunServiceAsync(ITestbedNode node, ExecuteService service, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        var own = node as LocalTestbedNode;
        if (own is null || !_nodes.Contains(own))
        {
            throw new ArgumentException($"node '{node.ClientId}' is not a node of local testbed {Id}", nameof(node));
        }

        return await RunServiceAsync(own, service, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes every namespace of the testbed, killing whatever still runs inside.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            // The daemons first: removing their namespace would leave them running.
            foreach (var ovs in _switches.Values)
            {
                ovs.Dispose();
            }
        }
        finally
        {
            Network.Dispose();
        }

        Log.TornDown(_logger, Id);
    }

    /// <summary>Removes every namespace of the testbed, as <see cref="Dispose"/> does: removing namespaces is quick and local.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task BuildAsync(LocalTestbedPlan plan, LocalTestbedOptions options, CancellationToken cancellationToken)
    {
        var hosts = new Dictionary<PlannedNode, LocalHost>();
        foreach (var planned in plan.Nodes)
        {
            Step(options, $"create node {planned.ClientId}", cancellationToken);
            var host = Network.AddHost(planned.HostName);
            hosts.Add(planned, host);
            var interfaces = planned.Interfaces.Select(i => new TestbedInterface(i.ClientId, i.Device, i.Ip.Address, i.Ip.PrefixLength)).ToArray();
            _nodes.Add(new LocalTestbedNode(planned.Definition, host, interfaces));
            Log.NodeCreated(_logger, planned.ClientId, host.Namespace.Name);
        }

        Wire(plan, Network, hosts, options.Mtu, step => Step(options, step, cancellationToken), _logger);
        RealiseSwitches(plan, Network, hosts, options.Mtu, _switches, step => Step(options, step, cancellationToken), _logger);
        if (!options.RunExecuteServices)
        {
            return;
        }

        foreach (var node in _nodes)
        {
            // A switch's bridge is made above, not by its service.
            foreach (var service in node.Definition.Executes.Where(e => !MadeBySwitch(_switches, node, e)))
            {
                Step(options, $"execute on {node.ClientId}", cancellationToken);
                await RunServiceAsync(node, service, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="plan"/>'s links and LANs between <paramref name="hosts"/> (a veth pair per link, a bridge
    /// in a namespace of the network's per LAN) and the static routes. The Docker testbed wires its containers so too.
    /// </summary>
    internal static void Wire(LocalTestbedPlan plan, LocalNetwork network, IReadOnlyDictionary<PlannedNode, LocalHost> hosts, int mtu, Action<string> step, ILogger logger)
    {
        foreach (var link in plan.Links)
        {
            step($"create link {link.ClientId}");
            network.Connect(hosts[link.A], End(link.AEnd), hosts[link.B], End(link.BEnd), mtu);
            Log.LinkCreated(logger, link.ClientId, link.AEnd.Ip.ToString(), link.BEnd.Ip.ToString());
        }

        foreach (var lan in plan.Lans)
        {
            step($"create LAN {lan.ClientId}");
            network.ConnectLan(lan.HostName, [.. lan.Members.Select(m => (hosts[m.Node], End(m.End)))], mtu);
            Log.LanCreated(logger, lan.ClientId, lan.Members.Count, string.Join(", ", lan.Members.Select(m => m.End.Ip)));
        }

        step("add routes");
        network.AddStaticRoutes();
    }

    /// <summary>
    /// Makes each of <paramref name="plan"/>'s switch nodes an <see cref="OvsSwitch"/> run from this machine in its host's namespace,
    /// its ports veth pairs to the hosts on its links, connecting to the controller its execute service names. Each switch goes in
    /// <paramref name="switches"/> as soon as it runs, so that disposing them there stops what a failure left. The Docker testbed
    /// makes its switch containers' so too.
    /// </summary>
    internal static void RealiseSwitches(
        LocalTestbedPlan plan, LocalNetwork network, IReadOnlyDictionary<PlannedNode, LocalHost> hosts, int mtu, Dictionary<string, OvsSwitch> switches, Action<string> step, ILogger logger)
    {
        foreach (var planned in plan.Switches)
        {
            step($"create switch {planned.Node.ClientId}");
            var switchHost = hosts[planned.Node];
            var ovs = OvsSwitch.StartIn(network, switchHost);
            switches.Add(planned.Node.ClientId, ovs);
            foreach (var port in planned.Ports)
            {
                network.ConnectPort(hosts[port.Peer], End(port.PeerEnd), switchHost, port.Device, mtu);
                ovs.AddPort(port.Device, port.Number);
                Log.PortCreated(logger, planned.Node.ClientId, port.Number, port.LinkClientId, port.PeerEnd.Ip.ToString());
            }

            if (planned.Definition.Controller is { } controller)
            {
                ovs.SetController(controller);
            }
        }
    }

    /// <summary>Whether <paramref name="service"/> of <paramref name="node"/> makes the bridge of a switch realised as an <see cref="OvsSwitch"/> instead (and is not run).</summary>
    internal static bool MadeBySwitch(IReadOnlyDictionary<string, OvsSwitch> switches, ITestbedNode node, ExecuteService service) =>
        switches.ContainsKey(node.ClientId) && OpenFlowSwitchNode.CreatesBridge(service);

    private static LocalInterface End(PlannedInterface end) => new(end.Device, end.Ip.Address, end.Ip.PrefixLength);

    private static void Step(LocalTestbedOptions options, string step, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        options.BeforeStep?.Invoke(step);
    }

    private static partial class Log
    {
        [LoggerMessage(2701, LogLevel.Debug, "Node {Node} is namespace {NamespaceName}")]
        public static partial void NodeCreated(ILogger logger, string node, string namespaceName);

        [LoggerMessage(2702, LogLevel.Debug, "Link {Link}: {A} - {B}")]
        public static partial void LinkCreated(ILogger logger, string link, string a, string b);

        [LoggerMessage(2703, LogLevel.Information, "Execute service on {Node} exited with {ExitCode} after {Milliseconds} ms: {Command}")]
        public static partial void ServiceFinished(ILogger logger, string node, int? exitCode, long milliseconds, string command);

        [LoggerMessage(2704, LogLevel.Warning, "Execute service on {Node} was killed after {Seconds} s: {Command}")]
        public static partial void ServiceTimedOut(ILogger logger, string node, double seconds, string command);

        [LoggerMessage(2705, LogLevel.Warning, "Realising testbed {Id} failed, removing what was created: {Error}")]
        public static partial void RealisationFailed(ILogger logger, string id, string error);

        [LoggerMessage(2706, LogLevel.Debug, "Testbed {Id} is torn down")]
        public static partial void TornDown(ILogger logger, string id);

        [LoggerMessage(2707, LogLevel.Warning, "Not realised on the local testbed: {Finding}")]
        public static partial void NotRealised(ILogger logger, string finding);

        [LoggerMessage(2708, LogLevel.Debug, "LAN {Lan}: a bridge joining {Count} interfaces: {Addresses}")]
        public static partial void LanCreated(ILogger logger, string lan, int count, string addresses);

        [LoggerMessage(2709, LogLevel.Information, "Subnet {From} is remapped to {To}")]
        public static partial void SubnetRemapped(ILogger logger, string from, string to);

        [LoggerMessage(2789, LogLevel.Debug, "Switch {Switch}: port {Port} is link {Link} to {Address}")]
        public static partial void PortCreated(ILogger logger, string @switch, uint port, string link, string address);

        [LoggerMessage(2710, LogLevel.Information, "Interface {Interface} of node {Node} is given {Address}")]
        public static partial void AddressAssigned(ILogger logger, string @interface, string node, string address);
    }
}
