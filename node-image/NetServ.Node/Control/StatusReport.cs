using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using NetServ.Contracts.Configuration;
using NetServ.Contracts.Control;
using NetServ.Contracts.Status;
using NetServ.Node.Containers;
using NetServ.Node.Forwarding;
using NetServ.Node.Signaling;
using NetServ.Sdk;
using NetServ.Signaling.Nslp;

namespace NetServ.Node.Control;

/// <summary>
/// What the node says about itself in answer to a PROBE and on the admin API: its status (containers
/// with their modules and the modules' own status, rules, recent failures), its capabilities, its
/// users' policies, or one module.
/// </summary>
internal sealed class StatusReport(
    IOptions<NodeConfiguration> options,
    IContainerHost containers,
    ForwardingPlane forwarding,
    ModuleTable table,
    RecentFailures failures,
    RecentRemovals removals,
    ReverseRoutabilityCheck ownership,
    SignalingStatistics signaling,
    TimeProvider time)
{
    // Other container requests wait RequestTimeoutSeconds, which allows for a module's start; a status starts nothing.
    private static readonly TimeSpan ContainerStatusTimeout = TimeSpan.FromSeconds(10);

    private NodeConfiguration Settings => options.Value;

    /// <summary>The JSON body of the answer to <paramref name="probe"/>, or a refusal when it asks for a module that is not installed.</summary>
    public async Task<Outcome<JsonObject>> ProbeAsync(ProbeRequest probe, bool collectGarbage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        JsonObject body;
        switch (probe.Kind)
        {
            case ProbeKind.Status:
                var status = await StatusAsync(probe.User, collectGarbage, cancellationToken).ConfigureAwait(false);
                return new Outcome<JsonObject>(JsonSerializer.SerializeToNode(status, StatusJsonContext.Default.NodeStatus)!.AsObject());
            case ProbeKind.Capabilities:
                body = Capabilities();
                break;
            case ProbeKind.Policies:
                body = Policies(probe.User);
                break;
            default:
                var users = probe.User is null ? Settings.Users.Select(u => u.Name) : [probe.User];
                var record = users.Select(u => table.Find(u, probe.Target)).FirstOrDefault(r => r is not null);
                if (record is null)
                {
                    return new Outcome<JsonObject>(new Refusal(NslpStatus.NotFound, $"{probe.Target} is not installed on {Settings.NodeName}"));
                }

                var live = await ContainerStatusAsync(record.User, collectGarbage, cancellationToken).ConfigureAwait(false);
                var module = record.Describe(time.GetUtcNow()) with { Live = LiveStatus(live, record) };
                body = JsonSerializer.SerializeToNode(module, StatusJsonContext.Default.ModuleStatus)!.AsObject();
                break;
        }

        body["node"] = Settings.NodeName;
        return new Outcome<JsonObject>(body);
    }

    /// <summary>The node's whole state, or one user's: containers with their modules (and the modules' own status), rules, recent failures.</summary>
    public async Task<NodeStatus> StatusAsync(string? onlyUser, bool collectGarbage, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var users = new List<ContainerStatus>();
        foreach (var handle in containers.Containers.Where(h => onlyUser is null || h.Name == onlyUser))
        {
            var live = await ContainerStatusAsync(handle.Name, collectGarbage, cancellationToken).ConfigureAwait(false);
            var entry = containers.Describe(handle) with
            {
                Modules = [.. table.RecordsOf(handle.Name).Select(record => record.Describe(now) with { Live = LiveStatus(live, record) })],
            };
            if (live is not null)
            {
                entry = entry with
                {
                    Packets = live.Packets,
                    Memory = live.Memory,
                    LoadedModuleContexts = live.LoadedModuleContexts,
                    UnloadingModuleContexts = live.UnloadingModuleContexts,
                    AspNetCoreLoaded = live.AspNetCoreLoaded,
                };
            }

            users.Add(entry);
        }

        return new NodeStatus
        {
            Time = now,
            Containers = users,
            Forwarding = new ForwardingStatus
            {
                Chain = Settings.Forwarding.Chain,
                Rules = await forwarding.ListAsync(cancellationToken).ConfigureAwait(false),
            },
            RecentFailures = failures.Snapshot(),
            RecentRemovals = removals.Snapshot(onlyUser),
            ProvenOwnership = ownership.Proofs(onlyUser),
            Signaling = signaling.Snapshot(),
            Node = Settings.NodeName,
        };
    }

    /// <summary>What the node offers: protocol and SDK versions, building blocks, filter protocols, limits.</summary>
    public JsonObject Capabilities()
    {
        var blocks = containers.Containers.SelectMany(c => c.Hello?.BuildingBlocks ?? []).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal);
        return new JsonObject
        {
            ["version"] = NslpMessage.CurrentVersion,
            ["sdk"] = typeof(INetServModule).Assembly.GetName().Version?.ToString(),
            ["forwardingPlane"] = "linux-netfilter (NFQUEUE)",
            ["buildingBlocks"] = new JsonArray(blocks.Select(b => (JsonNode?)b).ToArray()),
            ["filterProtocols"] = new JsonArray("udp", "tcp", "any"),
            ["defaultTtlSeconds"] = Settings.DefaultTtlSeconds,
            ["maxTtlSeconds"] = Settings.MaxTtlSeconds,
            ["maxPackageBytes"] = Settings.ModuleCache.MaxPackageBytes,
        };
    }

    /// <summary>The users' policies (all, or one user's): prefixes, ports, limits; and whether ownership can be proven.</summary>
    public JsonObject Policies(string? onlyUser)
    {
        var users = new JsonArray();
        foreach (var user in Settings.Users.Where(u => onlyUser is null || u.Name == onlyUser))
        {
            users.Add(new JsonObject
            {
                ["user"] = user.Name,
                ["allowedPrefixes"] = new JsonArray(user.AllowedPrefixes.Select(p => (JsonNode?)p).ToArray()),
                ["allowedPorts"] = new JsonArray(user.AllowedPorts.Select(p => (JsonNode?)p).ToArray()),
                ["memoryLimitMb"] = user.MemoryLimitMb,
                ["cpuLimit"] = user.CpuLimit,
                ["hasPublicKey"] = !string.IsNullOrEmpty(user.PublicKey),
            });
        }

        return new JsonObject
        {
            ["users"] = users,
            ["reverseRoutability"] = ownership.Enabled
                ? new JsonObject { ["enabled"] = true, ["url"] = ownership.UrlTemplate }
                : new JsonObject { ["enabled"] = false },
        };
    }

    /// <summary>The module's own status from its container's status, or null when the container did not say.</summary>
    private static ModuleLiveStatus? LiveStatus(ContainerReport? live, ModuleRecord record) =>
        live?.Modules.FirstOrDefault(m => m.Name == record.Name.ToString());

    private async Task<ContainerReport?> ContainerStatusAsync(string user, bool collectGarbage, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await containers.RequestAsync(user, new StatusRequestMessage { CollectGarbage = collectGarbage }, cancellationToken, ContainerStatusTimeout).ConfigureAwait(false);
            return reply.ReadContainerReport();
        }
        catch (ContainerUnavailableException)
        {
            return null;
        }
    }
}
