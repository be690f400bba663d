using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetServ.Contracts.Status;
using NetServ.Evaluation.Containers;
using NetServ.Evaluation.Hosting;
using NetServ.Signaling.Nslp;
using NetServ.Testbed.Http;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Nodes;
using NetServ.Traffic;

namespace NetServ.Evaluation.NodeRuntime;

/// <summary>One container's process and counts: what its reader received, and what its NetMonitor counted (null without it).</summary>
internal sealed record ContainerCounts(string User, int Pid, long Received, long? NetMonitorPackets);

/// <summary>What every router configuration is set up with.</summary>
/// <param name="Path">The measurement path, whose router the configuration occupies.</param>
/// <param name="LogDirectory">Where node and C loop output goes (results' raw/ folder).</param>
/// <param name="BatchSize">Packets one receive of a queue reader takes at most (container and C loop alike).</param>
/// <param name="QueueMaxLength">Packets the kernel holds for a verdict before failing open (container and C loop alike).</param>
internal sealed record ConfigurationContext(BenchPath Path, string LogDirectory, int BatchSize, int QueueMaxLength)
{
    /// <summary>How long a module may take over one packet before the container takes it out of the packet path as hung (the node's default).</summary>
    public int HangTimeoutMs { get; init; } = new NetServNodeOptions().Node.Containers.HangTimeoutMs;
}

/// <summary>
/// One router configuration of the paper's section 9 (or the C baseline), set up in the router's
/// namespace and torn down without leaving anything behind.
/// </summary>
internal abstract class RouterConfiguration : IAsyncDisposable
{
    /// <summary>The NFQUEUE match of every queue configuration: exactly the generator's traffic.</summary>
    protected static readonly string[] QueueMatch = ["-d", BenchPath.ReceiverSubnet, "-p", "udp", "--dport", "5060"];

    /// <summary>The short name used in tables: 1..5 as in the paper, C for the C loop.</summary>
    public abstract string Key { get; }

    public abstract string Title { get; }

    /// <summary>What the UDP payload of the configuration's traffic holds: SIP NOTIFY keep-alives for KeepAlive, a pattern otherwise.</summary>
    public virtual UdpPayloadKind Payload => UdpPayloadKind.Pattern;

    /// <summary>The queue's counters, for configurations that send packets to user space.</summary>
    public IQueueProbe? Queue { get; protected set; }

    /// <summary>What the configuration's own process said when it stopped (nfq-accept prints a JSON line), or null.</summary>
    public string? ExitReport { get; protected set; }

    /// <summary>All configurations in the order they are measured.</summary>
    public static IReadOnlyList<string> AllKeys { get; } = ["1", "2", "C", "3", "4", "5", "6"];

    public static RouterConfiguration Create(string key) => key switch
    {
        "1" => new PlainForwarding(),
        "2" => new NetfilterRule(),
        "C" => new CQueueLoop(),
        "3" => new NodeContainer(NodeContainer.Layer.None),
        "4" => new NodeContainer(NodeContainer.Layer.NoModule),
        "5" => new NodeContainer(NodeContainer.Layer.NetMonitor),
        "6" => new NodeContainer(NodeContainer.Layer.KeepAlive),
        _ => throw new ArgumentException($"unknown configuration '{key}' (1, 2, 3, 4, 5, 6, C)", nameof(key)),
    };

    /// <summary>Builds what the configurations <paramref name="keys"/> need and is missing: nfq-accept, the node, NetMonitor's package.</summary>
    public static void EnsureBuilt(IReadOnlyCollection<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Contains("C"))
        {
            CQueueLoop.EnsureBuilt();
        }

        if (keys.Any(k => k is "3" or "4" or "5" or "6"))
        {
            Testbed.Nodes.BuildOutputs.EnsureNode();
        }

        foreach (var (key, package) in NodeContainer.Packages)
        {
            if (keys.Contains(key))
            {
                Testbed.Nodes.BuildOutputs.EnsurePackage(package.Id, package.Project);
            }
        }
    }

    public abstract Task StartAsync(ConfigurationContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the configuration up in the router of <paramref name="context"/>, runs <paramref name="measure"/>
    /// and tears it down, then checks that the router was left clean: anything left behind would falsify
    /// the next configuration, so that throws. A failure of the configuration itself (a node that does not
    /// start) goes to the errors of <paramref name="record"/> as "<paramref name="label"/>: message" and is
    /// returned rather than thrown, so it does not void the other configurations; the exit report goes to its notes.
    /// </summary>
    /// <returns>The failure's message, or null when the measurement ran.</returns>
    public async Task<string?> MeasureAsync(ConfigurationContext context, RunRecord record, string label, Func<Task> measure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(measure);
        string? error = null;
        try
        {
            await StartAsync(context, cancellationToken).ConfigureAwait(false);
            await measure().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            error = e.Message;
        }
        finally
        {
            await DisposeAsync().ConfigureAwait(false);
            if (ExitReport is { } report)
            {
                record.Notes.Add($"{label}, at exit: {report}");
            }
        }

        context.Path.EnsureRouterClean();
        if (error is not null)
        {
            record.Errors.Add($"{label}: {error}");
        }

        return error;
    }

    /// <summary>What the configuration can say about itself after a measurement (container memory and counts), or null.</summary>
    public virtual Task<JsonObject?> DescribeAsync(CancellationToken cancellationToken) => Task.FromResult<JsonObject?>(null);

    public abstract ValueTask DisposeAsync();
}

/// <summary>(1) Plain Linux forwarding: nothing in the router but routes.</summary>
internal sealed class PlainForwarding : RouterConfiguration
{
    public override string Key => "1";

    public override string Title => "plain forwarding";

    public override Task StartAsync(ConfigurationContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>(2) Netfilter in the path: one FORWARD rule matching the traffic, accepting it.</summary>
internal sealed class NetfilterRule : RouterConfiguration
{
    private static readonly string[] Rule = ["FORWARD", .. QueueMatch, "-m", "comment", "--comment", "netserv-eval config 2", "-j", "ACCEPT"];
    private NetworkNamespace? _router;

    public override string Key => "2";

    public override string Title => "+ iptables rule";

    public override Task StartAsync(ConfigurationContext context, CancellationToken cancellationToken)
    {
        _router = context.Path.Router;
        _router.ExecChecked("iptables", ["-A", .. Rule]);
        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        _router?.Exec("iptables", ["-D", .. Rule]);
        _router = null;
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The limit of the queue path: nfq-accept (libnetfilter_queue, batched verdicts) on its own
/// queue, with the same rule, batch, queue length and CPU as the container's reader.
/// </summary>
internal sealed class CQueueLoop : RouterConfiguration
{
    public const ushort QueueNumber = 50;

    /// <summary>nfq-accept stops by itself after this, whatever happens to this process.</summary>
    private const int MaxSeconds = 3600;

    private static readonly string[] Rule =
        ["FORWARD", .. QueueMatch, "-m", "comment", "--comment", "netserv-eval C loop", "-j", "NFQUEUE", "--queue-num", "50", "--queue-bypass"];

    private NetworkNamespace? _router;
    private Process? _process;
    private StreamWriter? _log;
    private ReaderCgroup? _cgroup;

    public override string Key => "C";

    public override string Title => "NFQUEUE → C loop";

    public static string Executable => Path.Combine(Testbed.Nodes.BuildOutputs.RepositoryRoot, "artifacts", "c-loop", "nfq-accept");

    /// <summary>Builds nfq-accept into artifacts/c-loop when it is missing.</summary>
    public static string EnsureBuilt()
    {
        if (!File.Exists(Executable))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Executable)!);
            CommandRunner.Run(
                "make",
                ["-s", "-C", Path.Combine(Testbed.Nodes.BuildOutputs.RepositoryRoot, "evaluation", "c-loop"), $"OUT={Path.GetDirectoryName(Executable)}"],
                TimeSpan.FromMinutes(2)).EnsureSuccess();
        }

        return Executable;
    }

    public override async Task StartAsync(ConfigurationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _router = context.Path.Router;
        var info = new ProcessStartInfo(EnsureBuilt()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--queue", QueueNumber.ToString(CultureInfo.InvariantCulture),
            "--batch", context.BatchSize.ToString(CultureInfo.InvariantCulture),
            "--cpu", context.Path.Placement.ReaderCpu.ToString(CultureInfo.InvariantCulture),
            "--maxlen", context.QueueMaxLength.ToString(CultureInfo.InvariantCulture),
            "--seconds", MaxSeconds.ToString(CultureInfo.InvariantCulture),
        })
        {
            info.ArgumentList.Add(argument);
        }

        _log = new StreamWriter(Path.Combine(context.LogDirectory, "c-loop.log"), append: true) { AutoFlush = true };
        _process = _router.Start(info);
        _process.ErrorDataReceived += (_, e) => WriteLog(e.Data);
        _process.BeginErrorReadLine();

        // Scheduled like a container: a cgroup of its own with a container's CPU quota.
        _cgroup = ReaderCgroup.Create($"cloop-{context.Path.Id}");
        if (_cgroup is null)
        {
            WriteLog("no CPU cgroup could be made: nfq-accept shares the benchmark's scheduling group");
        }
        else
        {
            _cgroup.Add(_process.Id);
            WriteLog($"nfq-accept (pid {_process.Id}) runs in cgroup {_cgroup.Directory}");
        }

        var probe = new KernelQueueProbe(_router, QueueNumber, ["FORWARD"]);
        var watch = Stopwatch.StartNew();
        while (!probe.IsBound())
        {
            if (_process.HasExited || watch.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"nfq-accept did not bind queue {QueueNumber} (exit code {(_process.HasExited ? _process.ExitCode : "none yet")}); see c-loop.log");
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        _router.ExecChecked("iptables", ["-A", .. Rule]);
        var pid = _process.Id;
        Queue = new KernelQueueProbe(_router, QueueNumber, ["FORWARD"], () => new ReaderInfo(pid, null, null));
    }

    public override async ValueTask DisposeAsync()
    {
        _router?.Exec("iptables", ["-D", .. Rule]);
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                CommandRunner.Run("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                ExitReport = (await _process.StandardOutput.ReadToEndAsync(deadline.Token).ConfigureAwait(false)).Trim();
                await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
            }

            WriteLog($"exit: {ExitReport}");
            _process.Dispose();
            _process = null;
        }

        _cgroup?.Dispose();
        _cgroup = null;

        if (_log is not null)
        {
            await _log.DisposeAsync().ConfigureAwait(false);
            _log = null;
        }

        _router = null;
    }

    private void WriteLog(string? line)
    {
        if (line is not null)
        {
            lock (this)
            {
                _log?.WriteLine(line);
            }
        }
    }
}

/// <summary>
/// (3) NFQUEUE to a NetServ container without module layer, (4) the full container with no module,
/// (5) NetMonitor installed through the admin API. netservd runs with one user, u000, or with one
/// container per <see cref="UserShare"/> (the container-count benchmark); for 3 and 4 the benchmark
/// adds each user's NFQUEUE rule itself (no module installs one), in a chain of its own jumped to from
/// FORWARD after the node's (which belongs to netservd), for 5 and 6 the node adds it to its chain when
/// the user's module is set up with the user's filter.
/// </summary>
internal sealed class NodeContainer(NodeContainer.Layer layer, IReadOnlyList<UserShare>? users = null) : RouterConfiguration
{
    public const string NetMonitorModule = "NetServ.Apps.NetMonitor_1.0.0";

    public const string KeepAliveModule = "NetServ.Apps.KeepAlive_1.0.0";

    /// <summary>
    /// KeepAlive as configuration 6 runs it: with address swapping disabled (the paper's section 9) it
    /// matches every SIP NOTIFY keep-alive and builds the whole reply, but sends nothing and forwards
    /// the request to the receiver, where it is counted.
    /// </summary>
    public const string KeepAliveProperties = "swap-addresses=false";

    /// <summary>netservd's chain, where the modules' filters put their rules (its default, which the benchmark keeps).</summary>
    private const string NodeChain = "NETSERV";

    private readonly IReadOnlyList<UserShare> _users = users ?? UserShare.Assign(1);
    private NetworkNamespace? _router;
    private IptablesChain? _chain;
    private NetServNodeProcess? _node;
    private PackageServer? _packages;
    private StreamWriter? _log;

    public enum Layer
    {
        /// <summary>Configuration 3: the container's reader accepts without any module layer.</summary>
        None,

        /// <summary>Configuration 4: module layer present, no module installed.</summary>
        NoModule,

        /// <summary>Configuration 5: NetMonitor installed.</summary>
        NetMonitor,

        /// <summary>Configuration 6: KeepAlive installed, address swapping disabled; the traffic is SIP NOTIFY keep-alives.</summary>
        KeepAlive,
    }

    /// <summary>The module package of each configuration that installs one: its id and project folder.</summary>
    public static IReadOnlyDictionary<string, (string Id, string Project)> Packages { get; } = new Dictionary<string, (string, string)>
    {
        ["5"] = ("NetServ.Apps.NetMonitor", "applications/NetMonitor"),
        ["6"] = ("NetServ.Apps.KeepAlive", "applications/KeepAlive"),
    };

    public override string Key => layer switch { Layer.None => "3", Layer.NoModule => "4", Layer.NetMonitor => "5", _ => "6" };

    public override string Title => layer switch
    {
        Layer.None => "NFQUEUE → container, no module layer",
        Layer.NoModule => "container, no module",
        Layer.NetMonitor => "NetMonitor",
        _ => "KeepAlive, address swapping disabled",
    };

    public override UdpPayloadKind Payload => layer == Layer.KeepAlive ? UdpPayloadKind.SipKeepAlive : UdpPayloadKind.Pattern;

    /// <summary>The node, while the configuration is up.</summary>
    public NetServNodeProcess? Node => _node;

    /// <summary>The users, one container each, and their shares of the traffic.</summary>
    public IReadOnlyList<UserShare> Users => _users;

    /// <summary>The hang timeout the node runs with, once started.</summary>
    public int? HangTimeoutMs => _node?.Options.Node.Containers.HangTimeoutMs;

    /// <summary>The users' queues as the kernel alone sees them: cheap enough to read while traffic flows (no container is asked).</summary>
    public KernelQueueProbe? KernelQueues { get; private set; }

    /// <summary>Told about slow steps (the node's start, module installs) as they happen.</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>The single user of configurations 3 to 5.</summary>
    private string User => _users[0].User;

    public override async Task StartAsync(ConfigurationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _router = context.Path.Router;
        _log = new StreamWriter(Path.Combine(context.LogDirectory, _users.Count == 1 ? $"node-config{Key}.log" : $"node-{_users.Count}-containers.log"), append: true) { AutoFlush = true };
        Progress?.Invoke($"starting netservd with {_users.Count} container(s)");
        _node = await NetServNodeProcess.StartAsync(
            _router,
            new NetServNodeOptions
            {
                Node =
                {
                    NodeName = $"bench-{context.Path.Id}",
                    Users = [.. _users.Select(u => u.NodeUser)],
                    Containers =
                    {
                        NoModuleLayer = layer == Layer.None,
                        ReaderCpu = context.Path.Placement.ReaderCpu,
                        BatchSize = context.BatchSize,
                        LogLevel = "Warning",
                        HangTimeoutMs = context.HangTimeoutMs,
                    },
                },
                LogSink = WriteLog,
                StartTimeout = TimeSpan.FromSeconds(90 + (3 * _users.Count)),
            },
            cancellationToken).ConfigureAwait(false);
        var status = await _node.StatusAsync(false, cancellationToken).ConfigureAwait(false);
        var queues = _users.ToDictionary(u => u.User, u => (ushort)status.ContainerOf(u.User).Queue);

        if (Packages.TryGetValue(Key, out var module))
        {
            Directory.CreateDirectory(Testbed.Nodes.BuildOutputs.ModulesDirectory);
            var package = Testbed.Nodes.BuildOutputs.EnsurePackage(module.Id, module.Project);
            _packages = PackageServer.Start(Testbed.Nodes.BuildOutputs.ModulesDirectory, IPAddress.Parse(BenchPath.SenderAddress), 8080, context.Path.Sender);
            var properties = layer == Layer.KeepAlive ? KeepAliveProperties : null;
            for (var i = 0; i < _users.Count; i++)
            {
                var user = _users[i];
                Progress?.Invoke($"installing {Title} for {user.User} ({i + 1}/{_users.Count}), filter udp/{user.Port} to {UserShare.Destination}");
                var response = await _node.SetupAsync(user.WithFilter(ModuleSetup.ForPackage(package, user.User, _packages.UrlOf)) with { Properties = properties }, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode != NslpStatus.Ok)
                {
                    throw new InvalidOperationException($"SETUP of {Title} for {user.User} failed: {response.StatusCode} {response.Headers[NslpHeaderNames.Error]}\n{_node.LogTail()}");
                }
            }
        }
        else
        {
            // No module installs a rule here: the benchmark adds the one a module would, after the node's
            // chain (where the packets pass the node's signaling rule first, as a module's would) but
            // outside it, since that chain is netservd's.
            _chain = IptablesChain.Create(_router, $"ns-eval-config{Key}");
            foreach (var user in _users)
            {
                _chain.Append([.. user.Match, "-m", "comment", "--comment", $"netserv-eval config {Key}", "-j", "NFQUEUE", "--queue-num", queues[user.User].ToString(CultureInfo.InvariantCulture), "--queue-bypass"]);
            }
        }

        var node = _node;
        string[] chains = [_chain?.Name ?? NodeChain];
        Queue = new KernelQueueProbe(_router, queues.Values.ToArray(), chains, () => ContainerReaders(node));
        KernelQueues = new KernelQueueProbe(_router, queues.Values.ToArray(), chains);
    }

    /// <summary>Every container's process and packet counts, and what its NetMonitor counted, by user.</summary>
    public async Task<IReadOnlyList<ContainerCounts>> CountsAsync(CancellationToken cancellationToken)
    {
        var node = _node ?? throw new InvalidOperationException("the node is not running");
        var status = await node.StatusAsync(false, cancellationToken).ConfigureAwait(false);
        return _users.Select(u =>
        {
            var container = status.ContainerOf(u.User);
            return new ContainerCounts(
                u.User,
                container.Pid ?? 0,
                container.Packets?.Received ?? 0,
                NetMonitorTotal(container));
        }).ToArray();
    }

    public override async Task<JsonObject?> DescribeAsync(CancellationToken cancellationToken)
    {
        if (_node is null)
        {
            return null;
        }

        var container = (await _node.StatusAsync(false, cancellationToken).ConfigureAwait(false)).ContainerOf(User);
        var result = new JsonObject
        {
            ["pid"] = container.Pid,
            ["memory"] = container.Memory is { } memory ? JsonSerializer.SerializeToNode(memory, StatusJsonContext.Default.ContainerMemory) : null,
            ["packets"] = container.Packets is { } packets ? JsonSerializer.SerializeToNode(packets, StatusJsonContext.Default.PacketCounters) : null,
        };
        if (layer == Layer.NetMonitor)
        {
            result["netMonitorTotalPackets"] = NetMonitorTotal(container);
        }
        else if (layer == Layer.KeepAlive)
        {
            result["keepAliveStatus"] = ModuleStatus(container, KeepAliveModule)?.DeepClone();
        }

        return result;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync().ConfigureAwait(false);
            _node = null;
        }

        if (_packages is not null)
        {
            await _packages.DisposeAsync().ConfigureAwait(false);
            _packages = null;
        }

        if (_log is not null)
        {
            await _log.DisposeAsync().ConfigureAwait(false);
            _log = null;
        }

        // Last: it is the one step here that can throw (a chain iptables would not delete), and the rest must go first.
        _chain?.Dispose();
        _chain = null;
        _router = null;
    }

    /// <summary>The failures the node has recorded (modules taken out as hung, containers that died), newest first, one line each.</summary>
    public async Task<IReadOnlyList<string>> FailuresAsync(CancellationToken cancellationToken)
    {
        var node = _node ?? throw new InvalidOperationException("the node is not running");
        var status = await node.StatusAsync(false, cancellationToken).ConfigureAwait(false);
        return status.RecentFailures
            .Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Time:O}: {f.User} {f.Module} {f.Reason} ({f.Detail})"))
            .ToArray();
    }

    /// <summary>What NetMonitor counted in a container's status entry, or null without NetMonitor.</summary>
    private static JsonNode? ModuleStatus(ContainerStatus container, string module) =>
        container.Modules.FirstOrDefault(m => m.Name == module)?.Live?.Status;

    private static long? NetMonitorTotal(ContainerStatus container) =>
        ModuleStatus(container, NetMonitorModule)?["totalPackets"]?.GetValue<long>();

    /// <summary>The containers' readers: the process (of a single container; scheduler statistics of many say nothing) and their own counts, summed.</summary>
    private ReaderInfo ContainerReaders(NetServNodeProcess node)
    {
        var status = node.StatusAsync().GetAwaiter().GetResult();
        var containers = _users.Select(u => status.ContainerOf(u.User)).ToArray();
        return new ReaderInfo(
            containers.Length == 1 ? containers[0].Pid ?? 0 : 0,
            containers.Sum(c => c.Packets?.Received ?? 0),
            containers.Sum(c => c.Packets?.Batches ?? 0));
    }

    private void WriteLog(string line)
    {
        lock (this)
        {
            _log?.WriteLine(line);
        }
    }
}
