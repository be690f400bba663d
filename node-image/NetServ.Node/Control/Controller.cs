using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetServ.Control;
using NetServ.Native;
using NetServ.Node.Configuration;
using NetServ.Node.Containers;
using NetServ.Node.Forwarding;
using NetServ.Node.Modules;
using NetServ.Sdk;
using NetServ.Sdk.Packaging;
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
    private readonly ModuleFetcher _fetcher;
    private readonly ReverseRoutabilityCheck _ownership;
    private readonly TimeProvider _time;
    private readonly ModuleTable _table;
    private readonly UserLocks _locks;
    private readonly RecentFailures _failures;
    private readonly ILogger<Controller> _logger;
    private readonly Dictionary<string, List<DateTimeOffset>> _unexplainedDeaths = new(StringComparer.Ordinal);

    public Controller(IOptions<NetServOptions> options, IContainerHost containers, ForwardingPlane forwarding, ModuleFetcher fetcher, ReverseRoutabilityCheck ownership, ModuleTable table, UserLocks locks, RecentFailures failures, TimeProvider time, ILogger<Controller> logger)
    {
        _options = options.Value;
        _containers = containers;
        _forwarding = forwarding;
        _fetcher = fetcher;
        _ownership = ownership;
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
        var user = _options.Users.FirstOrDefault(u => u.Name == setup.User);
        if (user is null || !_containers.TryGet(setup.User, out var container))
        {
            return Error(NslpStatus.Forbidden, $"unknown user '{setup.User}'");
        }

        // Authorisation (paper section 5.2): a filter may only select destinations the user may claim.
        var allowed = user.AllowedPrefixes.Select(p => Ipv4Prefix.Parse(p)).ToArray();
        PacketFilter? filter = null;
        if (setup.HasFilter)
        {
            var destinations = setup.FilterDestinations.Count > 0 ? setup.FilterDestinations : allowed;
            if (destinations.Count == 0)
            {
                return Error(NslpStatus.Forbidden, $"user '{user.Name}' may not install packet filters (no allowed prefixes)");
            }

            foreach (var destination in destinations.Where(d => !allowed.Any(a => a.Contains(d))))
            {
                var outside = $"filter destination {destination} is outside the prefixes user '{user.Name}' may claim ({string.Join(", ", allowed.Select(a => a.ToString()))})";
                if (setup.OwnershipPassword is not { } password)
                {
                    return Error(NslpStatus.Forbidden, _ownership.Enabled ? $"{outside}; an ownership-password would let this node check that the user owns a single address" : outside);
                }

                if (await _ownership.VerifyAsync(destination, user.Name, password, cancellationToken).ConfigureAwait(false) is { } failure)
                {
                    return Error(NslpStatus.Forbidden, $"{outside}, and {failure}");
                }
            }

            filter = new PacketFilter(setup.FilterProtocol, setup.FilterPort, destinations.ToArray());
        }

        var ttl = setup.Ttl ?? TimeSpan.FromSeconds(_options.DefaultTtlSeconds);
        if (ttl > TimeSpan.FromSeconds(_options.MaxTtlSeconds))
        {
            ttl = TimeSpan.FromSeconds(_options.MaxTtlSeconds);
        }

        using (await _locks.EnterAsync(user.Name, cancellationToken).ConfigureAwait(false))
        {
            if (_table.Find(user.Name, setup.Module.ToString()) is { } existing)
            {
                if (existing.Digest != setup.DigestHex)
                {
                    return Error(NslpStatus.Conflict, $"{setup.Module} is installed from a package with another digest; REMOVE it first");
                }

                _table.Refresh(existing, ttl);
                Log.Refreshed(_logger, user.Name, setup.Module.ToString(), ttl.TotalSeconds);
                return Ok(existing, refreshed: true);
            }

            if (container.State != ContainerState.Ready || container.Hello is not { } hello)
            {
                return Error(NslpStatus.ServiceUnavailable, $"the container of '{user.Name}' is {container.State.ToString().ToLowerInvariant()}; try again shortly");
            }

            if (hello.NoModuleLayer)
            {
                return Error(NslpStatus.ServiceUnavailable, "this node runs its containers without a module layer (evaluation configuration 3)");
            }

            var missing = setup.Dependencies.Where(d => !hello.BuildingBlocks.Contains(d, StringComparer.OrdinalIgnoreCase)).ToArray();
            if (missing.Length > 0)
            {
                return Error(NslpStatus.PreconditionFailed, $"this node lacks the building blocks {string.Join(", ", missing)} (it offers {string.Join(", ", hello.BuildingBlocks)})");
            }

            string package;
            try
            {
                package = await _fetcher.FetchAsync(setup.Url, setup.Digest, cancellationToken).ConfigureAwait(false);
            }
            catch (ModuleFetchException e)
            {
                return Error(e.Status, e.Message);
            }

            ModulePackageInfo info;
            try
            {
                info = ModulePackage.Inspect(package);
            }
            catch (ModulePackageException e)
            {
                return Error(NslpStatus.UnprocessableModule, e.Message);
            }

            if (!string.Equals(info.ModuleName, setup.Module.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                return Error(NslpStatus.UnprocessableModule, $"the package is {info.ModuleName}, not the requested {setup.Module}");
            }

            var record = new ModuleRecord
            {
                User = user.Name,
                Name = setup.Module,
                Url = setup.Url,
                Digest = setup.DigestHex,
                Package = info,
                CodeDirectory = Path.Combine(container.ModulesDirectory, setup.Module.ToString()),
                DataDirectory = Path.Combine(container.DataDirectory, setup.Module.ToString()),
                Filter = filter,
                Rules = filter is null ? [] : filter.Destinations.Select(d => new FilterRule(user.Name, setup.Module.ToString(), filter.Protocol, filter.DestinationPort, d, container.Queue)).ToArray(),
                Properties = setup.Properties,
                Dependencies = setup.Dependencies,
                Origin = origin.ToString().ToLowerInvariant(),
                Sequence = _table.NextSequence(),
                InstalledAt = _time.GetUtcNow(),
                RefreshedAt = _time.GetUtcNow(),
                Ttl = ttl,
            };

            try
            {
                ModulePackage.Extract(package, info, record.CodeDirectory);
                Directory.CreateDirectory(record.DataDirectory);
                Interop.ChangeOwner(record.DataDirectory, container.Uid, container.Uid);
            }
            catch (ModulePackageException e)
            {
                DeleteDirectories(record);
                return Error(NslpStatus.UnprocessableModule, e.Message);
            }

            var installError = await InstallInContainerAsync(record, cancellationToken).ConfigureAwait(false);
            if (installError is not null)
            {
                DeleteDirectories(record);
                return installError;
            }

            try
            {
                await _forwarding.AddAsync(record.Rules, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                await RemoveFromContainerAsync(record, CancellationToken.None).ConfigureAwait(false);
                DeleteDirectories(record);
                return Error(NslpStatus.InternalError, $"the packet filter could not be installed: {e.Message}");
            }

            _table.Add(record);
            Log.Installed(_logger, user.Name, record.Name.ToString(), filter?.ToString() ?? "none", ttl.TotalSeconds);
            return Ok(record, refreshed: false);
        }
    }

    /// <summary>Uninstalls a module at once.</summary>
    public async Task<NslpResponse> RemoveAsync(RemoveRequest remove, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(remove);
        if (!_locks.Has(remove.User))
        {
            return Error(NslpStatus.Forbidden, $"unknown user '{remove.User}'");
        }

        using (await _locks.EnterAsync(remove.User, cancellationToken).ConfigureAwait(false))
        {
            var record = _table.Find(remove.User, remove.Module.ToString());
            if (record is null)
            {
                return Error(NslpStatus.NotFound, $"{remove.Module} is not installed for user '{remove.User}'");
            }

            await UninstallAsync(record, "REMOVE", cancellationToken).ConfigureAwait(false);
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

    private async Task<NslpResponse?> InstallInContainerAsync(ModuleRecord record, CancellationToken cancellationToken)
    {
        var user = _options.Users.First(u => u.Name == record.User);
        var message = new InstallModuleMessage
        {
            Module = record.Name.ToString(),
            Directory = record.CodeDirectory,
            AssemblyFile = record.Package.AssemblyFile,
            EntryType = record.Package.EntryType,
            DataDirectory = record.DataDirectory,
            Properties = record.Properties.ToDictionary(p => p.Key, p => p.Value),
            Filter = record.Filter is { } filter
                ? new FilterSpec { Protocol = PacketFilter.ProtocolName(filter.Protocol), Port = filter.DestinationPort, Destinations = filter.Destinations.Select(d => d.ToString()).ToArray() }
                : null,
            AllowedPorts = user.AllowedPorts,
        };
        try
        {
            var reply = await _containers.RequestAsync(record.User, message, cancellationToken).ConfigureAwait(false);
            return reply.Ok ? null : Error(NslpStatus.UnprocessableModule, $"the module failed to load: {reply.Error}");
        }
        catch (ContainerUnavailableException e)
        {
            return Error(NslpStatus.ServiceUnavailable, e.Message);
        }
    }

    private async Task RemoveFromContainerAsync(ModuleRecord record, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await _containers.RequestAsync(record.User, new RemoveModuleMessage { Module = record.Name.ToString() }, cancellationToken).ConfigureAwait(false);
            if (!reply.Ok)
            {
                Log.ContainerRemoveFailed(_logger, record.User, record.Name.ToString(), reply.Error ?? "unknown");
            }
        }
        catch (ContainerUnavailableException e)
        {
            // A container that is gone holds no module; it comes back without this one.
            Log.ContainerRemoveFailed(_logger, record.User, record.Name.ToString(), e.Message);
        }
    }

    /// <summary>Takes a module out everywhere: rules first (packets stop arriving), then the container, then its files.</summary>
    private async Task UninstallAsync(ModuleRecord record, string why, CancellationToken cancellationToken)
    {
        await _table.RemoveAsync(record).ConfigureAwait(false);
        await _forwarding.RemoveAsync(record.Rules, CancellationToken.None).ConfigureAwait(false);
        await RemoveFromContainerAsync(record, cancellationToken).ConfigureAwait(false);
        DeleteDirectories(record);
        Log.Removed(_logger, record.User, record.Name.ToString(), why);
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

                await UninstallAsync(record, "ttl expired", CancellationToken.None).ConfigureAwait(false);
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
                await _table.RemoveAsync(record).ConfigureAwait(false);
                await _forwarding.RemoveAsync(record.Rules, CancellationToken.None).ConfigureAwait(false);
                DeleteDirectories(record);
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
                    await UninstallAsync(newest, "evicted: the container died 3 times within a minute", CancellationToken.None).ConfigureAwait(false);
                    _failures.Record(user, newest.Name.ToString(), RecentFailures.Evicted, $"the container died 3 times within a minute ({reason})");
                    deaths.Clear();
                }
            }

            foreach (var record in records)
            {
                var error = await InstallInContainerAsync(record, CancellationToken.None).ConfigureAwait(false);
                if (error is not null)
                {
                    await UninstallAsync(record, "could not be reinstalled", CancellationToken.None).ConfigureAwait(false);
                    _failures.Record(user, record.Name.ToString(), RecentFailures.ReinstallFailed, error.Headers[NslpHeaderNames.Error]);
                }
            }

            Log.Reinstalled(_logger, user, records.Count, reason.ToString());
        }
    }

    private void DeleteDirectories(ModuleRecord record)
    {
        foreach (var directory in new[] { record.CodeDirectory, record.DataDirectory })
        {
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
            catch (IOException e)
            {
                Log.CleanupFailed(_logger, directory, e.Message);
            }
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
        [LoggerMessage(2501, LogLevel.Information, "Installed {Module} for {User} (filter: {Filter}, ttl {Ttl} s)")]
        public static partial void Installed(ILogger logger, string user, string module, string filter, double ttl);

        [LoggerMessage(2502, LogLevel.Information, "Removed {Module} of {User} ({Why})")]
        public static partial void Removed(ILogger logger, string user, string module, string why);

        [LoggerMessage(2503, LogLevel.Information, "Refreshed {Module} of {User} (ttl {Ttl} s)")]
        public static partial void Refreshed(ILogger logger, string user, string module, double ttl);

        [LoggerMessage(2504, LogLevel.Warning, "Request refused with {Status}: {Reason}")]
        public static partial void Refused(ILogger logger, int status, string reason);

        [LoggerMessage(2505, LogLevel.Error, "{Method} {Target} failed")]
        public static partial void RequestFailed(ILogger logger, string method, string target, Exception exception);

        [LoggerMessage(2506, LogLevel.Warning, "The container of {User} did not remove {Module}: {Error}")]
        public static partial void ContainerRemoveFailed(ILogger logger, string user, string module, string error);

        [LoggerMessage(2507, LogLevel.Information, "Reinstalled {Count} module(s) of {User} after the container came back ({Reason})")]
        public static partial void Reinstalled(ILogger logger, string user, int count, string reason);

        [LoggerMessage(2508, LogLevel.Warning, "Could not delete {Directory}: {Error}")]
        public static partial void CleanupFailed(ILogger logger, string directory, string error);
    }
}
