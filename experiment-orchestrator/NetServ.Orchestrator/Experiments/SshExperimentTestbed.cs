using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetServ.Contracts.Configuration;
using NetServ.Contracts.Status;
using NetServ.Networking;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;
using NetServ.Testbed;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;
using NetServ.Traffic;

namespace NetServ.Orchestrator.Experiments;

/// <summary>
/// A testbed whose nodes the runner reaches over SSH only, as a GENI testbed's are: the Docker testbed's containers and an
/// aggregate's slivers. netservd is the node image's; signaling, the module server, the traffic generator and the counter are
/// the node image's own commands (<c>/opt/netserv/bin/netserv request|module serve|traffic paced</c>, iptables) run over SSH.
/// What differs is how a testbed is named, entered, released and how netservd gets the run's configuration.
/// </summary>
internal abstract class SshExperimentTestbed : IExperimentTestbed
{
    /// <summary>The node image's CLI (a login over SSH does not have /opt/netserv/bin on its PATH).</summary>
    public const string Netserv = SshNetServAdmin.Cli;

    /// <summary>Where on a node the runner keeps what it puts there (the user's key, packages, the module server's log).</summary>
    public const string NodeFolder = "/var/lib/netserv-lab";

    /// <summary>The netservd configuration of a NetServ node: the node image's.</summary>
    public const string ConfigurationPath = "/etc/netserv/netserv.json";

    /// <summary>How long one command over SSH may take.</summary>
    protected static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long netservd may take to answer with the run's users ready.</summary>
    protected static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    /// <inheritdoc />
    public abstract ITestbed Testbed { get; }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract string DeployDescription { get; }

    /// <inheritdoc />
    public abstract string Where(ITestbedNode node);

    /// <inheritdoc />
    public abstract string EnterCommand(ITestbedNode node);

    /// <inheritdoc />
    public abstract Task<IExperimentNetServd> StartNetServdAsync(ITestbedNode node, NodeConfiguration configuration, CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract IEnumerable<string> Leftovers();

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <summary>What netservd on <paramref name="node"/> printed (a container's console, a log file).</summary>
    protected abstract Task<string> ReadLogAsync(ITestbedNode node, CancellationToken cancellationToken);

    /// <summary>
    /// The node image's netserv.json (node-image/image/rootfs/etc/netserv/netserv.json) with <paramref name="node"/>'s name,
    /// users, log level and whether an on-link destination ends signaling's path in place of the image's example: its folders stay the image's.
    /// </summary>
    public static string ImageConfiguration(NodeConfiguration node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var path = Path.Combine(NetServ.Testbed.Nodes.BuildOutputs.RepositoryRoot, "node-image", "image", "rootfs", "etc", "netserv", "netserv.json");
        var file = JsonSerializer.Deserialize(File.ReadAllText(path), ConfigurationJsonContext.Default.NodeConfigurationFile)
            ?? throw new InvalidDataException($"{path} holds no configuration");
        file.NetServ.NodeName = node.NodeName;
        file.NetServ.Users = node.Users;
        file.NetServ.Containers.LogLevel = node.Containers.LogLevel;
        file.NetServ.Signaling.OnLinkEndsPath = node.Signaling.OnLinkEndsPath;
        file.Logging = new LoggingConfiguration { LogLevel = new Dictionary<string, string> { ["Default"] = node.Containers.LogLevel } };
        return JsonSerializer.Serialize(file, ConfigurationJsonContext.Default.NodeConfigurationFile);
    }

    /// <summary>
    /// netservd on <paramref name="node"/> once it answers with every user of <paramref name="configuration"/> ready (by name, so
    /// that a netservd restarted with a new configuration is told from the one before); <paramref name="origin"/> says what runs it.
    /// </summary>
    protected async Task<IExperimentNetServd> WaitForNetServdAsync(ITestbedNode node, NodeConfiguration configuration, string origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var own = Own(node);
        var netservd = new ImageNetServd(own, configuration.NodeName, origin, token => ReadLogAsync(own, token));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var answer = await netservd.TryStatusAsync(cancellationToken).ConfigureAwait(false);
            if (answer.Status is { } status && configuration.Users.All(u => status.Containers.Any(c => c.User == u.Name && c.State == ContainerState.Ready)))
            {
                return netservd;
            }

            if (watch.Elapsed > ReadyTimeout)
            {
                var log = await ReadLogAsync(own, cancellationToken).ConfigureAwait(false);
                throw new ExperimentException(
                    $"netservd on {node.ClientId} is not ready {ReadyTimeout.TotalSeconds:0} s after it started: {answer.Problem ?? "its users' containers are not all ready"}; its log ends:\n{Tail(log)}");
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The testbed's own node for <paramref name="node"/> (the same, or the one of the same client id).</summary>
    protected ITestbedNode Own(ITestbedNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Testbed.Nodes.FirstOrDefault(n => ReferenceEquals(n, node) || n.ClientId == node.ClientId)
            ?? throw new ExperimentException($"node '{node.ClientId}' is not a node of {Name} {Testbed.Id}");
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(20));

    /// <inheritdoc />
    public async Task<INodeSignaling> StartSignalingAsync(ITestbedNode node, string user, UserPrivateKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var own = Own(node);
        var keyPath = $"{NodeFolder}/{user}.key";
        await RunCheckedAsync(own, ["mkdir", "-p", "-m", "0700", NodeFolder], cancellationToken).ConfigureAwait(false);
        using (var text = new MemoryStream(Encoding.UTF8.GetBytes(key.ToPem() + "\n")))
        {
            await own.Session.UploadAsync(text, keyPath, cancellationToken).ConfigureAwait(false);
        }

        await RunCheckedAsync(own, ["chmod", "0600", keyPath], cancellationToken).ConfigureAwait(false);
        return new SshSignaling(own, user, keyPath);
    }

    /// <inheritdoc />
    public async Task<IModuleServer> ServePackageAsync(ITestbedNode node, string package, CancellationToken cancellationToken)
    {
        var own = Own(node);
        var folder = $"{NodeFolder}/packages";
        await RunCheckedAsync(own, ["mkdir", "-p", folder], cancellationToken).ConfigureAwait(false);
        await using (var file = File.OpenRead(package))
        {
            await own.Session.UploadAsync(file, $"{folder}/{Path.GetFileName(package)}", cancellationToken).ConfigureAwait(false);
        }

        // In the background, out of the login's process group: it serves until release stops it.
        var log = $"{NodeFolder}/module-server.log";
        var started = await RunCheckedAsync(own, ["sh", "-c",
            $"setsid {Netserv} module serve --dir {folder} --address {own.Address} --port 0 >{log} 2>&1 </dev/null & echo $!"], cancellationToken).ConfigureAwait(false);
        var pid = int.Parse(started.Trim(), CultureInfo.InvariantCulture);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var printed = (await own.Session.RunAsync("cat", [log], CommandTimeout, string.Empty, cancellationToken).ConfigureAwait(false)).StandardOutput;
            if (ModuleServerLine.TryRead(printed, out var root))
            {
                return new SshModuleServer(own, pid, root);
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new ExperimentException($"the module server on {node.ClientId} did not start within 30 s: {printed.Trim()}");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task SendWarmUpAsync(ITestbedNode sender, Ipv4Address destination, CancellationToken cancellationToken) =>
        RunCheckedAsync(Own(sender), ["bash", "-c", $"printf x >/dev/udp/{destination}/9"], cancellationToken);

    /// <inheritdoc />
    public async Task<IPacketCounter> CountUdpAsync(ITestbedNode receiver, int port, CancellationToken cancellationToken)
    {
        var own = Own(receiver);
        var comment = $"netserv-lab {Testbed.Id}";
        string[] rule = ["INPUT", "-p", "udp", "--dport", port.ToString(CultureInfo.InvariantCulture), "-m", "comment", "--comment", comment, "-j", "DROP"];
        await RunCheckedAsync(own, ["iptables", "-I", .. rule], cancellationToken).ConfigureAwait(false);
        return new SshCounter(own, comment, rule);
    }

    /// <inheritdoc />
    public Task<ITrafficSender> TrafficSenderAsync(ITestbedNode sender, TrafficGeneratorChoice choice, CancellationToken cancellationToken)
    {
        var own = Own(sender);
        if (choice != TrafficGeneratorChoice.Paced)
        {
            // Click on the node, through its SSH session, where the image has it (./lab image --click-source).
            var click = new ClickTrafficGenerator(own.Session);
            if (click.Installation.IsInstalled)
            {
                return Task.FromResult<ITrafficSender>(new GeneratorSender(click));
            }

            click.Dispose();
            if (choice == TrafficGeneratorChoice.Click)
            {
                throw new ClickNotInstalledException(click.Installation);
            }
        }

        return Task.FromResult<ITrafficSender>(new SshPacedSender(own));
    }


    protected static async Task<string> RunCheckedAsync(ITestbedNode node, string[] command, CancellationToken cancellationToken, TimeSpan? timeout = null, string? input = null)
    {
        var result = await node.Session.RunAsync(command[0], command[1..], timeout ?? CommandTimeout, input ?? string.Empty, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new ExperimentException($"{node.ClientId}: {string.Join(' ', command)} exited with {result.ExitCode}: {(result.StandardError + result.StandardOutput).Trim()}");
        }

        return result.StandardOutput;
    }


    /// <summary>Requests sent by the node image's CLI on the node (<c>netserv request</c>), the user's key uploaded for the run.</summary>
    private sealed class SshSignaling(ITestbedNode node, string user, string keyPath) : INodeSignaling
    {
        public async Task<PathResponse> SendAsync(Ipv4Address destination, NslpRequest request, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var seconds = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            var text = Encoding.UTF8.GetString(NslpCodec.Encode(request));
            var result = await node.Session.RunAsync(
                Netserv, ["request", "--dest", destination.ToString(), "--user", user, "--key", keyPath, "--timeout", seconds, "--json"],
                timeout + CommandTimeout, text, cancellationToken).ConfigureAwait(false);
            var method = NslpRequest.MethodName(request.Method);
            try
            {
                if (JsonNode.Parse(result.StandardOutput) is JsonObject json && PathResponse.TryFromJson(json, out var stack, out _))
                {
                    return stack;
                }
            }
            catch (JsonException)
            {
                // Not a stack: the command says why below.
            }

            throw new ExperimentException($"{method} from {node.ClientId} toward {destination}: {(result.StandardError + result.StandardOutput).Trim()} (netserv request exited with {result.ExitCode})");
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await node.Session.RunAsync("rm", ["-f", keyPath], CommandTimeout, string.Empty, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NodeUnreachableException or CommandFailedException)
            {
                // The node is gone or going: the key goes with its container.
            }
        }
    }

    /// <summary><c>netserv module serve</c> on the node, stopped at release.</summary>
    private sealed class SshModuleServer(ITestbedNode node, int pid, Uri root) : IModuleServer
    {
        public Uri UrlOf(string fileName) => new(root, Uri.EscapeDataString(fileName));

        public async ValueTask DisposeAsync()
        {
            try
            {
                await node.Session.RunAsync("kill", [pid.ToString(CultureInfo.InvariantCulture)], CommandTimeout, string.Empty, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NodeUnreachableException or CommandFailedException)
            {
                // The node is gone or going: the server goes with its container.
            }
        }
    }

    /// <summary>A counting rule in the node's INPUT chain, read and removed over SSH.</summary>
    private sealed class SshCounter(ITestbedNode node, string comment, string[] rule) : IPacketCounter
    {
        public async Task<long> ReadAsync(CancellationToken cancellationToken)
        {
            var listing = await RunCheckedAsync(node, ["iptables", "-nvxL", "INPUT"], cancellationToken).ConfigureAwait(false);
            return IptablesCounter.ParseListing(listing).FirstOrDefault(r => r.Text.Contains($"/* {comment} */", StringComparison.Ordinal)) is { Text: not null } found
                ? found.Packets
                : throw new ExperimentException($"{node.ClientId} has no rule '{comment}' in INPUT any more:\n{listing}");
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await node.Session.RunAsync("iptables", ["-D", .. rule], CommandTimeout, string.Empty, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NodeUnreachableException or CommandFailedException)
            {
                // The node is gone or going: the rule goes with its container.
            }
        }
    }


    /// <summary>The project's paced generator as the node image has it (<c>netserv traffic paced --json</c>), run over SSH.</summary>
    private sealed class SshPacedSender(ITestbedNode node) : ITrafficSender
    {
        public string Driver => PacedTrafficGenerator.DriverName;

        public async Task<TrafficResult> SendAsync(TrafficSpec spec, CancellationToken cancellationToken)
        {
            var invariant = CultureInfo.InvariantCulture;
            string[] command =
            [
                Netserv, "traffic", "paced", "--json",
                "--device", spec.Device, "--destination", spec.Destination.ToString(), "--source", spec.Source.ToString(),
                "--next-hop-mac", MacText(spec.NextHopMac), "--port", spec.DestinationPort.ToString(invariant),
                "--rate", spec.PacketsPerSecond.ToString("R", invariant), "--packets", spec.Packets.ToString(invariant),
                "--seconds", spec.MaxDuration.TotalSeconds.ToString("0.###", invariant), "--size", spec.WireBytes.ToString(invariant),
            ];
            var result = await node.Session.RunAsync(command[0], command[1..], spec.MaxDuration + CommandTimeout, string.Empty, cancellationToken).ConfigureAwait(false);
            var last = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            // Exit 1 is a run that some sends were refused in: still a result.
            if (result.ExitCode is 0 or 1 && last is not null && last.StartsWith('{'))
            {
                return TrafficResult.FromPaced(GeneratorResultJson.Read(last));
            }

            throw new ExperimentException($"{node.ClientId}: netserv traffic paced exited with {result.ExitCode}: {(result.StandardError + result.StandardOutput).Trim()}");
        }

        public void Dispose()
        {
        }

        private static string MacText(System.Net.NetworkInformation.PhysicalAddress mac) =>
            string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    /// <summary>netservd as the node image runs it, asked over SSH through its admin socket.</summary>
    private sealed class ImageNetServd(ITestbedNode node, string name, string origin, Func<CancellationToken, Task<string>> log) : IExperimentNetServd
    {
        public string Name => name;

        public int? Pid => null;

        public string Origin => origin;

        public async Task<bool> IsRunningAsync(CancellationToken cancellationToken) => (await TryStatusAsync(cancellationToken).ConfigureAwait(false)).Status is not null;

        public async Task<NodeStatus> StatusAsync(CancellationToken cancellationToken)
        {
            var (status, problem) = await TryStatusAsync(cancellationToken).ConfigureAwait(false);
            return status ?? throw new ExperimentException($"netservd on {node.ClientId} gives no status: {problem}");
        }

        public async Task<(NodeStatus? Status, string? Problem)> TryStatusAsync(CancellationToken cancellationToken)
        {
            var result = await node.Session.RunAsync(Netserv, ["admin", "probe", "status", "--json"], CommandTimeout, string.Empty, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                return (null, $"netserv admin probe status exited with {result.ExitCode}: {(result.StandardError + result.StandardOutput).Trim()}");
            }

            try
            {
                var body = JsonNode.Parse(result.StandardOutput)?["body"];
                return (body?.Deserialize(StatusJsonContext.Default.NodeStatus), body is null ? "the answer has no body" : null);
            }
            catch (JsonException e)
            {
                return (null, $"netserv admin probe status printed no status: {e.Message}");
            }
        }

        public async Task<IReadOnlyList<string>> LogAsync(CancellationToken cancellationToken) =>
            (await log(cancellationToken).ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        public Task<NslpResponse> SetupAsync(ModuleSetup setup, CancellationToken cancellationToken) => new SshNetServAdmin(node.Session).SetupAsync(setup, cancellationToken);

        // The node, and netservd with it, goes at release.
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

}

/// <summary>Reads the first line <c>netserv module serve</c> prints: "serving N module packages from DIR on http://ADDRESS:PORT/ (Ctrl-C stops)".</summary>
internal static class ModuleServerLine
{
    /// <summary>The URL the packages are served under, once the server printed it.</summary>
    public static bool TryRead(string printed, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? root)
    {
        ArgumentNullException.ThrowIfNull(printed);
        root = null;
        var at = printed.IndexOf(" on http://", StringComparison.Ordinal);
        if (at < 0)
        {
            return false;
        }

        var start = at + " on ".Length;
        var end = printed.IndexOf(' ', start);
        return Uri.TryCreate(end < 0 ? printed[start..].Trim() : printed[start..end], UriKind.Absolute, out root) && root.Scheme == Uri.UriSchemeHttp;
    }
}
