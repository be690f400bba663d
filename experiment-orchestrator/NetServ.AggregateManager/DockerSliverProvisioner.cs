using System.Security.Cryptography;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Geni.LocalAggregate;
using NetServ.RSpec;
using NetServ.Testbed.Docker;

namespace NetServ.AggregateManager;

/// <summary>How the Docker provisioner makes slivers.</summary>
internal sealed record DockerSliverOptions
{
    /// <summary>The image every node runs, whatever its request's <c>disk_image</c> (the aggregate advertises this one only).</summary>
    public string Image { get; init; } = DockerTestbedOptions.NodeImage;

    /// <summary>The aggregate's state directory: its containers carry it as a label, so that another aggregate's are left alone.</summary>
    public required string StateDirectory { get; init; }

    public DockerEngineOptions Engine { get; init; } = new();

    /// <summary>How long a node may take until its sshd answers.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(90);
}

/// <summary>
/// Slivers as containers of the Docker testbed: each Provision realises its part of the request as one
/// <see cref="DockerTestbed"/> (one container per node from the node image, the links wired, a control
/// network for SSH) with the slice's users' keys authorised for root; the login is the node's control address,
/// port 22. geni_stop pauses the containers and geni_start unpauses them, so their namespaces and links stay;
/// Status inspects them. A testbed lives with the process that made it (its namespaces are named in the
/// process's run record), so a restarted aggregate finds its slices in the state directory but not their nodes:
/// the containers the last process left (found by their labels) are removed at start, and those slivers report
/// <c>geni_failed</c> until they are deleted.
/// </summary>
internal sealed partial class DockerSliverProvisioner : ISliverProvisioner, IAsyncDisposable
{
    /// <summary>The label naming a container's slice.</summary>
    public const string SliceLabel = "netserv.am.slice";

    /// <summary>The label naming the aggregate (a hash of its state directory) a container belongs to.</summary>
    public const string AggregateLabel = "netserv.am.aggregate";

    /// <summary>
    /// What a node's container runs after sshd: netservd, restarted whenever it exits, as systemd's netservd.service keeps it
    /// on a GENI node. A client reconfigures a node as on any GENI node: a new /etc/netserv/netserv.json, then netservd
    /// restarted (here: its pid in /run/netserv/netservd.pid, where install.sh keeps it on nodes without systemd, signalled).
    /// Its log is /var/log/netservd.log.
    /// </summary>
    internal const string NetServdSupervisor =
        "mkdir -p /run/netserv /var/lib/netserv; "
        + "trap 'kill -TERM $(cat /run/netserv/netservd.pid) 2>/dev/null; exit 0' TERM INT; "
        + "while :; do /opt/netserv/bin/netservd --config /etc/netserv/netserv.json >>/var/log/netservd.log 2>&1 & "
        + "echo $! >/run/netserv/netservd.pid; wait $!; sleep 1; done";

    private readonly DockerSliverOptions options;
    private readonly DockerEngine engine;
    private readonly ILoggerFactory loggers;
    private readonly ILogger logger;
    private readonly Dictionary<string, List<DockerTestbed>> slices = new(StringComparer.OrdinalIgnoreCase);

    private DockerSliverProvisioner(DockerSliverOptions options, DockerEngine engine, ILoggerFactory loggers)
    {
        this.options = options;
        this.engine = engine;
        this.loggers = loggers;
        logger = loggers.CreateLogger<DockerSliverProvisioner>();
        AggregateKey = KeyOf(options.StateDirectory);
    }

    /// <summary>The value of <see cref="AggregateLabel"/> on this aggregate's containers.</summary>
    public string AggregateKey { get; }

    /// <summary>Connects to the Docker engine and removes the containers a previous process of this aggregate left.</summary>
    /// <exception cref="DockerUnavailableException">No engine answers and none can start.</exception>
    public static async Task<DockerSliverProvisioner> StartAsync(DockerSliverOptions options, ILoggerFactory? loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggers ??= NullLoggerFactory.Instance;
        var engine = await DockerEngine.ConnectOrStartAsync(options.Engine, TextWriter.Null, cancellationToken).ConfigureAwait(false);
        var provisioner = new DockerSliverProvisioner(options, engine, loggers);
        try
        {
            foreach (var container in await provisioner.ContainersAsync(null, cancellationToken).ConfigureAwait(false))
            {
                await provisioner.RemoveAsync(container.ID, cancellationToken).ConfigureAwait(false);
                Log.LeftoverRemoved(provisioner.logger, container.Names.FirstOrDefault() ?? container.ID, (container.Labels.TryGetValue(SliceLabel, out var leftSlice) ? leftSlice : ""));
            }
        }
        catch
        {
            engine.Dispose();
            throw;
        }

        return provisioner;
    }

    public async Task<IReadOnlyList<ProvisionedNode>> ProvisionAsync(string sliceUrn, RequestRSpec request, IReadOnlyList<SliverUser> users, CancellationToken cancellationToken)
    {
        var testbed = await DockerTestbed.RealiseAsync(
            request,
            new DockerTestbedOptions
            {
                Engine = options.Engine,
                Image = options.Image,
                AuthorizedKeys = [.. users.SelectMany(u => u.Keys).Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k.Trim())],
                Labels = new Dictionary<string, string> { [SliceLabel] = sliceUrn, [AggregateLabel] = AggregateKey },
                RemapAddresses = true,
                ReadyTimeout = options.ReadyTimeout,
                NetServCommand = ["sh", "-c", NetServdSupervisor],
            },
            loggers.CreateLogger<DockerTestbed>(),
            cancellationToken).ConfigureAwait(false);
        if (!slices.TryGetValue(sliceUrn, out var testbeds))
        {
            slices[sliceUrn] = testbeds = [];
        }

        testbeds.Add(testbed);
        Log.Provisioned(logger, sliceUrn, testbed.Id, testbed.Nodes.Count);
        return [.. testbed.Nodes.Select(Login)];
    }

    /// <summary>The login the manifest names: root with the users' keys at the node's control address.</summary>
    internal static ProvisionedNode Login(DockerTestbedNode node)
        => new(node.ClientId, node.ControlAddress.ToString(), 22, "root", node.Interfaces.ToDictionary(i => i.ClientId, i => $"{i.Address}/{i.PrefixLength}", StringComparer.Ordinal));

    public async Task StartAsync(string sliceUrn, IReadOnlyList<string> clientIds, CancellationToken cancellationToken)
    {
        foreach (var node in Nodes(sliceUrn, clientIds))
        {
            var state = (await engine.Client.Containers.InspectContainerAsync(node.ContainerId, cancellationToken).ConfigureAwait(false)).State;
            if (state.Paused)
            {
                await engine.Client.Containers.UnpauseContainerAsync(node.ContainerId, cancellationToken).ConfigureAwait(false);
            }
            else if (!state.Running)
            {
                throw new AggregateRefusalException(Geni.GeniCode.ERROR, $"{node.ClientId}'s container {node.ContainerName} has ended ({state.Status}, exit code {state.ExitCode}): delete the slice and provision it again");
            }
        }
    }

    public async Task StopAsync(string sliceUrn, IReadOnlyList<string> clientIds, CancellationToken cancellationToken)
    {
        foreach (var node in Nodes(sliceUrn, clientIds))
        {
            var state = (await engine.Client.Containers.InspectContainerAsync(node.ContainerId, cancellationToken).ConfigureAwait(false)).State;
            if (state.Running && !state.Paused)
            {
                await engine.Client.Containers.PauseContainerAsync(node.ContainerId, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<IReadOnlyDictionary<string, NodeCondition>> InspectAsync(string sliceUrn, IReadOnlyList<string> clientIds, CancellationToken cancellationToken)
    {
        var known = Nodes(sliceUrn, clientIds).ToDictionary(n => n.ClientId, StringComparer.Ordinal);
        var conditions = new Dictionary<string, NodeCondition>(StringComparer.Ordinal);
        foreach (var id in clientIds)
        {
            conditions[id] = known.TryGetValue(id, out var node) ? await ConditionAsync(node.ContainerId, cancellationToken).ConfigureAwait(false) : NodeCondition.Gone;
        }

        return conditions;
    }

    public async Task ReleaseAsync(string sliceUrn, IReadOnlyList<string> clientIds, CancellationToken cancellationToken)
    {
        var releasing = clientIds.ToHashSet(StringComparer.Ordinal);
        if (slices.TryGetValue(sliceUrn, out var testbeds))
        {
            foreach (var testbed in testbeds.ToList())
            {
                var mine = testbed.Nodes.Where(n => releasing.Contains(n.ClientId)).ToList();
                if (mine.Count == testbed.Nodes.Count || testbed.Nodes.All(n => releasing.Contains(n.ClientId) || Released(n)))
                {
                    // The whole testbed: its containers, namespaces' names, control links and key go with it.
                    await testbed.DisposeAsync().ConfigureAwait(false);
                    testbeds.Remove(testbed);
                    Log.Released(logger, sliceUrn, testbed.Id);
                    continue;
                }

                foreach (var node in mine)
                {
                    await RemoveAsync(node.ContainerId, cancellationToken).ConfigureAwait(false);
                }
            }

            if (testbeds.Count == 0)
            {
                slices.Remove(sliceUrn);
            }
        }

        // Containers of the slice this process did not make (it was restarted) go too.
        foreach (var container in await ContainersAsync(sliceUrn, cancellationToken).ConfigureAwait(false))
        {
            if (container.Labels.TryGetValue("netserv.node", out var node) && releasing.Contains(node) && !Owned(container.ID))
            {
                await RemoveAsync(container.ID, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Tears down every slice this process provisioned: a stopped aggregate leaves no container behind.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (slice, testbeds) in slices)
        {
            foreach (var testbed in testbeds)
            {
                try
                {
                    await testbed.DisposeAsync().ConfigureAwait(false);
                }
                catch (AggregateException e)
                {
                    Log.TeardownFailed(logger, slice, e);
                }
            }
        }

        slices.Clear();
        engine.Dispose();
    }

    /// <summary>The containers of this aggregate (of one slice, or all), running or not.</summary>
    internal async Task<IList<ContainerListResponse>> ContainersAsync(string? sliceUrn, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, bool> { [$"{AggregateLabel}={AggregateKey}"] = true };
        if (sliceUrn is not null)
        {
            labels[$"{SliceLabel}={sliceUrn}"] = true;
        }

        return await engine.Client.Containers.ListContainersAsync(
            new ContainersListParameters { All = true, Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels } },
            cancellationToken).ConfigureAwait(false);
    }

    private IEnumerable<DockerTestbedNode> Nodes(string sliceUrn, IReadOnlyList<string> clientIds)
        => slices.GetValueOrDefault(sliceUrn)?.SelectMany(t => t.Nodes).Where(n => clientIds.Contains(n.ClientId)) ?? [];

    private bool Owned(string containerId) => slices.Values.SelectMany(t => t).SelectMany(t => t.Nodes).Any(n => n.ContainerId == containerId);

    private bool Released(DockerTestbedNode node) => removed.Contains(node.ContainerId);

    private readonly HashSet<string> removed = new(StringComparer.Ordinal);

    private async Task<NodeCondition> ConditionAsync(string containerId, CancellationToken cancellationToken)
    {
        if (removed.Contains(containerId))
        {
            return NodeCondition.Gone;
        }

        try
        {
            var state = (await engine.Client.Containers.InspectContainerAsync(containerId, cancellationToken).ConfigureAwait(false)).State;
            return state.Running && !state.Paused ? NodeCondition.Running : NodeCondition.Stopped;
        }
        catch (DockerContainerNotFoundException)
        {
            return NodeCondition.Gone;
        }
    }

    private async Task RemoveAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            await engine.Client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            // Gone already: what removing wanted.
        }

        removed.Add(containerId);
    }

    private static string KeyOf(string stateDirectory)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(stateDirectory))))[..16];

    private static partial class Log
    {
        [LoggerMessage(EventId = 3551, Level = LogLevel.Information, Message = "Provisioned {Count} nodes of {Slice} as Docker testbed {Testbed}")]
        public static partial void Provisioned(ILogger logger, string slice, string testbed, int count);

        [LoggerMessage(EventId = 3552, Level = LogLevel.Information, Message = "Released Docker testbed {Testbed} of {Slice}")]
        public static partial void Released(ILogger logger, string slice, string testbed);

        [LoggerMessage(EventId = 3553, Level = LogLevel.Warning, Message = "Removed container {Container} of {Slice}, left by an earlier run of this aggregate")]
        public static partial void LeftoverRemoved(ILogger logger, string container, string slice);

        [LoggerMessage(EventId = 3554, Level = LogLevel.Error, Message = "Tearing down the nodes of {Slice} left something behind")]
        public static partial void TeardownFailed(ILogger logger, string slice, Exception exception);
    }
}
