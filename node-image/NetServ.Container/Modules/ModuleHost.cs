using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NetServ.Container.Packets;
using NetServ.Contracts.Control;
using NetServ.Contracts.Status;
using NetServ.Networking;
using NetServ.Sdk;

namespace NetServ.Container.Modules;

/// <summary>
/// Installs, runs and removes the modules of one user: each in its own collectible load context,
/// started and stopped within deadlines, packet processors placed in the <see cref="ModuleChain"/>.
/// Calls come from the control loop one at a time.
/// </summary>
internal sealed partial class ModuleHost(
    string user,
    ModuleChain chain,
    Func<TimeSpan, bool> waitForBatchBoundary,
    BuildingBlockRegistry buildingBlocks,
    IPacketSender packetSender,
    ILoggerFactory loggerFactory,
    TimeProvider timeProvider,
    ModuleHostOptions options,
    ILogger<ModuleHost> logger)
{
    private readonly Dictionary<string, InstalledModule> _modules = new(StringComparer.Ordinal);
    private readonly List<(string Name, WeakReference Context)> _unloading = [];

    public IReadOnlyCollection<string> ModuleNames => _modules.Keys;

    public async Task InstallAsync(InstallModuleMessage request, CancellationToken cancellationToken)
    {
        if (_modules.ContainsKey(request.Module))
        {
            // netservd reinstalls after a restart; a recycle racing a crash may ask twice.
            Log.AlreadyInstalled(logger, request.Module);
            return;
        }

        var assemblyPath = Path.Combine(request.Directory, request.AssemblyFile);
        if (!File.Exists(assemblyPath))
        {
            throw new ModuleInstallException($"the module assembly {request.AssemblyFile} is missing from {request.Directory}");
        }

        PacketFilter? filter = null;
        if (request.Filter is { } spec)
        {
            filter = FilterOf(spec);
        }

        var loadContext = new ModuleLoadContext(request.Module, request.Directory);
        ModuleContext? context = null;
        try
        {
            var (instance, processor) = CreateInstance(loadContext, assemblyPath, request.EntryType);
            if (filter is not null && processor is null)
            {
                throw new ModuleInstallException($"{request.Module} was given a packet filter but its entry type does not implement IPacketProcessor");
            }

            Directory.CreateDirectory(request.DataDirectory);
            var allowedPorts = request.AllowedPorts.ToHashSet();
            context = new ModuleContext(
                request.Module,
                user,
                new ModuleProperties(request.Properties),
                filter,
                loggerFactory,
                timeProvider,
                buildingBlocks,
                packetSender,
                request.DataDirectory,
                allowedPorts);

            await StartAsync(request.Module, instance, context, cancellationToken).ConfigureAwait(false);
            ModuleSlot? slot = null;
            if (processor is not null && filter is not null)
            {
                slot = new ModuleSlot(request.Module, filter, processor);
                chain.Add(slot);
            }

            _modules.Add(request.Module, new InstalledModule(request.Module, loadContext, instance, context, slot) { Started = timeProvider.GetUtcNow() });
            Log.Installed(logger, request.Module, filter?.ToString() ?? "none");
        }
        catch
        {
            context?.Dispose();
            Unload(request.Module, loadContext);
            throw;
        }
    }

    public async Task RemoveAsync(string module, CancellationToken cancellationToken)
    {
        if (!_modules.Remove(module, out var installed))
        {
            throw new KeyNotFoundException($"{module} is not installed in this container");
        }

        await StopAndUnloadAsync(installed, cancellationToken).ConfigureAwait(false);
        Log.Removed(logger, module);
    }

    /// <summary>Takes a module out after it failed on its own (hang, memory); its slot is already out of the chain.</summary>
    public void Forget(string module)
    {
        if (_modules.Remove(module, out var installed))
        {
            installed.Context.SignalStopping();
            Unload(module, installed.LoadContext);
        }
    }

    public async Task StopAllAsync(CancellationToken cancellationToken)
    {
        foreach (var module in _modules.Keys.ToArray())
        {
            try
            {
                await RemoveAsync(module, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.StopFailed(logger, module, e.Message);
            }
        }
    }

    public async Task<ModuleHostStatus> GetStatusAsync(bool collectGarbage)
    {
        if (collectGarbage)
        {
            // Continuations may run inline on a stack that still has a module's frames (its StopAsync
            // just completed there); collect from a fresh thread-pool stack instead.
            await Task.Yield();
            CollectUnloaded();
        }

        var modules = new List<ModuleLiveStatus>(_modules.Count);
        foreach (var installed in _modules.Values)
        {
            modules.Add(new ModuleLiveStatus
            {
                Name = installed.Name,
                Started = installed.Started,
                PacketProcessor = installed.Slot is not null,
                Filter = installed.Slot?.Filter.ToString(),
                Counters = installed.Slot?.Counters(),
                Status = installed.Instance is IModuleStatus reporter ? await GetModuleStatusAsync(installed.Name, reporter).ConfigureAwait(false) : null,
            });
        }

        _unloading.RemoveAll(u => !u.Context.IsAlive);
        return new ModuleHostStatus(
            modules,
            AssemblyLoadContext.All.OfType<ModuleLoadContext>().Count(),
            [.. _unloading.Select(u => u.Name)]);
    }

    /// <summary>
    /// Collects until unloaded module contexts are gone (or a few rounds have passed), then gives
    /// free memory back to the system: the GC's committed space and the C heap's free pages.
    /// </summary>
    public void CollectUnloaded()
    {
        for (var round = 0; round < 10 && _unloading.Any(u => u.Context.IsAlive); round++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        _unloading.RemoveAll(u => !u.Context.IsAlive);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _ = NetServ.Native.Interop.TrimNativeHeap();
    }

    private async Task StartAsync(string module, INetServModule instance, ModuleContext context, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.StartTimeout);
        var start = Task.Run(() => instance.StartAsync(context, deadline.Token), CancellationToken.None);
        try
        {
            await start.WaitAsync(options.StartTimeout + TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new ModuleInstallException($"{module} did not finish StartAsync within {options.StartTimeout.TotalSeconds:0.#} s") { RecycleContainer = true };
        }
        catch (OutOfMemoryException e)
        {
            throw new ModuleInstallException($"{module} ran out of memory while starting", e) { RecycleContainer = true };
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new ModuleInstallException($"{module} failed to start: {e.GetType().Name}: {e.Message}", e);
        }
    }

    private async Task StopAndUnloadAsync(InstalledModule installed, CancellationToken cancellationToken)
    {
        if (installed.Slot is not null)
        {
            chain.Remove(installed.Name);
            if (!waitForBatchBoundary(options.BatchBoundaryTimeout))
            {
                Log.StopFailed(logger, installed.Name, "the packet path did not leave the module in time");
            }
        }

        installed.Context.SignalStopping();
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(options.StopTimeout);
            await Task.Run(() => installed.Instance.StopAsync(deadline.Token), CancellationToken.None)
                .WaitAsync(options.StopTimeout + TimeSpan.FromMilliseconds(200), cancellationToken)
                .ConfigureAwait(false);
            switch (installed.Instance)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().AsTask().WaitAsync(options.StopTimeout, cancellationToken).ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.StopFailed(logger, installed.Name, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            installed.Context.Dispose();
            Unload(installed.Name, installed.LoadContext);
        }
    }

    private async Task<JsonNode?> GetModuleStatusAsync(string module, IModuleStatus reporter)
    {
        try
        {
            return await Task.Run(reporter.GetStatus).WaitAsync(options.StatusTimeout).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.StatusFailed(logger, module, e.Message);
            return new JsonObject { ["error"] = $"{e.GetType().Name}: {e.Message}" };
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Unload(string module, ModuleLoadContext loadContext)
    {
        _unloading.Add((module, new WeakReference(loadContext)));
        loadContext.Unload();
    }

    // Kept out of line so no reference to the module's types outlives the call in a caller's frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (INetServModule Instance, IPacketProcessor? Processor) CreateInstance(ModuleLoadContext loadContext, string assemblyPath, string expectedEntryType)
    {
        Assembly assembly;
        try
        {
            assembly = loadContext.LoadFromAssemblyPath(assemblyPath);
        }
        catch (BadImageFormatException e)
        {
            throw new ModuleInstallException($"{Path.GetFileName(assemblyPath)} is not a .NET assembly: {e.Message}", e);
        }

        var attribute = assembly.GetCustomAttribute<NetServModuleAttribute>()
            ?? throw new ModuleInstallException($"{assembly.GetName().Name} has no [assembly: NetServModule(typeof(...))] naming its entry type");
        var type = attribute.EntryType;
        if (!string.IsNullOrEmpty(expectedEntryType) && type.FullName != expectedEntryType)
        {
            throw new ModuleInstallException($"the entry type is {type.FullName}, but the node verified {expectedEntryType}");
        }

        if (!typeof(INetServModule).IsAssignableFrom(type))
        {
            throw new ModuleInstallException($"entry type {type.FullName} does not implement NetServ.Sdk.INetServModule");
        }

        if (type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new ModuleInstallException($"entry type {type.FullName} needs a public parameterless constructor and may not be abstract");
        }

        object created;
        try
        {
            created = Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException e)
        {
            throw new ModuleInstallException($"the constructor of {type.FullName} threw {e.InnerException?.GetType().Name}: {e.InnerException?.Message}", e);
        }

        return ((INetServModule)created, created as IPacketProcessor);
    }

    private static PacketFilter FilterOf(FilterSpec spec)
    {
        try
        {
            return spec.ToFilter();
        }
        catch (ArgumentException e)
        {
            throw new ModuleInstallException($"invalid filter: {e.Message}", e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1201, LogLevel.Information, "Installed {Module} (filter: {Filter})")]
        public static partial void Installed(ILogger logger, string module, string filter);

        [LoggerMessage(1202, LogLevel.Information, "Removed {Module}")]
        public static partial void Removed(ILogger logger, string module);

        [LoggerMessage(1203, LogLevel.Warning, "Stopping {Module} did not go cleanly: {Error}")]
        public static partial void StopFailed(ILogger logger, string module, string error);

        [LoggerMessage(1205, LogLevel.Debug, "{Module} is installed already")]
        public static partial void AlreadyInstalled(ILogger logger, string module);

        [LoggerMessage(1204, LogLevel.Warning, "{Module} did not report its status: {Error}")]
        public static partial void StatusFailed(ILogger logger, string module, string error);
    }
}
