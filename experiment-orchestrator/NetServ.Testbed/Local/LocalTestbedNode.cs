using NetServ.Networking;
using NetServ.RSpec;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Local;

/// <summary>A node of a realised <see cref="LocalTestbed"/>: the request's node, its namespace, its interfaces and what its services did.</summary>
public sealed class LocalTestbedNode : ITestbedNode
{
    private readonly List<ExecuteServiceResult> _serviceResults = [];

    internal LocalTestbedNode(RSpecNode definition, LocalHost host, IReadOnlyList<TestbedInterface> interfaces)
    {
        Definition = definition;
        Host = host;
        Interfaces = interfaces;
        // Commands start in the temporary folder, not in wherever the orchestrator was started.
        Session = new NamespaceShell(host.Namespace, Path.GetTempPath());
    }

    /// <inheritdoc />
    public string ClientId => Definition.ClientId;

    /// <inheritdoc />
    public RSpecNode Definition { get; }

    /// <summary>The node as a host of the underlying <see cref="LocalNetwork"/>.</summary>
    public LocalHost Host { get; }

    /// <summary>The node's network namespace: run commands, start processes and open sockets there.</summary>
    public NetworkNamespace Namespace => Host.Namespace;

    /// <summary>The node's interfaces, in the request's order.</summary>
    public IReadOnlyList<TestbedInterface> Interfaces { get; }

    /// <inheritdoc />
    public Ipv4Address Address => Interfaces.Count > 0 ? Interfaces[0].Address : throw new InvalidOperationException($"node '{ClientId}' has no interface");

    /// <summary>What each of the node's <c>execute</c> services did, in the request's order.</summary>
    public IReadOnlyList<ExecuteServiceResult> ServiceResults => _serviceResults;

    /// <summary>A session into the node's namespace (<see cref="NamespaceShell"/>), whose commands start in the temporary folder.</summary>
    public INodeSession Session { get; }

    /// <summary>The interface called <paramref name="clientId"/> in the request.</summary>
    /// <exception cref="KeyNotFoundException">The node has no such interface.</exception>
    public TestbedInterface Interface(string clientId) =>
        Interfaces.FirstOrDefault(i => i.ClientId == clientId) ?? throw new KeyNotFoundException($"node '{ClientId}' has no interface '{clientId}'");

    internal void AddServiceResult(ExecuteServiceResult result) => _serviceResults.Add(result);
}
