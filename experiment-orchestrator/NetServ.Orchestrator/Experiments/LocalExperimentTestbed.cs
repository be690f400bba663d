using System.Net;
using Microsoft.Extensions.Logging;
using NetServ.Contracts.Configuration;
using NetServ.Contracts.Status;
using NetServ.Networking;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;
using NetServ.Signaling.Transport;
using NetServ.Testbed;
using NetServ.Testbed.Http;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Local;
using NetServ.Testbed.Nodes;
using NetServ.Testbed.OpenFlow;
using NetServ.Traffic;

namespace NetServ.Orchestrator.Experiments;

/// <summary>
/// The local testbed as the runner works with it: netservd started from this machine's build output inside a node's
/// namespace, as a child of this process (in place of the rspec's execute service that starts /opt/netserv/netservd on a
/// GENI node); signaling clients, package servers, traffic generators and counters whose sockets live inside the nodes'
/// namespaces.
/// </summary>
internal sealed class LocalExperimentTestbed(LocalTestbed testbed, TimeProvider time, ILogger logger) : IExperimentTestbed
{
    private readonly List<int> _pids = [];

    /// <inheritdoc />
    public ITestbed Testbed => testbed;

    /// <summary>The realised testbed.</summary>
    public LocalTestbed Local => testbed;

    /// <inheritdoc />
    public string Name => "the local testbed";

    /// <inheritdoc />
    public string DeployDescription => "starting netservd from the build output on the NetServ nodes";

    /// <summary>The network namespace that is <paramref name="node"/>.</summary>
    /// <exception cref="ExperimentException">The node is not one of this testbed's.</exception>
    public NetworkNamespace NamespaceOf(ITestbedNode node) => LocalNode(node).Namespace;

    /// <inheritdoc />
    public string Where(ITestbedNode node) => NamespaceOf(node).Name;

    /// <inheritdoc />
    public string EnterCommand(ITestbedNode node) => $"nsenter --net=/run/netns/{NamespaceOf(node).Name} bash";

    /// <inheritdoc />
    public async Task<IExperimentNetServd> StartNetServdAsync(ITestbedNode node, NodeConfiguration configuration, CancellationToken cancellationToken)
    {
        // Unique per testbed: concurrent runs on one machine must not share cgroups or folders.
        var process = await NetServNodeProcess.StartAsync(
            NamespaceOf(node), new NetServNodeOptions { Node = configuration with { NodeName = $"{configuration.NodeName}-{testbed.Id}" } }, cancellationToken).ConfigureAwait(false);
        _pids.Add(process.Pid);
        return new LocalNetServd(process);
    }

    /// <inheritdoc />
    public Task<INodeSignaling> StartSignalingAsync(ITestbedNode node, string user, UserPrivateKey key, CancellationToken cancellationToken)
    {
        var client = NamespaceOf(node).Run(() => SignalingClient.Start($"netserv-lab-{node.ClientId}", logger, time));
        return Task.FromResult<INodeSignaling>(new LocalSignaling(client, new SignedRequestClient(client, user, key, time)));
    }

    /// <inheritdoc />
    public Task<IModuleServer> ServePackageAsync(ITestbedNode node, string package, CancellationToken cancellationToken) =>
        Task.FromResult<IModuleServer>(new LocalModuleServer(PackageServer.Start(Path.GetDirectoryName(package)!, IPAddress.Parse(node.Address.ToString()), 0, NamespaceOf(node))));

    /// <inheritdoc />
    public Task SendWarmUpAsync(ITestbedNode sender, Ipv4Address destination, CancellationToken cancellationToken)
    {
        UdpSender.Send(NamespaceOf(sender), new IPEndPoint(IPAddress.Parse(destination.ToString()), 9), [[0]], 1000);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IPacketCounter> CountUdpAsync(ITestbedNode receiver, int port, CancellationToken cancellationToken) =>
        Task.FromResult<IPacketCounter>(new LocalCounter(IptablesCounter.InstallUdp(NamespaceOf(receiver), (ushort)port, comment: $"netserv-lab {testbed.Id}")));

    /// <inheritdoc />
    public Task<ITrafficSender> TrafficSenderAsync(ITestbedNode sender, TrafficGeneratorChoice choice, CancellationToken cancellationToken) =>
        Task.FromResult<ITrafficSender>(new GeneratorSender(TrafficGenerators.Create(choice, NamespaceOf(sender), pacedTemplate: new GeneratorRequest(0, 0, TimeSpan.FromSeconds(1)) { Pacing = PacingMode.Sleep })));

    /// <inheritdoc />
    public IEnumerable<string> Leftovers() =>
        NetworkNamespace.List($"{NetworkNamespace.NamePrefix}{testbed.Id}-").Select(n => $"namespace {n}")
            // netservd is this process's child, waited for by its dispose: once it is gone, so is its /proc entry.
            .Concat(_pids.Where(p => Directory.Exists($"/proc/{p}")).Select(p => $"netservd (pid {p})"))
            .Concat(testbed.Switches.Values.SelectMany(s => s.Leftovers()));

    /// <inheritdoc />
    public ValueTask DisposeAsync() => testbed.DisposeAsync();

    private LocalTestbedNode LocalNode(ITestbedNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return testbed.TryGetNode(node.ClientId, out var local)
            ? local
            : throw new ExperimentException($"node '{node.ClientId}' is not a node of local testbed {testbed.Id}");
    }

    private sealed class LocalNetServd(NetServNodeProcess process) : IExperimentNetServd
    {
        public string Name => process.Options.Node.NodeName;

        public int? Pid => process.Pid;

        public string Origin => $"pid {process.Pid} ({BuildOutputs.EnsureNode()})";

        public Task<bool> IsRunningAsync(CancellationToken cancellationToken) => Task.FromResult(!process.HasExited);

        public Task<NodeStatus> StatusAsync(CancellationToken cancellationToken) => process.StatusAsync(cancellationToken: cancellationToken);

        public Task<NslpResponse> SetupAsync(ModuleSetup setup, CancellationToken cancellationToken) => process.SetupAsync(setup, cancellationToken);

        public Task<IReadOnlyList<string>> LogAsync(CancellationToken cancellationToken) => Task.FromResult(process.LogLines);

        public ValueTask DisposeAsync() => process.DisposeAsync();
    }

    private sealed class LocalSignaling(SignalingClient client, SignedRequestClient signed) : INodeSignaling
    {
        public Task<PathResponse> SendAsync(Ipv4Address destination, NslpRequest request, TimeSpan timeout, CancellationToken cancellationToken) =>
            signed.SendForPathAsync(destination, request, timeout, cancellationToken);

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }

    private sealed class LocalModuleServer(PackageServer server) : IModuleServer
    {
        public Uri UrlOf(string fileName) => server.UrlOf(fileName);

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }

    private sealed class LocalCounter(IptablesCounter counter) : IPacketCounter
    {
        public Task<long> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(counter.Read());

        public ValueTask DisposeAsync()
        {
            counter.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>An <see cref="ITrafficGenerator"/> of this machine as a sender (the local testbed's generators, Click over a node's session).</summary>
internal sealed class GeneratorSender(ITrafficGenerator generator) : ITrafficSender
{
    /// <inheritdoc />
    public string Driver => generator.Driver;

    /// <inheritdoc />
    public Task<TrafficResult> SendAsync(TrafficSpec spec, CancellationToken cancellationToken) =>
        Task.Run(() => generator.Run(spec, cancellationToken), CancellationToken.None);

    /// <inheritdoc />
    public void Dispose() => generator.Dispose();
}
