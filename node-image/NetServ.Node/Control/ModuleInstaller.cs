using Microsoft.Extensions.Logging;
using NetServ.Contracts.Control;
using NetServ.Node.Containers;
using NetServ.Node.Forwarding;
using NetServ.Node.Modules;
using NetServ.Sdk;
using NetServ.Sdk.Packaging;
using NetServ.Signaling.Nslp;
using ModuleRemovalReason = NetServ.Contracts.Status.ModuleRemovalReason;

namespace NetServ.Node.Control;

/// <summary>A SETUP that the install policy allowed, to be carried out in the user's container.</summary>
internal sealed record InstallCommand(SetupRequest Setup, InstallGrant Grant, ContainerHandle Container, RequestOrigin Origin);

/// <summary>
/// Installs a module as one transaction: the package is fetched and checked, its files placed, the
/// module loaded in the user's container, its packet filter's rules added, and only then is it entered
/// in the soft-state table. A step that fails undoes what the steps before it did, so a refused SETUP
/// leaves nothing behind. Also takes modules out again, and puts them back into a container that came back.
/// </summary>
internal sealed partial class ModuleInstaller(IContainerHost containers, IModuleStore store, ForwardingPlane forwarding, ModuleTable table, FilterAnnouncer filters, RecentRemovals removals, TimeProvider time, ILogger<ModuleInstaller> logger)
{
    /// <summary>Installs the module of <paramref name="command"/>; the caller holds the user's lock and has checked that it is not installed yet.</summary>
    public async Task<Outcome<ModuleRecord>> InstallAsync(InstallCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var setup = command.Setup;
        var container = command.Container;
        var user = command.Grant.User.Name;
        if (container.State != ContainerState.Ready || container.Hello is not { } hello)
        {
            return Refuse(NslpStatus.ServiceUnavailable, $"the container of '{user}' is {container.State.ToString().ToLowerInvariant()}; try again shortly");
        }

        if (hello.NoModuleLayer)
        {
            return Refuse(NslpStatus.ServiceUnavailable, "this node runs its containers without a module layer (evaluation configuration 3)");
        }

        var missing = setup.Dependencies.Where(d => !hello.BuildingBlocks.Contains(d, StringComparer.OrdinalIgnoreCase)).ToArray();
        if (missing.Length > 0)
        {
            return Refuse(NslpStatus.PreconditionFailed, $"this node lacks the building blocks {string.Join(", ", missing)} (it offers {string.Join(", ", hello.BuildingBlocks)})");
        }

        string package;
        try
        {
            package = await store.FetchAsync(setup.Url, setup.Digest, cancellationToken).ConfigureAwait(false);
        }
        catch (ModuleFetchException e)
        {
            return Refuse(e.Status, e.Message);
        }

        ModulePackageInfo info;
        try
        {
            info = store.Inspect(package);
        }
        catch (ModulePackageException e)
        {
            return Refuse(NslpStatus.UnprocessableModule, e.Message);
        }

        if (!string.Equals(info.ModuleName, setup.Module.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(NslpStatus.UnprocessableModule, $"the package is {info.ModuleName}, not the requested {setup.Module}");
        }

        var filter = command.Grant.Filter;
        var record = new ModuleRecord
        {
            User = user,
            Name = setup.Module,
            Url = setup.Url,
            Digest = setup.DigestHex,
            Package = info,
            CodeDirectory = Path.Combine(container.ModulesDirectory, setup.Module.ToString()),
            DataDirectory = Path.Combine(container.DataDirectory, setup.Module.ToString()),
            Filter = filter,
            Rules = filter is null ? [] : filter.Destinations.Select(d => new FilterRule(user, setup.Module.ToString(), filter.Protocol, filter.DestinationPort, d, container.Queue)).ToArray(),
            Properties = setup.Properties,
            Dependencies = setup.Dependencies,
            AllowedPorts = command.Grant.AllowedPorts,
            Origin = command.Origin.ToString().ToLowerInvariant(),
            Sequence = table.NextSequence(),
            InstalledAt = time.GetUtcNow(),
            RefreshedAt = time.GetUtcNow(),
            Ttl = command.Grant.Ttl,
        };

        try
        {
            store.Place(package, info, record.CodeDirectory, record.DataDirectory, container.Uid);
        }
        catch (ModulePackageException e)
        {
            // The step may have failed half-way: an extraction stopped at the size limit leaves files.
            DeleteFiles(record);
            return Refuse(NslpStatus.UnprocessableModule, e.Message);
        }

        if (await InstallInContainerAsync(record, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            DeleteFiles(record);
            return new Outcome<ModuleRecord>(refused);
        }

        try
        {
            await forwarding.AddAsync(record.Rules, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // The plane has taken out the rules it did add; the module must not run without its packets.
            await RemoveFromContainerAsync(record, CancellationToken.None).ConfigureAwait(false);
            DeleteFiles(record);
            return Refuse(NslpStatus.InternalError, $"the packet filter could not be installed: {e.Message}");
        }

        table.Add(record);
        await AnnounceFiltersAsync(record).ConfigureAwait(false);
        Log.Installed(logger, user, record.Name.ToString(), filter?.ToString() ?? "none", record.Ttl.TotalSeconds);
        return new Outcome<ModuleRecord>(record);
    }

    /// <summary>Loads an installed module in its user's container (again, after the container came back); null when it loaded.</summary>
    public async Task<Refusal?> InstallInContainerAsync(ModuleRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var message = new InstallModuleMessage
        {
            Module = record.Name.ToString(),
            Directory = record.CodeDirectory,
            AssemblyFile = record.Package.AssemblyFile,
            EntryType = record.Package.EntryType,
            DataDirectory = record.DataDirectory,
            Properties = record.Properties.ToDictionary(p => p.Key, p => p.Value),
            Filter = record.Filter is { } filter ? FilterSpec.From(filter) : null,
            AllowedPorts = record.AllowedPorts,
        };
        try
        {
            var reply = await containers.RequestAsync(record.User, message, cancellationToken).ConfigureAwait(false);
            return reply.Ok ? null : new Refusal(NslpStatus.UnprocessableModule, $"the module failed to load: {reply.Error}");
        }
        catch (ContainerUnavailableException e)
        {
            return new Refusal(NslpStatus.ServiceUnavailable, e.Message);
        }
    }

    /// <summary>
    /// Takes a module out everywhere: rules first (packets stop arriving), then the container, then its files;
    /// status then lists it among the recent removals with <paramref name="reason"/>.
    /// </summary>
    public async Task UninstallAsync(ModuleRecord record, ModuleRemovalReason reason, string? detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await table.RemoveAsync(record).ConfigureAwait(false);
        await forwarding.RemoveAsync(record.Rules, CancellationToken.None).ConfigureAwait(false);
        await AnnounceFiltersAsync(record).ConfigureAwait(false);
        await RemoveFromContainerAsync(record, cancellationToken).ConfigureAwait(false);
        DeleteFiles(record);
        removals.Record(record.User, record.Name.ToString(), reason, detail);
        var why = reason switch
        {
            ModuleRemovalReason.Removed => "REMOVE",
            ModuleRemovalReason.TtlExpired => "ttl expired",
            ModuleRemovalReason.Evicted => "evicted",
            _ => "could not be reinstalled",
        };
        Log.Removed(logger, record.User, record.Name.ToString(), detail is null ? why : $"{why}: {detail}");
    }

    /// <summary>Takes out a module that its container has already dropped (it failed on its own): table, rules and files.</summary>
    public async Task DropAsync(ModuleRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        await table.RemoveAsync(record).ConfigureAwait(false);
        await forwarding.RemoveAsync(record.Rules, CancellationToken.None).ConfigureAwait(false);
        await AnnounceFiltersAsync(record).ConfigureAwait(false);
        DeleteFiles(record);
    }

    private async Task RemoveFromContainerAsync(ModuleRecord record, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await containers.RequestAsync(record.User, new RemoveModuleMessage { Module = record.Name.ToString() }, cancellationToken).ConfigureAwait(false);
            if (!reply.Ok)
            {
                Log.ContainerRemoveFailed(logger, record.User, record.Name.ToString(), reply.Error ?? "unknown");
            }
        }
        catch (ContainerUnavailableException e)
        {
            // A container that is gone holds no module; it comes back without this one.
            Log.ContainerRemoveFailed(logger, record.User, record.Name.ToString(), e.Message);
        }
    }

    /// <summary>A module with a filter came or went: subscribed modules (the OpenFlow controller) hear of it.</summary>
    private Task AnnounceFiltersAsync(ModuleRecord record) =>
        record.Filter is null ? Task.CompletedTask : filters.AnnounceAsync(onlyUser: null, CancellationToken.None);

    private void DeleteFiles(ModuleRecord record) => store.Delete(record.CodeDirectory, record.DataDirectory);

    private static Outcome<ModuleRecord> Refuse(int status, string message) => new Outcome<ModuleRecord>(new Refusal(status, message));

    private static partial class Log
    {
        [LoggerMessage(2501, LogLevel.Information, "Installed {Module} for {User} (filter: {Filter}, ttl {Ttl} s)")]
        public static partial void Installed(ILogger logger, string user, string module, string filter, double ttl);

        [LoggerMessage(2502, LogLevel.Information, "Removed {Module} of {User} ({Why})")]
        public static partial void Removed(ILogger logger, string user, string module, string why);

        [LoggerMessage(2506, LogLevel.Warning, "The container of {User} did not remove {Module}: {Error}")]
        public static partial void ContainerRemoveFailed(ILogger logger, string user, string module, string error);
    }
}
