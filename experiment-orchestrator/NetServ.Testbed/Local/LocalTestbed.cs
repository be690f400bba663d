using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Networking;
using NetServ.RSpec;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Local;

/// <summary>
/// A GENI RSpec v3 request realised on this machine: a network namespace per node
/// (<c>ns-&lt;tag&gt;-&lt;node&gt;</c>), a veth pair per link with the request's addresses (only
/// 198.18.0.0/15), static routes along shortest paths so every node reaches every other node's
/// addresses, IPv4 forwarding on nodes with more than one interface, and each node's
/// <c>execute</c> services run inside its namespace. Built from <see cref="LocalNetwork"/>.
/// Disposing removes every namespace and what runs inside; a realisation that fails or is cancelled
/// removes what it had created before it throws. The first implementation of <see cref="ITestbed"/>: each
/// node's session enters its namespace (<see cref="NamespaceShell"/>).
/// </summary>
/// <remarks>
/// <c>install</c> services are not run: the namespaces share this machine's file system, where the
/// node software is built already. Link properties (capacity, latency, loss) are not applied. What a
/// request asks for that is not realised is logged, and listed by <see cref="Check"/>.
/// </remarks>
public sealed partial class LocalTestbed : ITestbed
{
    private readonly List<LocalTestbedNode> _nodes = [];
    private readonly ILogger _logger;
    private readonly LocalTestbedOptions _options;
    private bool _disposed;

    private LocalTestbed(RequestRSpec request, LocalNetwork network, LocalTestbedOptions options, ILogger logger)
    {
        Request = request;
        Network = network;
        _options = options;
        _logger = logger;
    }

    /// <summary>The request this testbed realises.</summary>
    public RequestRSpec Request { get; }

    /// <summary>The network of namespaces underneath.</summary>
    public LocalNetwork Network { get; }

    /// <summary>The random tag in every namespace name of this testbed.</summary>
    public string Id => Network.Id;

    /// <summary>The nodes, in the request's order.</summary>
    public IReadOnlyList<LocalTestbedNode> Nodes => _nodes;

    /// <inheritdoc />
    IReadOnlyList<ITestbedNode> ITestbed.Nodes => _nodes;

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
    /// <exception cref="LocalTestbedException">The request cannot be realised here (an address outside 198.18.0.0/15, a link that is not a pair…); nothing was created.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled; what was created is removed.</exception>
    public static async Task<LocalTestbed> RealiseAsync(
        RequestRSpec request, LocalTestbedOptions? options = null, ILogger<LocalTestbed>? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        options ??= new LocalTestbedOptions();
        options.Validate();
        var plan = LocalTestbedPlan.Create(request);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var finding in plan.NotRealised)
        {
            Log.NotRealised((ILogger?)logger ?? NullLogger.Instance, finding.Message);
        }

        var network = options.NetworkId is { } id ? LocalNetwork.Create(id) : LocalNetwork.Create();
        var testbed = new LocalTestbed(request, network, options, (ILogger?)logger ?? NullLogger.Instance);
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
        Network.Dispose();
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

        foreach (var link in plan.Links)
        {
            Step(options, $"create link {link.ClientId}", cancellationToken);
            Network.Connect(hosts[link.A], End(link.AEnd), hosts[link.B], End(link.BEnd), options.Mtu);
            Log.LinkCreated(_logger, link.ClientId, link.AEnd.Ip.ToString(), link.BEnd.Ip.ToString());
        }

        Step(options, "add routes", cancellationToken);
        Network.AddStaticRoutes();

        if (!options.RunExecuteServices)
        {
            return;
        }

        foreach (var node in _nodes)
        {
            foreach (var service in node.Definition.Executes)
            {
                Step(options, $"execute on {node.ClientId}", cancellationToken);
                await RunServiceAsync(node, service, cancellationToken).ConfigureAwait(false);
            }
        }
    }

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
    }
}
