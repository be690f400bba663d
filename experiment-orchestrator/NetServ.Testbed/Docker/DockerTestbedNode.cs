using NetServ.Networking;
using NetServ.RSpec;
using NetServ.Testbed.Ssh;

namespace NetServ.Testbed.Docker;

/// <summary>A node of a <see cref="DockerTestbed"/>: a container of the node image, reached over SSH on the testbed's control network.</summary>
public sealed class DockerTestbedNode : ITestbedNode
{
    private readonly List<ExecuteServiceResult> _serviceResults = [];

    internal DockerTestbedNode(RSpecNode definition, string containerId, string containerName, string image, int pid, Ipv4Address controlAddress, IReadOnlyList<TestbedInterface> interfaces, SshNodeSession session)
    {
        Definition = definition;
        ContainerId = containerId;
        ContainerName = containerName;
        Image = image;
        Pid = pid;
        ControlAddress = controlAddress;
        Interfaces = interfaces;
        Session = session;
    }

    /// <inheritdoc />
    public string ClientId => Definition.ClientId;

    /// <inheritdoc />
    public RSpecNode Definition { get; }

    /// <summary>The container's id.</summary>
    public string ContainerId { get; }

    /// <summary>The container's name (<c>netserv-&lt;testbed&gt;-&lt;node&gt;</c>).</summary>
    public string ContainerName { get; }

    /// <summary>The image the container runs.</summary>
    public string Image { get; }

    /// <summary>The pid of the container's first process, on this machine.</summary>
    public int Pid { get; }

    /// <summary>This machine's address on the node's control link: where the node reaches the orchestrator (a package server, say).</summary>
    public Ipv4Address OrchestratorAddress => new(ControlAddress.Value - 1);

    /// <summary>The address its sshd listens on, on the testbed's control network (not one of the request's).</summary>
    public Ipv4Address ControlAddress { get; }

    /// <inheritdoc />
    public IReadOnlyList<TestbedInterface> Interfaces { get; }

    /// <inheritdoc />
    public Ipv4Address Address => Interfaces.Count > 0 ? Interfaces[0].Address : throw new InvalidOperationException($"node '{ClientId}' has no interface");

    /// <inheritdoc />
    public IReadOnlyList<ExecuteServiceResult> ServiceResults => _serviceResults;

    /// <summary>The node's SSH session, as root with the run's key.</summary>
    public SshNodeSession Session { get; }

    /// <inheritdoc />
    INodeSession ITestbedNode.Session => Session;

    internal void AddServiceResult(ExecuteServiceResult result) => _serviceResults.Add(result);
}
