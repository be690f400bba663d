using NetServ.Networking;
using NetServ.RSpec;

namespace NetServ.Testbed;

/// <summary>A node of a realised <see cref="ITestbed"/>: the request's node, its interfaces, a session into it and what its services did.</summary>
public interface ITestbedNode
{
    /// <summary>The node's client id in the request.</summary>
    string ClientId { get; }

    /// <summary>The node as the request describes it.</summary>
    RSpecNode Definition { get; }

    /// <summary>The node's interfaces on the request's links, in the request's order, with the addresses they have.</summary>
    IReadOnlyList<TestbedInterface> Interfaces { get; }

    /// <summary>The address of the node's first interface.</summary>
    /// <exception cref="InvalidOperationException">The node has no interface.</exception>
    Ipv4Address Address { get; }

    /// <summary>What each of the node's <c>execute</c> services that has run did, in the order they ran.</summary>
    IReadOnlyList<ExecuteServiceResult> ServiceResults { get; }

    /// <summary>The way into the node: commands, files, ports.</summary>
    INodeSession Session { get; }
}
