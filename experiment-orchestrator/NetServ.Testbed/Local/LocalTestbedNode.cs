using NetServ.RSpec;
using NetServ.Sdk;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Local;

/// <summary>A node of a realised <see cref="LocalTestbed"/>: the request's node, its namespace, its interfaces and what its services did.</summary>
public sealed class LocalTestbedNode
{
    private readonly List<ExecuteServiceResult> _serviceResults = [];

    internal LocalTestbedNode(RSpecNode definition, LocalHost host, IReadOnlyList<LocalTestbedInterface> interfaces)
    {
        Definition = definition;
        Host = host;
        Interfaces = interfaces;
    }

    /// <summary>The node's client id in the request.</summary>
    public string ClientId => Definition.ClientId;

    /// <summary>The node as the request describes it.</summary>
    public RSpecNode Definition { get; }

    /// <summary>The node as a host of the underlying <see cref="LocalNetwork"/>.</summary>
    public LocalHost Host { get; }

    /// <summary>The node's network namespace: run commands, start processes and open sockets there.</summary>
    public NetworkNamespace Namespace => Host.Namespace;

    /// <summary>The node's interfaces, in the request's order.</summary>
    public IReadOnlyList<LocalTestbedInterface> Interfaces { get; }

    /// <summary>The address of the node's first interface.</summary>
    /// <exception cref="InvalidOperationException">The node has no interface.</exception>
    public Ipv4Address Address => Interfaces.Count > 0 ? Interfaces[0].Address : throw new InvalidOperationException($"node '{ClientId}' has no interface");

    /// <summary>What each of the node's <c>execute</c> services did, in the request's order.</summary>
    public IReadOnlyList<ExecuteServiceResult> ServiceResults => _serviceResults;

    /// <summary>The interface called <paramref name="clientId"/> in the request.</summary>
    /// <exception cref="KeyNotFoundException">The node has no such interface.</exception>
    public LocalTestbedInterface Interface(string clientId) =>
        Interfaces.FirstOrDefault(i => i.ClientId == clientId) ?? throw new KeyNotFoundException($"node '{ClientId}' has no interface '{clientId}'");

    internal void AddServiceResult(ExecuteServiceResult result) => _serviceResults.Add(result);
}

/// <summary>An interface of a realised node.</summary>
/// <param name="ClientId">The interface's client id in the request.</param>
/// <param name="Device">Its device name inside the node's namespace (<c>eth0</c>, <c>eth1</c>, ... in the request's order).</param>
/// <param name="Address">Its address.</param>
/// <param name="PrefixLength">Its prefix length.</param>
public sealed record LocalTestbedInterface(string ClientId, string Device, Ipv4Address Address, int PrefixLength)
{
    /// <summary>The subnet the interface is on.</summary>
    public Ipv4Prefix Subnet => new(Address, PrefixLength);
}
