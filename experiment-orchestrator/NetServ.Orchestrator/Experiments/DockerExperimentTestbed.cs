using NetServ.Contracts.Configuration;
using NetServ.Testbed;
using NetServ.Testbed.Docker;
using NetServ.Testbed.Linux;

namespace NetServ.Orchestrator.Experiments;

/// <summary>
/// The Docker testbed as the runner works with it: one container of the node image per node, every node reached over SSH
/// only, as a GENI node is. netservd is the image's service, started with the container from the netserv.json put in at
/// reserve (<see cref="SshExperimentTestbed.ImageConfiguration"/>).
/// </summary>
internal sealed class DockerExperimentTestbed(DockerTestbed testbed) : SshExperimentTestbed
{
    /// <inheritdoc />
    public override ITestbed Testbed => testbed;

    /// <inheritdoc />
    public override string Name => "the Docker testbed";

    /// <inheritdoc />
    public override string DeployDescription => "waiting for netservd, started by the node image's service, on the NetServ nodes (over SSH)";

    /// <inheritdoc />
    public override string Where(ITestbedNode node)
    {
        var own = Container(node);
        return $"{own.ContainerName} (SSH {own.ControlAddress})";
    }

    /// <inheritdoc />
    public override string EnterCommand(ITestbedNode node) =>
        $"ssh -i {testbed.PrivateKeyPath} -o UserKnownHostsFile={testbed.KnownHostsPath} root@{Container(node).ControlAddress}";

    /// <inheritdoc />
    public override Task<IExperimentNetServd> StartNetServdAsync(ITestbedNode node, NodeConfiguration configuration, CancellationToken cancellationToken)
    {
        var own = Container(node);
        var origin = own.Definition.Executes.Any(ExperimentTopology.InstallsNode)
            ? $"started by the install tarball's install.sh in {own.ContainerName} ({own.Image}), {ConfigurationPath} put in at reserve"
            : $"the node image's service in {own.ContainerName}, {ConfigurationPath} put in at reserve";
        return WaitForNetServdAsync(own, configuration, origin, cancellationToken);
    }

    /// <inheritdoc />
    public override IEnumerable<string> Leftovers()
    {
        var links = CommandRunner.Run("ip", ["-o", "link", "show"]).StandardOutput;
        return LabRunRecord.Current.Resources.Where(r => r.Value.Contains(testbed.Id, StringComparison.Ordinal)).Select(r => r.ToString())
            .Concat(NetworkNamespace.List($"{NetworkNamespace.NamePrefix}{testbed.Id}-").Select(n => $"namespace {n}"))
            .Concat(links.Contains($"nsc{testbed.Id}", StringComparison.Ordinal) ? [$"control links nsc{testbed.Id}*"] : [])
            .Concat(testbed.Switches.Values.SelectMany(s => s.Leftovers()));
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync() => testbed.DisposeAsync();

    /// <inheritdoc />
    protected override Task<string> ReadLogAsync(ITestbedNode node, CancellationToken cancellationToken) => testbed.ReadConsoleAsync(Container(node), cancellationToken);

    private DockerTestbedNode Container(ITestbedNode node) => (DockerTestbedNode)Own(node);
}
