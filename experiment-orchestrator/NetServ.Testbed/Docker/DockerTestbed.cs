using System.Formats.Tar;
using System.Globalization;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Networking;
using NetServ.RSpec;
using NetServ.Testbed.Http;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Local;
using NetServ.Testbed.OpenFlow;
using NetServ.Testbed.Ssh;

namespace NetServ.Testbed.Docker;

/// <summary>
/// A GENI RSpec v3 request realised as Docker containers on this machine, whose nodes are reached only over
/// SSH, as GENI nodes are: one container per node (<c>netserv-&lt;id&gt;-&lt;node&gt;</c>) from the image its
/// <c>disk_image</c> names (the node image <c>netserv/node</c> by default), with no Docker network; the
/// request's links and LANs, addresses and routes made in the containers' network namespaces as the local
/// testbed makes them (<see cref="LocalTestbedPlan"/>, <see cref="LocalNetwork"/>); a switch node (<see cref="OpenFlowSwitchNode"/>)
/// as the local testbed makes it, an <see cref="OvsSwitch"/> run from this machine in its container's namespace; and a control network:
/// a veth pair per container, its host end on a /30 of a 198.19.x.0/24 of the testbed's own, over which the
/// run's SSH key (put into the container before it starts) logs in as root. The image's service starts
/// sshd and netservd. Containers carry the label <c>netserv.testbed=&lt;id&gt;</c> and go into the run's
/// record, so a killed run's are reaped. Disposing removes the containers, the namespaces' names, the
/// run's key and the dockerd if it was started here; a realisation that fails or is cancelled does so
/// before it throws.
/// </summary>
public sealed partial class DockerTestbed : ISwitchTestbed
{
    /// <summary>The label every container of a testbed carries, its value the testbed's id.</summary>
    public const string TestbedLabel = "netserv.testbed";

    private readonly List<DockerTestbedNode> _nodes = [];
    private readonly List<string> _containers = [];
    private readonly List<string> _controlLinks = [];
    private readonly List<ForwardProxy> _proxies = [];
    private readonly Dictionary<string, OvsSwitch> _switches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NetworkNamespace> _namespaces = new(StringComparer.Ordinal);
    private readonly DockerEngine _engine;
    private readonly DockerTestbedOptions _options;
    private readonly ILogger _logger;
    private readonly string _directory;
    private bool _disposed;

    private DockerTestbed(LocalTestbedPlan plan, LocalNetwork network, DockerEngine engine, DockerTestbedOptions options, string directory, ILogger logger)
    {
        Request = plan.Request;
        AssignedAddresses = plan.Assigned;
        AddressMap = plan.AddressMap;
        Network = network;
        _engine = engine;
        _options = options;
        _directory = directory;
        _logger = logger;
    }

    /// <inheritdoc />
    public string Id => Network.Id;

    /// <summary>The request as realised: chosen and remapped addresses in place, as on the local testbed.</summary>
    public RequestRSpec Request { get; }

    /// <summary>The addresses this testbed chose for interfaces the request gives none.</summary>
    public IReadOnlyList<AssignedAddress> AssignedAddresses { get; }

    /// <summary>The request's subnets outside 198.18.0.0/15 and those that stand for them here.</summary>
    public IReadOnlyList<SubnetMapping> AddressMap { get; }

    /// <summary>The containers' namespaces (named while the testbed lives) and the LANs' bridges.</summary>
    public LocalNetwork Network { get; }

    /// <summary>Whether the dockerd the containers run on was started for this testbed (and stops with it).</summary>
    public bool StartedEngine => _engine.StartedHere;

    /// <summary>The nodes, in the request's order.</summary>
    public IReadOnlyList<DockerTestbedNode> Nodes => _nodes;

    /// <inheritdoc />
    IReadOnlyList<ITestbedNode> ITestbed.Nodes => _nodes;

    /// <summary>The apt configuration file a node with <c>install</c> services gets, naming its forward proxy.</summary>
    public const string AptProxyFile = "/etc/apt/apt.conf.d/80netserv-lab-proxy";

    /// <summary>The run's private SSH key, with which each node is entered as root.</summary>
    public string PrivateKeyPath => Path.Combine(_directory, "id_ed25519");

    /// <summary>The known-hosts file that pins the nodes' host keys (what <c>ssh -o UserKnownHostsFile=</c> takes).</summary>
    public string KnownHostsPath => Path.Combine(_directory, "known_hosts");

    /// <summary>
    /// The switch nodes (<see cref="OpenFlowSwitchNode"/>) by client id, as on the local testbed: an Open vSwitch each, run from this
    /// machine in the switch container's namespace (the container runs no netservd), whose ports are the veth ends of the node's
    /// links and which connects to the controller its execute service names.
    /// </summary>
    public IReadOnlyDictionary<string, OvsSwitch> Switches => _switches;

    /// <inheritdoc />
    public NetworkNamespace NamespaceOf(string clientId) =>
        _namespaces.TryGetValue(clientId, out var ns) ? ns : throw new KeyNotFoundException($"the request has no node '{clientId}'");

    /// <summary>The node called <paramref name="clientId"/>.</summary>
    public DockerTestbedNode this[string clientId] =>
        _nodes.FirstOrDefault(n => n.ClientId == clientId) ?? throw new KeyNotFoundException($"the request has no node '{clientId}'");

    /// <summary>
    /// Realises <paramref name="request"/>. The request is checked (addresses, as on the local testbed; each
    /// node's image among the engine's) before any container is made; then the containers are made, wired,
    /// and waited for until each one's sshd accepts the run's key; the <c>execute</c> services run last.
    /// </summary>
    /// <exception cref="LocalTestbedException">The request's topology cannot be realised here; nothing was created.</exception>
    /// <exception cref="DockerUnavailableException">No Docker engine answers and none can start; nothing was created.</exception>
    /// <exception cref="DockerTestbedException">A node names an image the engine does not have, or the request has a switch node and Open vSwitch cannot run here (nothing was created); or a node did not answer over SSH (what was made is removed).</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled; what was created is removed.</exception>
    public static async Task<DockerTestbed> RealiseAsync(
        RequestRSpec request, DockerTestbedOptions? options = null, ILogger<DockerTestbed>? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        options ??= new DockerTestbedOptions();
        options.Validate();
        var plan = LocalTestbedPlan.Create(request, options.RemapAddresses);
        if (plan.Switches.Count > 0 && (OvsSwitch.Missing() ?? Prerequisites.Missing(OvsSwitch.TestbedTools)) is { } missing)
        {
            throw new DockerTestbedException(
                $"cannot realise switch node {string.Join(", ", plan.Switches.Select(s => $"'{s.Node.ClientId}'"))} (an Open vSwitch run from this machine in its container's namespace): {missing}");
        }

        var log = (ILogger?)logger ?? NullLogger.Instance;
        var engine = await DockerEngine.ConnectOrStartAsync(options.Engine, options.Log, cancellationToken).ConfigureAwait(false);
        IReadOnlyDictionary<PlannedNode, string> images;
        try
        {
            images = await ImagesAsync(engine.Client, plan, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            engine.Dispose();
            throw;
        }

        var network = LocalNetwork.Create();
        var directory = Path.Combine(Path.GetTempPath(), $"netserv-docker-{network.Id}");
        Directory.CreateDirectory(directory);
        LabRunRecord.Current.Add(RunResource.Directory(directory));
        var testbed = new DockerTestbed(plan, network, engine, options, directory, log);
        try
        {
            await testbed.BuildAsync(plan, images, cancellationToken).ConfigureAwait(false);
            return testbed;
        }
        catch (Exception failure)
        {
            Log.RealisationFailed(log, testbed.Id, failure.Message);
            try
            {
                await testbed.DisposeAsync().ConfigureAwait(false);
            }
            catch (AggregateException cleanup)
            {
                throw new AggregateException($"realising Docker testbed {testbed.Id} failed, and so did removing it", failure, cleanup);
            }

            throw;
        }
    }

    /// <summary>Runs one <c>execute</c> service on <paramref name="node"/> over SSH now, and records its result.</summary>
    public async Task<ExecuteServiceResult> RunServiceAsync(ITestbedNode node, ExecuteService service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(service);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var own = node as DockerTestbedNode;
        if (own is null || !_nodes.Contains(own))
        {
            throw new ArgumentException($"node '{node.ClientId}' is not a node of Docker testbed {Id}", nameof(node));
        }

        var result = await ExecuteServiceRunner.RunAsync(
            own.Session, own.ClientId, service, service.Shell, _options.ExecuteTimeout, _options.OutputLimit, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        own.AddServiceResult(result);
        return result;
    }

    /// <summary>
    /// What <paramref name="node"/>'s first process (the image's entry point: sshd, then netservd) wrote on its standard
    /// output and error: the console of the node, as a cloud aggregate shows a VM's, read through the engine.
    /// </summary>
    public async Task<string> ReadConsoleAsync(DockerTestbedNode node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var stream = await _engine.Client.Containers.GetContainerLogsAsync(
            node.ContainerId, tty: false, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, cancellationToken).ConfigureAwait(false);
        var (output, error) = await stream.ReadOutputToEndAsync(cancellationToken).ConfigureAwait(false);
        return output + error;
    }

    /// <summary>
    /// Removes a container a killed run left (the reaper's way): through the engine that answers, or one started
    /// for the purpose, and only if it carries <see cref="TestbedLabel"/>. Nothing happens when it is gone already.
    /// </summary>
    public static async Task RemoveLeftoverContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var engine = await DockerEngine.ConnectOrStartAsync(new DockerEngineOptions(), TextWriter.Null, cancellationToken).ConfigureAwait(false);
        try
        {
            var container = await engine.Client.Containers.InspectContainerAsync(id, cancellationToken).ConfigureAwait(false);
            if (container.Config?.Labels?.ContainsKey(TestbedLabel) != true)
            {
                throw new InvalidOperationException($"container {id[..12]} has no {TestbedLabel} label: not the project's, left alone");
            }

            await engine.Client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            // Gone already: what the reaper wanted.
        }
    }

    /// <summary>The containers of testbed <paramref name="id"/> that the engine still has (for checks after release).</summary>
    public static async Task<IReadOnlyList<string>> ListContainersAsync(DockerClient client, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var found = await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{TestbedLabel}={id}"] = true } },
        }, cancellationToken).ConfigureAwait(false);
        return [.. found.Select(c => c.ID)];
    }

    /// <summary>Removes the containers, the namespaces' names and bridges, the run's key, and the dockerd if started here.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var failures = new List<Exception>();
        // The switches' daemons first: they run on this machine, and would outlive their containers.
        foreach (var ovs in _switches.Values)
        {
            try
            {
                ovs.Dispose();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                failures.Add(new IOException($"stopping the Open vSwitch in {ovs.Directory} failed: {e.Message}", e));
            }
        }

        foreach (var node in _nodes)
        {
            await node.Session.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var id in _containers)
        {
            try
            {
                await _engine.Client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, CancellationToken.None).ConfigureAwait(false);
                LabRunRecord.NoteRemoved(RunResource.Container(id));
            }
            catch (DockerContainerNotFoundException)
            {
                LabRunRecord.NoteRemoved(RunResource.Container(id));
            }
            catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
            {
                failures.Add(new IOException($"removing container {id[..12]} failed: {e.Message}", e));
            }
        }

        // The kernel takes a pair down with a container's namespace, but later, in the background: release says when it is gone.
        foreach (var device in _controlLinks)
        {
            CommandRunner.Run("ip", ["link", "del", device]);
        }

        try
        {
            Network.Dispose();
        }
        catch (AggregateException e)
        {
            failures.Add(e);
        }

        _engine.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        LabRunRecord.NoteRemoved(RunResource.Directory(_directory));
        Log.TornDown(_logger, Id);
        if (failures.Count > 0)
        {
            throw new AggregateException($"releasing Docker testbed {Id} left something behind", failures);
        }
    }

    /// <summary>As <see cref="DisposeAsync"/>, blocking.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The image each node runs, checked against the engine's before anything is made.</summary>
    private static async Task<IReadOnlyDictionary<PlannedNode, string>> ImagesAsync(DockerClient client, LocalTestbedPlan plan, DockerTestbedOptions options, CancellationToken cancellationToken)
    {
        var local = await client.Images.ListImagesAsync(new ImagesListParameters(), cancellationToken).ConfigureAwait(false);
        var known = local.SelectMany(i => i.RepoTags ?? []).Where(t => t != "<none>:<none>").Order(StringComparer.Ordinal).ToArray();
        var images = new Dictionary<PlannedNode, string>();
        var problems = new List<string>();
        foreach (var node in plan.Nodes)
        {
            var name = options.Image ?? node.Definition.SliverType?.DiskImage?.Name ?? DockerTestbedOptions.NodeImage;
            var tagged = WithTag(name);
            if (known.Contains(tagged, StringComparer.Ordinal))
            {
                images.Add(node, tagged);
            }
            else
            {
                problems.Add($"node {node.ClientId} asks for disk image '{name}', which is no local Docker image");
            }
        }

        if (problems.Count > 0)
        {
            throw new DockerTestbedException(
                $"{string.Join("; ", problems)}. The Docker testbed runs local images by name; the engine has: {(known.Length == 0 ? "none" : string.Join(", ", known))} (./lab image builds {DockerTestbedOptions.NodeImage} and the stock Debian 12 {DockerTestbedOptions.StockImage})");
        }

        return images;
    }

    /// <summary><paramref name="name"/> with <c>:latest</c> when it names no tag (a colon after its last slash).</summary>
    internal static string WithTag(string name) =>
        name.LastIndexOf(':') > name.LastIndexOf('/') ? name : name + ":latest";

    private async Task BuildAsync(LocalTestbedPlan plan, IReadOnlyDictionary<PlannedNode, string> images, CancellationToken cancellationToken)
    {
        var key = await SshKeyPair.CreateAsync(_directory, $"netserv-lab docker testbed {Id}", cancellationToken).ConfigureAwait(false);
        var control = ControlSubnet(plan);
        var hosts = new Dictionary<PlannedNode, LocalHost>();
        var files = new Dictionary<string, (string Content, UnixFileMode Mode)>();
        foreach (var (path, content) in _options.Files)
        {
            files[path] = (content, Readable);
        }

        IEnumerable<string> authorized = _options.InstallRunKey ? [key.PublicKey, .. _options.AuthorizedKeys] : _options.AuthorizedKeys;
        if (authorized.Any())
        {
            files["/root/.ssh/authorized_keys"] = (string.Concat(authorized.Select(k => k.Trim() + "\n")), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var switchNodes = plan.Switches.Select(s => s.Node).ToHashSet();
        var index = 0;
        foreach (var planned in plan.Nodes)
        {
            Step($"create node {planned.ClientId}", cancellationToken);
            var name = $"netserv-{Id}-{planned.HostName}";
            var created = await _engine.Client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = name,
                Image = images[planned],
                Hostname = planned.HostName,
                Labels = new Dictionary<string, string>(_options.Labels) { [TestbedLabel] = Id, ["netserv.node"] = planned.ClientId },
                // The image's entrypoint starts sshd, then netservd, or in its place the command it is given. A switch node's
                // container only gives the namespace its Open vSwitch runs in.
                Cmd = switchNodes.Contains(planned) || (_options.NetServNodes is { } netserv && !netserv.Contains(planned.ClientId)) ? ["sleep", "infinity"] : _options.NetServCommand?.ToList(),
                HostConfig = new HostConfig
                {
                    // No Docker network at all: the testbed makes every interface the container has.
                    NetworkMode = "none",
                    // What netservd needs for its iptables chain, NFQUEUE and its containers' cgroups and sandboxes.
                    CapAdd = ["NET_ADMIN", "NET_RAW", "SYS_ADMIN"],
                    SecurityOpt = ["seccomp=unconfined"],
                },
            }, cancellationToken).ConfigureAwait(false);
            _containers.Add(created.ID);
            LabRunRecord.Current.Add(RunResource.Container(created.ID));
            var nodeFiles = new Dictionary<string, (string Content, UnixFileMode Mode)>(files);
            foreach (var (path, content) in _options.NodeFiles.GetValueOrDefault(planned.ClientId) ?? new Dictionary<string, string>())
            {
                nodeFiles[path] = (content, Readable);
            }

            await _engine.Client.Containers.ExtractArchiveToContainerAsync(created.ID, new ContainerPathStatParameters { Path = "/" }, Archive(nodeFiles), cancellationToken).ConfigureAwait(false);
            await _engine.Client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
            var inspected = await _engine.Client.Containers.InspectContainerAsync(created.ID, cancellationToken).ConfigureAwait(false);
            if (inspected.State is not { Running: true, Pid: > 0 } state)
            {
                throw new DockerTestbedException($"container {name} of node {planned.ClientId} stopped right after it started (exit code {inspected.State?.ExitCode}): docker logs {name} says why");
            }

            var host = Network.AttachHost(planned.HostName, (int)state.Pid);
            hosts.Add(planned, host);
            _namespaces.Add(planned.ClientId, host.Namespace);
            var controlAddress = ConnectControl(control, index++, state.Pid);
            var session = new SshNodeSession(
                new SshNodeOptions
                {
                    NodeName = planned.ClientId,
                    Host = controlAddress.ToString(),
                    User = "root",
                    PrivateKeyPath = key.PrivateKeyPath,
                    KnownHostsPath = KnownHostsPath,
                    BootRetryWindow = _options.ReadyTimeout,
                    FirstRetryDelay = TimeSpan.FromMilliseconds(100),
                    MaxRetryDelay = TimeSpan.FromSeconds(1),
                },
                TimeProvider.System,
                NullLogger<SshNodeSession>.Instance);
            var interfaces = planned.Interfaces.Select(i => new TestbedInterface(i.ClientId, i.Device, i.Ip.Address, i.Ip.PrefixLength)).ToArray();
            _nodes.Add(new DockerTestbedNode(planned.Definition, created.ID, name, images[planned], (int)state.Pid, controlAddress, interfaces, session));
            Log.NodeCreated(_logger, planned.ClientId, name, images[planned], controlAddress.ToString());
        }

        LocalTestbed.Wire(plan, Network, hosts, _options.Mtu, step => Step(step, cancellationToken), _logger);
        LocalTestbed.RealiseSwitches(plan, Network, hosts, _options.Mtu, _switches, step => Step(step, cancellationToken), _logger);
        Step("wait for SSH", cancellationToken);
        await WaitForSshAsync(cancellationToken).ConfigureAwait(false);
        if (_options.RunInstallServices && _options.AptProxy)
        {
            await StartAptProxiesAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_options.RunInstallServices)
        {
            await RunInstallServicesAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!_options.RunExecuteServices)
        {
            return;
        }

        foreach (var node in _nodes)
        {
            // A switch's bridge is made above, not by its service.
            foreach (var service in node.Definition.Executes.Where(e => !LocalTestbed.MadeBySwitch(_switches, node, e)))
            {
                Step($"execute on {node.ClientId}", cancellationToken);
                await RunServiceAsync(node, service, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Runs the nodes' <c>install</c> services over SSH, as an aggregate does before a node boots: each archive fetched
    /// here and unpacked at its <c>install_path</c>. One error naming each install that failed.
    /// </summary>
    private async Task RunInstallServicesAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        var failures = new List<string>();
        foreach (var node in _nodes)
        {
            foreach (var install in node.Definition.Installs)
            {
                Step($"install on {node.ClientId}", cancellationToken);
                try
                {
                    await InstallServiceRunner.RunAsync(node.Session, install, http, _options.InstallFetchTimeout, cancellationToken).ConfigureAwait(false);
                    await _options.Log.WriteLineAsync($"{node.ClientId}: {install.Url} unpacked at {install.InstallPath}").ConfigureAwait(false);
                }
                catch (InstallServiceException e)
                {
                    failures.Add(e.Message);
                }
            }
        }

        if (failures.Count > 0)
        {
            throw new DockerTestbedException($"install services failed: {string.Join("; ", failures)}");
        }
    }

    /// <summary>
    /// Gives each node with <c>install</c> services a <see cref="ForwardProxy"/> on this machine's end of its control link and
    /// points its apt at it (<see cref="AptProxyFile"/>), so that what the services run can install Debian packages.
    /// </summary>
    private async Task StartAptProxiesAsync(CancellationToken cancellationToken)
    {
        foreach (var node in _nodes.Where(n => n.Definition.Installs.Count > 0))
        {
            Step($"apt proxy for {node.ClientId}", cancellationToken);
            var proxy = ForwardProxy.Start(node.OrchestratorAddress.ToIPAddress());
            _proxies.Add(proxy);
            var written = await node.Session.RunAsync(
                "sh", ["-c", "mkdir -p \"$(dirname \"$1\")\" && cat >\"$1\"", "apt-proxy", AptProxyFile], TimeSpan.FromSeconds(30), proxy.AptConfiguration, cancellationToken).ConfigureAwait(false);
            if (written.ExitCode != 0)
            {
                throw new DockerTestbedException($"{node.ClientId}: writing {AptProxyFile} failed (exit {written.ExitCode}): {(written.StandardError + written.StandardOutput).Trim()}");
            }

            await _options.Log.WriteLineAsync($"{node.ClientId}: apt reaches the Debian mirror through {proxy.Url} ({AptProxyFile})").ConfigureAwait(false);
        }
    }

    /// <summary>Waits until every node runs a command over SSH; one error naming each node that does not.</summary>
    private async Task WaitForSshAsync(CancellationToken cancellationToken)
    {
        var probes = _nodes.Select(async n =>
        {
            try
            {
                (await n.Session.RunAsync("true", [], TimeSpan.FromSeconds(30), standardInput: string.Empty, cancellationToken).ConfigureAwait(false)).EnsureSuccess();
                return null;
            }
            catch (Exception e) when (e is NodeUnreachableException or CommandFailedException)
            {
                return $"{n.ClientId} ({n.ContainerName}, {n.ControlAddress}): {e.Message}";
            }
        }).ToArray();
        var failures = (await Task.WhenAll(probes).ConfigureAwait(false)).OfType<string>().ToArray();
        cancellationToken.ThrowIfCancellationRequested();
        if (failures.Length > 0)
        {
            throw new DockerTestbedException($"not every node answers over SSH: {string.Join("; ", failures)}");
        }
    }

    /// <summary>
    /// A veth pair from this machine to the container's namespace: the host end <c>nsc&lt;id&gt;&lt;n&gt;</c> gets the
    /// first address of the node's /30 in <paramref name="control"/>, the container's end <c>ctl0</c> the second.
    /// Both go when the container's namespace does.
    /// </summary>
    private Ipv4Address ConnectControl(Ipv4Prefix control, int index, long pid)
    {
        var hostEnd = new Ipv4Address(control.Address.Value + (uint)(index * 4) + 1);
        var nodeEnd = new Ipv4Address(hostEnd.Value + 1);
        var device = $"nsc{Id}{index}";
        var pidText = pid.ToString(CultureInfo.InvariantCulture);
        CommandRunner.RunChecked("ip", "link", "add", device, "type", "veth", "peer", "name", "ctl0", "netns", pidText);
        _controlLinks.Add(device);
        CommandRunner.RunChecked("ip", "address", "add", $"{hostEnd}/30", "dev", device);
        CommandRunner.RunChecked("ip", "link", "set", device, "up");
        var ns = Network.Hosts[index].Namespace;
        ns.ExecChecked("ip", "address", "add", $"{nodeEnd}/30", "dev", "ctl0");
        ns.ExecChecked("ip", "link", "set", "ctl0", "up");
        return nodeEnd;
    }

    /// <summary>
    /// A /24 of 198.19.128.0/17 for the control network: none of the request's subnets, and none this machine
    /// has an address in already (another testbed's control network).
    /// </summary>
    private static Ipv4Prefix ControlSubnet(LocalTestbedPlan plan)
    {
        if (plan.Nodes.Count > 64)
        {
            throw new DockerTestbedException($"the Docker testbed's control network holds 64 nodes; the request has {plan.Nodes.Count}");
        }

        var used = plan.Nodes.SelectMany(n => n.Interfaces).Select(i => new Ipv4Prefix(Masked(i.Ip.Address, i.Ip.PrefixLength), i.Ip.PrefixLength)).ToList();
        var taken = CommandRunner.Run("ip", ["-4", "-o", "address", "show"]).StandardOutput;
        for (var third = 255; third >= 128; third--)
        {
            var candidate = Ipv4Prefix.Parse($"198.19.{third}.0/24");
            if (!used.Any(u => u.Contains(candidate) || candidate.Contains(u)) && !taken.Contains($" 198.19.{third}.", StringComparison.Ordinal))
            {
                return candidate;
            }
        }

        throw new DockerTestbedException("no /24 of 198.19.128.0/17 is free for the Docker testbed's control network");
    }

    private static Ipv4Address Masked(Ipv4Address address, int length) => new(address.Value & new Ipv4Prefix(Ipv4Address.Any, length).Mask);

    /// <summary>A tar of <paramref name="files"/> (owned by root, their folders 0700), for the engine to unpack at <c>/</c>.</summary>
    private static MemoryStream Archive(IReadOnlyDictionary<string, (string Content, UnixFileMode Mode)> files)
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            var folders = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (path, (content, mode)) in files)
            {
                var parts = path.TrimStart('/').Split('/');
                for (var i = 1; i < parts.Length; i++)
                {
                    var folder = string.Join('/', parts[..i]) + "/";
                    if (folders.Add(folder))
                    {
                        // The engine sets the mode of a folder that exists already too: root's home and what is in it stay private.
                        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, folder) { Mode = folder.StartsWith("root/", StringComparison.Ordinal) ? Private : Public });
                    }
                }

                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, path.TrimStart('/'))
                {
                    Mode = mode,
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                });
            }
        }

        stream.Position = 0;
        return stream;
    }

    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private void Step(string step, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _options.BeforeStep?.Invoke(step);
    }

    private static partial class Log
    {
        [LoggerMessage(2711, LogLevel.Debug, "Node {Node} is container {Container} ({Image}), SSH at {ControlAddress}")]
        public static partial void NodeCreated(ILogger logger, string node, string container, string image, string controlAddress);

        [LoggerMessage(2712, LogLevel.Warning, "Realising Docker testbed {Id} failed, removing what was created: {Error}")]
        public static partial void RealisationFailed(ILogger logger, string id, string error);

        [LoggerMessage(2713, LogLevel.Debug, "Docker testbed {Id} is torn down")]
        public static partial void TornDown(ILogger logger, string id);
    }
}

/// <summary>The Docker testbed cannot realise a request (an image it does not have) or a node did not come up; the message says which and why.</summary>
public sealed class DockerTestbedException : Exception
{
    public DockerTestbedException()
    {
    }

    public DockerTestbedException(string message)
        : base(message)
    {
    }

    public DockerTestbedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
