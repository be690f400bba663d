using System.Globalization;
using NetServ.Networking;
using NetServ.RSpec;
using NetServ.Testbed;

namespace NetServ.TestSupport.Testbeds;

/// <summary>A node of a <see cref="FakeTestbed"/>: interfaces as given, and a <see cref="FakeNodeSession"/>.</summary>
public sealed class FakeTestbedNode : ITestbedNode
{
    private readonly List<ExecuteServiceResult> _serviceResults = [];

    public FakeTestbedNode(string clientId, params TestbedInterface[] interfaces)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        Definition = new RSpecNode(
            clientId, null, null, null, [], [], ValueList.From(interfaces.Select(i => new RSpecInterface(i.ClientId, [new InterfaceIp(i.Address, i.PrefixLength)]))));
        Interfaces = interfaces;
        Session = new FakeNodeSession(clientId);
    }

    public string ClientId => Definition.ClientId;

    public RSpecNode Definition { get; }

    public IReadOnlyList<TestbedInterface> Interfaces { get; }

    public Ipv4Address Address => Interfaces.Count > 0 ? Interfaces[0].Address : throw new InvalidOperationException($"node '{ClientId}' has no interface");

    public IReadOnlyList<ExecuteServiceResult> ServiceResults => _serviceResults;

    /// <summary>The node's session, to script its answers and read what it was asked.</summary>
    public FakeNodeSession Session { get; }

    INodeSession ITestbedNode.Session => Session;

    /// <summary>An interface of a fake node: <paramref name="address"/> is <c>198.18.0.1/24</c> or the like.</summary>
    public static TestbedInterface Interface(string clientId, string device, string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var slash = address.IndexOf('/', StringComparison.Ordinal);
        return new TestbedInterface(clientId, device, Ipv4Address.Parse(address.AsSpan(0, slash)), int.Parse(address.AsSpan(slash + 1), CultureInfo.InvariantCulture));
    }

    internal void AddServiceResult(ExecuteServiceResult result) => _serviceResults.Add(result);
}

/// <summary>
/// A testbed of fake nodes, made from nothing: for what uses <see cref="ITestbed"/> without needing a node to
/// be real. Execute services run through the node's <see cref="FakeNodeSession"/> as every testbed runs them.
/// </summary>
public sealed class FakeTestbed : ITestbed
{
    private readonly FakeTestbedNode[] _nodes;

    public FakeTestbed(string id, params FakeTestbedNode[] nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        Id = id;
        _nodes = nodes;
        Request = new RequestRSpec(ValueList.From(nodes.Select(n => n.Definition)), []);
    }

    public string Id { get; }

    public RequestRSpec Request { get; }

    public IReadOnlyList<ITestbedNode> Nodes => _nodes;

    /// <summary>Whether the testbed was released.</summary>
    public bool Disposed { get; private set; }

    /// <summary>How long an execute service may run.</summary>
    public TimeSpan ExecuteTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public async Task<ExecuteServiceResult> RunServiceAsync(ITestbedNode node, ExecuteService service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(service);
        var own = _nodes.FirstOrDefault(n => ReferenceEquals(n, node))
            ?? throw new ArgumentException($"node '{node.ClientId}' is not a node of fake testbed {Id}", nameof(node));
        var result = await ExecuteServiceRunner.RunAsync(own.Session, own.ClientId, service, service.Shell, ExecuteTimeout, 64 * 1024, TimeProvider.System, cancellationToken);
        own.AddServiceResult(result);
        return result;
    }

    public void Dispose() => Disposed = true;

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
