using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetServ.Control;
using NetServ.Node.Configuration;
using NetServ.Node.Containers;
using NetServ.Node.Forwarding;
using NetServ.Sdk;
using NetServ.Signaling.Nslp;

namespace NetServ.Node.Control;

/// <summary>
/// The NetServ controller (paper section 4.2): acts on SETUP, REMOVE and PROBE by coordinating the
/// module fetcher, the user's container and the forwarding plane. Keeps the per-user module
/// registry as soft state: a module expires after its ttl unless a SETUP refreshes it.
/// </summary>
internal sealed partial class Controller : IContainerEvents
{
    private readonly NetServOptions _options;
    private readonly IContainerHost _containers;
    private readonly ForwardingPlane _forwarding;
    private readonly ReverseRoutabilityCheck _ownership;
    private readonly InstallPolicy _policy;
    private readonly ModuleInstaller _installer;
    private readonly TimeProvider _time;
    private readonly ModuleTable _table;
    private readonly UserLocks _locks;
    private readonly RecentFailures _failures;
    private readonly ILogger<Controller> _logger;
    private readonly Dictionary<string, List<DateTimeOffset>> _unexplainedDeaths = new(StringComparer.Ordinal);

    public Controller(IOptions<NetServOptions> options, IContainerHost containers, ForwardingPlane forwarding, ReverseRoutabilityCheck ownership, InstallPolicy policy, ModuleInstaller installer, ModuleTable table, UserLocks locks, RecentFailures failures, TimeProvider time, ILogger<Controller> logger)
    {
        _options = options.Value;
        _containers = containers;
        _forwarding = forwarding;
        _ownership = ownership;
        _policy = policy;
        _installer = installer;
        _time = time;
        _table = table;
        _locks = locks;
        _failures = failures;
        _logger = logger;
        table.Expired = ExpireAsync;
        containers.Events = this;
    }

    /// <summary>The node's name, as it appears in responses.</summary>
    public string NodeName => _options.NodeName;

    /// <summary>Acts on one NSLP request and says how it went.</summary>
    public async Task<NslpResponse> HandleAsync(NslpRequest request, RequestOrigin origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            switch (request.Method)
            {
                case NslpMethod.Setup:
                    return SetupRequest.TryFrom(request, out var setup, out var setupError)
                        ? await SetupAsync(setup, origin, cancellationToken).ConfigureAwait(false)
                        : Error(NslpStatus.BadRequest, setupError);
                case NslpMethod.Remove:
                    return RemoveRequest.TryFrom(request, out var remove, out var removeError)
                        ? await RemoveAsync(remove, cancellationToken).ConfigureAwait(false)
                        : Error(NslpStatus.BadRequest, removeError);
                case NslpMethod.Probe:
                    return ProbeRequest.TryFrom(request, out var probe, out var probeError)
                        ? await ProbeAsync(probe, string.Equals(request.Headers["collect"], "true", StringComparison.OrdinalIgnoreCase), cancellationToken).ConfigureAwait(false)
                        : Error(NslpStatus.BadRequest, probeError);
                default:
                    return Error(NslpStatus.BadRequest, $"{NslpRequest.MethodName(request.Method)} is handled by the signaling layer, not the controller");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            Log.RequestFailed(_logger, NslpRequest.MethodName(request.Method), request.Target, e);
            return Error(NslpStatus.InternalError, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Installs a module (or refreshes one already installed) for a user.</summary>
    public async Task<NslpResponse> SetupAsync(SetupRequest setup, RequestOrigin origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (!_containers.TryGet(setup.User, out var container))
        {
            return Error(InstallPolicy.UnknownUser(setup.User));
        }

        var decision = await _policy.AuthoriseAsync(setup, cancellationToken).ConfigureAwait(false);
        if (decision.IsRefused(out var refusal, out var grant))
        {
            return Error(refusal);
        }

        var user = grant.User.Name;
        using (await _locks.EnterAsync(user, cancellationToken).ConfigureAwait(false))
        {
            if (_table.Find(user, setup.Module.ToString()) is { } existing)
            {
                if (existing.Digest != setup.DigestHex)
                {
                    return Error(NslpStatus.Conflict, $"{setup.Module} is installed from a package with another digest; REMOVE it first");
                }

                _table.Refresh(existing, grant.Ttl);
                Log.Refreshed(_logger, user, setup.Module.ToString(), grant.Ttl.TotalSeconds);
                return Ok(existing, refreshed: true);
            }

            var installed = await _installer.InstallAsync(new InstallCommand(setup, grant, container, origin), cancellationToken).ConfigureAwait(false);
            return installed.IsRefused(out var failure, out var record) ? Error(failure) : Ok(record, refreshed: false);
        }
    }

    /// <summary>Uninstalls a module at once.</summary>
    public async Task<NslpResponse> RemoveAsync(RemoveRequest remove, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(remove);
        if (!_locks.Has(remove.User))
        {
            return Error(InstallPolicy.UnknownUser(remove.User));
        }

        using (await _locks.EnterAsync(remove.User, cancellationToken).ConfigureAwait(false))
        {
            var record = _table.Find(remove.User, remove.Module.ToString());
            if (record is null)
            {
                return Error(NslpStatus.NotFound, $"{remove.Module} is not installed for user '{remove.User}'");
            }

            await _installer.UninstallAsync(record, "REMOVE", cancellationToken).ConfigureAwait(false);
            var response = new NslpResponse(NslpStatus.Ok);
            response.Headers.Add(NslpHeaderNames.Node, NodeName);
            response.Headers.Add("module", record.Name.ToString());
            return response;
        }
    }

    /// <summary>Answers a PROBE: status, capabilities, policies or one module.</summary>
    public async Task<NslpResponse> ProbeAsync(ProbeRequest probe, bool collectGarbage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        JsonObject body;
        switch (probe.Kind)
        {
            case ProbeKind.Status:
                body = await StatusAsync(probe.User, collectGarbage, cancellationToken).ConfigureAwait(false);
                break;
            case ProbeKind.Capabilities:
                body = Capabilities();
                break;
            case ProbeKind.Policies:
                body = Policies(probe.User);
                break;
            default:
                var users = probe.User is null ? _options.Users.Select(u => u.Name) : [probe.User];
                var record = users.Select(u => _table.Find(u, probe.Target)).FirstOrDefault(r => r is not null);
                if (record is null)
                {
                    return Error(NslpStatus.NotFound, $"{probe.Target} is not installed on {NodeName}");
                }

                body = record.Describe(_time.GetUtcNow());
                var live = await ContainerStatusAsync(record.User, collectGarbage, cancellationToken).ConfigureAwait(false);
                body["live"] = (live?["modules"] as JsonArray)?.FirstOrDefault(m => m?["name"]?.GetValue<string>() == record.Name.ToString())?.DeepClone();
                break;
        }

        body["node"] = NodeName;
        var response = new NslpResponse(NslpStatus.Ok);
        response.Headers.Add(NslpHeaderNames.Node, NodeName);
        response.Headers.Add(NslpHeaderNames.ContentType, "application/json");
        response.Body = Encoding.UTF8.GetBytes(body.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return response;
    }

    /// <summary>The node's whole state: containers with their modules (and the modules' own status), rules, recent failures.</summary>
    public async Task<JsonObject> StatusAsync(string? onlyUser, bool collectGarbage, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var users = new JsonArray();
        foreach (var handle in _containers.Containers.Where(h => onlyUser is null || h.Name == onlyUser))
        {
            var entry = _containers.Describe(handle);
            entry["user"] = handle.Name;
            var live = await ContainerStatusAsync(handle.Name, collectGarbage, cancellationToken).ConfigureAwait(false);
            var modules = new JsonArray();
            foreach (var record in _table.RecordsOf(handle.Name))
            {
                var module = record.Describe(now);
                module["live"] = (live?["modules"] as JsonArray)?.FirstOrDefault(m => m?["name"]?.GetValue<string>() == record.Name.ToString())?.DeepClone();
                modules.Add(module);
            }

            entry["modules"] = modules;
            if (live is not null)
            {
                entry["packets"] = live["packets"]?.DeepClone();
                entry["memory"] = live["memory"]?.DeepClone();
                entry["loadedModuleContexts"] = live["loadedModuleContexts"]?.DeepClone();
                entry["unloadingModuleContexts"] = live["unloadingModuleContexts"]?.DeepClone();
                entry["aspNetCoreLoaded"] = live["aspNetCoreLoaded"]?.DeepClone();
            }

            users.Add(entry);
        }

        return new JsonObject
        {
            ["time"] = now.ToString("O"),
            ["containers"] = users,
            ["forwarding"] = new JsonObject
            {
                ["chain"] = _options.Forwarding.Chain,
                ["rules"] = new JsonArray((await _forwarding.ListAsync(cancellationToken).ConfigureAwait(false)).Select(r => (JsonNode?)r).ToArray()),
            },
            ["recentFailures"] = _failures.ToJson(),
        };
    }

    private JsonObject Capabilities()
    {
        var blocks = _containers.Containers.SelectMany(c => c.Hello?.BuildingBlocks ?? []).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal);
        return new JsonObject
        {
            ["version"] = NslpMessage.CurrentVersion,
            ["sdk"] = typeof(INetServModule).Assembly.GetName().Version?.ToString(),
            ["forwardingPlane"] = "linux-netfilter (NFQUEUE)",
            ["buildingBlocks"] = new JsonArray(blocks.Select(b => (JsonNode?)b).ToArray()),
            ["filterProtocols"] = new JsonArray("udp", "tcp", "any"),
            ["defaultTtlSeconds"] = _options.DefaultTtlSeconds,
            ["maxTtlSeconds"] = _options.MaxTtlSeconds,
            ["maxPackageBytes"] = _options.ModuleCache.MaxPackageBytes,
        };
    }

    private JsonObject Policies(string? onlyUser)
    {
        var users = new JsonArray();
        foreach (var user in _options.Users.Where(u => onlyUser is null || u.Name == onlyUser))
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
            ["reverseRoutability"] = _ownership.Enabled
                ? new JsonObject { ["enabled"] = true, ["url"] = _ownership.UrlTemplate }
                : new JsonObject { ["enabled"] = false },
        };
    }

    private async Task<JsonObject?> ContainerStatusAsync(string user, bool collectGarbage, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await _containers.RequestAsync(user, new StatusRequestMessage { CollectGarbage = collectGarbage }, cancellationToken, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            return reply.Ok ? reply.Data : null;
        }
        catch (ContainerUnavailableException)
        {
            return null;
        }
    }

    private async Task ExpireAsync(ModuleRecord record)
    {
        using (await _locks.EnterAsync(record.User, CancellationToken.None).ConfigureAwait(false))
        {
            try
            {
                // A refresh may have moved the deadline while we waited for the lock.
                if (_table.CheckExpiry(record) != ExpiryCheck.Due)
                {
                    return;
                }

                await _installer.UninstallAsync(record, "ttl expired", CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Log.RequestFailed(_logger, "expiry", record.Name.ToString(), e);
            }
        }
    }

    public async Task ModuleFailedAsync(string user, ModuleFailedMessage failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        using (await _locks.EnterAsync(user, CancellationToken.None).ConfigureAwait(false))
        {
            if (_table.Find(user, failure.Module) is { } record)
            {
                await _installer.DropAsync(record).ConfigureAwait(false);
            }

            _failures.Record(user, failure.Module, failure.Reason, failure.Detail);
        }

        if (failure.RecycleContainer)
        {
            await _containers.RecycleAsync(user, ContainerRestartReason.ModuleRecycled(failure.Module, failure.Reason)).ConfigureAwait(false);
        }
    }

    public async Task ContainerRestartedAsync(string user, ContainerRestartReason reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        using (await _locks.EnterAsync(user, CancellationToken.None).ConfigureAwait(false))
        {
            var records = _table.RecordsOf(user).ToList();
            if (reason.IsUnexplainedDeath)
            {
                // Without a module to blame, a container that keeps dying sheds its newest module.
                var deaths = _unexplainedDeaths.TryGetValue(user, out var list) ? list : _unexplainedDeaths[user] = [];
                var now = _time.GetUtcNow();
                deaths.Add(now);
                deaths.RemoveAll(t => now - t > TimeSpan.FromMinutes(1));
                if (deaths.Count >= 3 && records.Count > 0)
                {
                    var newest = records[^1];
                    records.RemoveAt(records.Count - 1);
                    await _installer.UninstallAsync(newest, "evicted: the container died 3 times within a minute", CancellationToken.None).ConfigureAwait(false);
                    _failures.Record(user, newest.Name.ToString(), RecentFailures.Evicted, $"the container died 3 times within a minute ({reason})");
                    deaths.Clear();
                }
            }

            foreach (var record in records)
            {
                if (await _installer.InstallInContainerAsync(record, CancellationToken.None).ConfigureAwait(false) is { } refused)
                {
                    Log.Refused(_logger, refused.Status, refused.Message);
                    await _installer.UninstallAsync(record, "could not be reinstalled", CancellationToken.None).ConfigureAwait(false);
                    _failures.Record(user, record.Name.ToString(), RecentFailures.ReinstallFailed, refused.Message.ReplaceLineEndings(" "));
                }
            }

            Log.Reinstalled(_logger, user, records.Count, reason.ToString());
        }
    }

    private NslpResponse Ok(ModuleRecord record, bool refreshed)
    {
        var response = new NslpResponse(NslpStatus.Ok);
        response.Headers.Add(NslpHeaderNames.Node, NodeName);
        response.Headers.Add("module", record.Name.ToString());
        response.Headers.Add("expires", ((int)record.Ttl.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        if (refreshed)
        {
            response.Headers.Add("refreshed", "true");
        }

        return response;
    }

    private NslpResponse Error(Refusal refusal) => Error(refusal.Status, refusal.Message);

    private NslpResponse Error(int status, string message)
    {
        var response = new NslpResponse(status);
        response.Headers.Add(NslpHeaderNames.Node, NodeName);
        response.Headers.Add(NslpHeaderNames.Error, message.ReplaceLineEndings(" "));
        Log.Refused(_logger, status, message);
        return response;
    }

    private static partial class Log
    {
        [LoggerMessage(2503, LogLevel.Information, "Refreshed {Module} of {User} (ttl {Ttl} s)")]
        public static partial void Refreshed(ILogger logger, string user, string module, double ttl);

        [LoggerMessage(2504, LogLevel.Warning, "Request refused with {Status}: {Reason}")]
        public static partial void Refused(ILogger logger, int status, string reason);

        [LoggerMessage(2505, LogLevel.Error, "{Method} {Target} failed")]
        public static partial void RequestFailed(ILogger logger, string method, string target, Exception exception);

        [LoggerMessage(2507, LogLevel.Information, "Reinstalled {Count} module(s) of {User} after the container came back ({Reason})")]
        public static partial void Reinstalled(ILogger logger, string user, int count, string reason);
    }
}
