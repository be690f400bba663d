using NetServ.RSpec;

namespace NetServ.Testbed;

/// <summary>
/// A GENI RSpec v3 request realised on a testbed: network namespaces on this machine, Docker containers
/// or the nodes of a GENI aggregate. It is what the experiment runner uses on every testbed: the request,
/// the nodes (each with its addresses and a <see cref="INodeSession"/>), the <c>execute</c> services,
/// and release. Disposing releases everything the testbed made (namespaces, containers, the sliver);
/// <see cref="IAsyncDisposable.DisposeAsync"/> is the way to, <see cref="IDisposable.Dispose"/> blocks until it is done.
/// </summary>
/// <remarks>
/// Realising is not an instance member: each testbed has its own static <c>RealiseAsync</c> (for the
/// local testbed <c>LocalTestbed.RealiseAsync</c>) that checks the request, makes the topology and gives
/// back the testbed, or removes what it made and throws.
/// </remarks>
public interface ITestbed : IAsyncDisposable, IDisposable
{
    /// <summary>A short tag of this testbed, unique on the machine or the aggregate, in the names of what it made.</summary>
    string Id { get; }

    /// <summary>The request this testbed realises.</summary>
    RequestRSpec Request { get; }

    /// <summary>The nodes, in the request's order.</summary>
    IReadOnlyList<ITestbedNode> Nodes { get; }

    /// <summary>
    /// Runs one <c>execute</c> service on <paramref name="node"/> now, as the testbed runs them (a shell
    /// <c>-c</c> the command, bounded by the testbed's timeout), and records its result with the node's
    /// <see cref="ITestbedNode.ServiceResults"/>. A service that fails or times out is a result, not an exception.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="node"/> is not a node of this testbed.</exception>
    /// <exception cref="NodeUnreachableException">The node cannot be reached.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled; the command was killed.</exception>
    Task<ExecuteServiceResult> RunServiceAsync(ITestbedNode node, ExecuteService service, CancellationToken cancellationToken = default);
}
