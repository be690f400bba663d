using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Networking;
using NetServ.RSpec;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Ssh;

namespace NetServ.Testbed.Geni;

/// <summary>How an <see cref="AggregateTestbed"/> reaches its nodes.</summary>
public sealed record AggregateTestbedOptions
{
    /// <summary>The private key whose public half was given to the aggregate at Provision (<c>geni_users</c>).</summary>
    public required string PrivateKeyPath { get; init; }

    /// <summary>The run's own known_hosts: each node's host key is recorded at first contact.</summary>
    public required string KnownHostsPath { get; init; }

    /// <summary>How long a node may refuse SSH while it boots: bare-metal nodes take minutes.</summary>
    public TimeSpan BootRetryWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one <c>execute</c> service may run before it is killed.</summary>
    public TimeSpan ExecuteTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How much of a service's output is kept.</summary>
    public int OutputLimit { get; init; } = 64 * 1024;
}

/// <summary>
/// The slivers a GENI aggregate gave for a request, as a testbed: each node reached over SSH at the login its manifest names
/// (<c>services/login</c>: host, port, username) with the run's key, through <c>sudo -n</c> where the login is not root
/// (CloudLab logs users in as themselves); each interface the address the manifest gives it, on the device the node has it
/// on. The aggregate runs the nodes' install and execute services itself, when they boot; <see cref="RunServiceAsync"/> runs
/// one again. Disposing closes the sessions and calls the release the caller gave (the aggregate's Delete).
/// </summary>
public sealed class AggregateTestbed : ITestbed
{
    private readonly AggregateTestbedOptions _options;
    private readonly List<AggregateTestbedNode> _nodes;
    private readonly List<SshNodeSession> _sessions = [];
    private readonly Func<CancellationToken, Task> _release;
    private bool _released;

    private AggregateTestbed(string id, RequestRSpec request, AggregateTestbedOptions options, List<AggregateTestbedNode> nodes, Func<CancellationToken, Task> release)
    {
        Id = id;
        Request = request;
        _options = options;
        _nodes = nodes;
        _release = release;
    }

    /// <inheritdoc />
    public string Id { get; }

    /// <inheritdoc />
    public RequestRSpec Request { get; }

    /// <inheritdoc />
    public IReadOnlyList<ITestbedNode> Nodes => _nodes;

    /// <summary>The nodes, with their logins.</summary>
    public IReadOnlyList<AggregateTestbedNode> AggregateNodes => _nodes;

    /// <summary>The run's private key, for the command that enters a node.</summary>
    public string PrivateKeyPath => _options.PrivateKeyPath;

    /// <summary>The run's known_hosts, for the command that enters a node.</summary>
    public string KnownHostsPath => _options.KnownHostsPath;

    /// <summary>
    /// Logs in to every node of <paramref name="request"/> as <paramref name="manifest"/> says and finds its interfaces'
    /// devices; <paramref name="release"/> is called once when the testbed is disposed, also when connecting fails.
    /// </summary>
    /// <exception cref="AggregateTestbedException">The manifest lacks a node, a login or an address the request needs.</exception>
    /// <exception cref="NodeUnreachableException">A node did not answer SSH within the boot window.</exception>
    public static async Task<AggregateTestbed> ConnectAsync(
        string id, RequestRSpec request, ManifestRSpec manifest, AggregateTestbedOptions options, Func<CancellationToken, Task> release,
        ILoggerFactory? loggers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(options);
        loggers ??= NullLoggerFactory.Instance;
        var nodes = new List<AggregateTestbedNode>();
        var testbed = new AggregateTestbed(id, request, options, nodes, release);
        try
        {
            foreach (var definition in request.Nodes)
            {
                var node = manifest.FindNode(definition.ClientId)
                    ?? throw new AggregateTestbedException($"the aggregate's manifest has no node '{definition.ClientId}' (it has {string.Join(", ", manifest.Nodes.Select(n => n.ClientId))})");
                var login = node.Logins.FirstOrDefault(l => l.Authentication == "ssh-keys") ?? (node.Logins.Count > 0 ? node.Logins[0] : null)
                    ?? throw new AggregateTestbedException($"the aggregate's manifest names no login for '{definition.ClientId}' (services/login)");
                var ssh = new SshNodeSession(
                    new SshNodeOptions
                    {
                        NodeName = definition.ClientId,
                        Host = login.Hostname,
                        Port = login.Port,
                        User = login.Username ?? "root",
                        PrivateKeyPath = options.PrivateKeyPath,
                        KnownHostsPath = options.KnownHostsPath,
                        BootRetryWindow = options.BootRetryWindow,
                    },
                    TimeProvider.System,
                    loggers.CreateLogger<SshNodeSession>());
                testbed._sessions.Add(ssh);
                var session = new SudoSession(ssh, login.Username is null or "root");
                var devices = ParseAddresses((await session.RunAsync("ip", ["-j", "-4", "addr", "show"], TimeSpan.FromSeconds(30), string.Empty, cancellationToken).ConfigureAwait(false)).EnsureSuccess().StandardOutput);
                nodes.Add(new AggregateTestbedNode(definition, login, session, Interfaces(definition, node, devices)));
            }

            return testbed;
        }
        catch
        {
            await testbed.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<ExecuteServiceResult> RunServiceAsync(ITestbedNode node, ExecuteService service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(service);
        var own = _nodes.FirstOrDefault(n => ReferenceEquals(n, node) || n.ClientId == node.ClientId)
            ?? throw new ArgumentException($"node '{node.ClientId}' is not a node of aggregate testbed {Id}", nameof(node));
        var result = await ExecuteServiceRunner.RunAsync(own.Session, own.ClientId, service, service.Shell, _options.ExecuteTimeout, _options.OutputLimit, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        own.AddServiceResult(result);
        return result;
    }

    /// <summary>Closes the sessions, then releases the slivers (once).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }

        if (!_released)
        {
            _released = true;
            await _release(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>As <see cref="DisposeAsync"/>, blocking.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The IPv4 addresses <c>ip -j -4 addr show</c> lists: each with its device and prefix length.</summary>
    internal static IReadOnlyList<(string Device, Ipv4Address Address, int PrefixLength)> ParseAddresses(string json)
    {
        var found = new List<(string, Ipv4Address, int)>();
        try
        {
            using var document = JsonDocument.Parse(json);
            foreach (var link in document.RootElement.EnumerateArray())
            {
                if (!link.TryGetProperty("ifname", out var name) || !link.TryGetProperty("addr_info", out var addresses))
                {
                    continue;
                }

                foreach (var address in addresses.EnumerateArray())
                {
                    if (address.TryGetProperty("local", out var local) && Ipv4Address.TryParse(local.GetString(), out var ip) && address.TryGetProperty("prefixlen", out var prefix))
                    {
                        found.Add((name.GetString()!, ip, prefix.GetInt32()));
                    }
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new AggregateTestbedException($"ip -j -4 addr show printed no address list: {e.Message}");
        }

        return found;
    }

    /// <summary>The request's interfaces of a node, with the addresses the manifest gives them and the devices the node has them on.</summary>
    internal static IReadOnlyList<TestbedInterface> Interfaces(RSpecNode definition, ManifestNode node, IReadOnlyList<(string Device, Ipv4Address Address, int PrefixLength)> devices)
    {
        var interfaces = new List<TestbedInterface>();
        foreach (var wanted in definition.Interfaces)
        {
            var given = node.Interfaces.FirstOrDefault(i => i.ClientId == wanted.ClientId)?.Ips.FirstOrDefault(ip => !ip.IsIpv6)
                ?? throw new AggregateTestbedException($"the aggregate's manifest gives no IPv4 address to {wanted.ClientId}");
            var address = Ipv4Address.Parse(given.Address.ToString());
            var (device, _, prefix) = devices.FirstOrDefault(d => d.Address == address);
            if (device is null)
            {
                throw new AggregateTestbedException($"{definition.ClientId} has no interface with {address}, which the manifest gives {wanted.ClientId} (it has {string.Join(", ", devices.Select(d => $"{d.Device} {d.Address}"))})");
            }

            interfaces.Add(new TestbedInterface(wanted.ClientId, device, address, given.PrefixLength ?? prefix));
        }

        return interfaces;
    }
}

/// <summary>A node of an <see cref="AggregateTestbed"/>: a sliver, reached at its manifest's login.</summary>
public sealed class AggregateTestbedNode : ITestbedNode
{
    private readonly List<ExecuteServiceResult> _serviceResults = [];

    internal AggregateTestbedNode(RSpecNode definition, NodeLogin login, SudoSession session, IReadOnlyList<TestbedInterface> interfaces)
    {
        Definition = definition;
        Login = login;
        Session = session;
        Interfaces = interfaces;
    }

    /// <inheritdoc />
    public string ClientId => Definition.ClientId;

    /// <inheritdoc />
    public RSpecNode Definition { get; }

    /// <summary>Where the node is logged in to.</summary>
    public NodeLogin Login { get; }

    /// <inheritdoc />
    public IReadOnlyList<TestbedInterface> Interfaces { get; }

    /// <inheritdoc />
    public Ipv4Address Address => Interfaces.Count > 0 ? Interfaces[0].Address : throw new InvalidOperationException($"node '{ClientId}' has no interface");

    /// <inheritdoc />
    public IReadOnlyList<ExecuteServiceResult> ServiceResults => _serviceResults;

    /// <inheritdoc />
    public INodeSession Session { get; }

    internal void AddServiceResult(ExecuteServiceResult result) => _serviceResults.Add(result);
}

/// <summary>The manifest does not give what the request needs to reach a node.</summary>
public sealed class AggregateTestbedException : Exception
{
    public AggregateTestbedException()
    {
    }

    public AggregateTestbedException(string message)
        : base(message)
    {
    }

    public AggregateTestbedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A session as root on a node whose login is not: commands through <c>sudo -n</c>, files uploaded beside the login's home
/// then moved into place as root. A root login passes everything through.
/// </summary>
internal sealed class SudoSession(SshNodeSession inner, bool isRoot) : INodeSession
{
    private static readonly TimeSpan MoveTimeout = TimeSpan.FromSeconds(30);

    public string NodeName => inner.NodeName;

    public Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, TimeSpan timeout, string? standardInput = null, CancellationToken cancellationToken = default) =>
        isRoot ? inner.RunAsync(file, arguments, timeout, standardInput, cancellationToken) : inner.RunAsync("sudo", ["-n", file, .. arguments], timeout, standardInput, cancellationToken);

    public async Task UploadAsync(Stream content, string nodePath, CancellationToken cancellationToken = default)
    {
        if (isRoot)
        {
            await inner.UploadAsync(content, nodePath, cancellationToken).ConfigureAwait(false);
            return;
        }

        var staged = $"/tmp/netserv-lab-{Guid.NewGuid():N}";
        await inner.UploadAsync(content, staged, cancellationToken).ConfigureAwait(false);
        var moved = await inner.RunAsync("sudo", ["-n", "mv", staged, nodePath], MoveTimeout, string.Empty, cancellationToken).ConfigureAwait(false);
        if (moved.ExitCode != 0)
        {
            throw new IOException($"{NodeName}: sudo mv {staged} {nodePath} exited with {moved.ExitCode}: {moved.StandardError.Trim()}");
        }
    }

    public Task DownloadAsync(string nodePath, Stream destination, CancellationToken cancellationToken = default) => inner.DownloadAsync(nodePath, destination, cancellationToken);

    public Task<INodePortForward> ForwardPortAsync(IPEndPoint nodeEndPoint, CancellationToken cancellationToken = default) => inner.ForwardPortAsync(nodeEndPoint, cancellationToken);
}
