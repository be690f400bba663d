using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetServ.Container.Modules;
using NetServ.Container.Packets;
using NetServ.Contracts.Control;
using NetServ.Contracts.Status;
using NetServ.Netfilter.Native;
using NetServ.Netfilter.Queue;
using NetServ.Sdk;

namespace NetServ.Container.Hosting;

/// <summary>
/// One service container: connects to netservd, takes the raw send socket it passes, binds the
/// user's queue, and then serves install / remove / status requests until told to shut down or
/// until netservd goes away.
/// </summary>
internal sealed partial class ContainerRuntime : IDisposable
{
    /// <summary>The tag byte netservd sends with (or without) the raw socket descriptor.</summary>
    public const byte RawSocketTag = (byte)'R';

    private readonly ContainerOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<ContainerRuntime> _logger;
    private readonly SemaphoreSlim _hostLock = new(1, 1);
    private ControlChannel? _channel;
    private ModuleHost? _host;

    public ContainerRuntime(ContainerOptions options, ILoggerFactory loggerFactory)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ContainerRuntime>();
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(_options.ControlSocket));
        socket.Blocking = true;
        var (_, rawFd) = Interop.ReceiveDescriptor(socket.SafeHandle);
        using var rawSender = rawFd >= 0 ? new RawPacketSender(rawFd) : null;
        IPacketSender sender = rawSender is null ? new UnavailablePacketSender() : rawSender;
        if (rawSender is null)
        {
            Log.NoRawSocket(_logger);
        }

        var queueOptions = new NetfilterQueueOptions { BatchSize = _options.BatchSize, MaxLength = _options.QueueMaxLength };
        using var queue = NetfilterQueue.Open(_options.Queue, queueOptions, _loggerFactory.CreateLogger<NetfilterQueue>());
        var chain = new ModuleChain(_loggerFactory.CreateLogger<ModuleChain>());
        using var dispatcher = new PacketDispatcher(
            queue,
            chain,
            new PacketDispatcherOptions { NoModuleLayer = _options.NoModuleLayer, HangTimeout = _options.HangTimeout, ReaderCpu = _options.ReaderCpu },
            _loggerFactory.CreateLogger<PacketDispatcher>());

        var serverSockets = new ServerSockets();
        using var httpClient = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = TimeSpan.FromSeconds(30) };
        var filters = new NodeFilters(_loggerFactory);
        var blocks = StandardBuildingBlocks.Create(sender, serverSockets, httpClient, filters, _loggerFactory);

        var host = new ModuleHost(
            _options.User,
            chain,
            dispatcher.WaitForBatchBoundary,
            blocks,
            sender,
            _loggerFactory,
            TimeProvider.System,
            new ModuleHostOptions(),
            _loggerFactory.CreateLogger<ModuleHost>());
        _host = host;

        await using var channel = new ControlChannel(socket);
        _channel = channel;
        chain.ModuleOutOfMemory += (slot, _) => ReportFailure(slot.ModuleName, ModuleFailureReasons.OutOfMemory, "ran out of memory in the packet path", recycle: true);
        dispatcher.ModuleHung += slot => ReportFailure(slot.ModuleName, ModuleFailureReasons.Hung, slot.LastError, recycle: true);
        AppDomain.CurrentDomain.UnhandledException += OnUnhandledException;

        dispatcher.Start();
        await channel.SendAsync(
            new HelloMessage
            {
                Pid = Environment.ProcessId,
                User = _options.User,
                SdkVersion = typeof(INetServModule).Assembly.GetName().Version?.ToString() ?? "0",
                BuildingBlocks = blocks.Names.ToArray(),
                NoModuleLayer = _options.NoModuleLayer,
                QueueNumber = _options.Queue,
            },
            cancellationToken).ConfigureAwait(false);
        Log.Ready(_logger, _options.User, _options.Queue, _options.NoModuleLayer);

        ShutdownMessage? shutdown = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var message = await channel.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                if (message is null)
                {
                    Log.NodeGone(_logger);
                    break;
                }

                if (message is ShutdownMessage stop)
                {
                    shutdown = stop;
                    break;
                }

                var reply = await HandleAsync(message, serverSockets, dispatcher, filters, cancellationToken).ConfigureAwait(false);
                await channel.SendAsync(reply, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await _hostLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await host.StopAllAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _hostLock.Release();
            }

            dispatcher.Stop(TimeSpan.FromSeconds(1));
        }

        if (shutdown is not null)
        {
            // The queue is closed by the using above only after this reply; netservd waits for the exit.
            await channel.SendAsync(new ReplyMessage { Id = shutdown.Id, Ok = true }, CancellationToken.None).ConfigureAwait(false);
        }

        return 0;
    }

    private async Task<ReplyMessage> HandleAsync(ControlMessage message, ServerSockets serverSockets, PacketDispatcher dispatcher, NodeFilters filters, CancellationToken cancellationToken)
    {
        await _hostLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            switch (message)
            {
                case InstallModuleMessage install when _options.NoModuleLayer:
                    return Error(install, "this container runs without a module layer (evaluation configuration 3) and takes no modules");
                case InstallModuleMessage install:
                    serverSockets.AllowedPorts = install.AllowedPorts.ToHashSet();
                    try
                    {
                        await _host!.InstallAsync(install, cancellationToken).ConfigureAwait(false);
                        return new ReplyMessage { Id = install.Id, Ok = true };
                    }
                    catch (ModuleInstallException e)
                    {
                        if (e.RecycleContainer)
                        {
                            ReportFailure(install.Module, ModuleFailureReasons.Hung, e.Message, recycle: true);
                        }

                        return Error(install, e.Message);
                    }

                case RemoveModuleMessage remove:
                    try
                    {
                        await _host!.RemoveAsync(remove.Module, cancellationToken).ConfigureAwait(false);
                        return new ReplyMessage { Id = remove.Id, Ok = true };
                    }
                    catch (KeyNotFoundException e)
                    {
                        return Error(remove, e.Message);
                    }

                case FiltersMessage set:
                    // A module's observer that throws is logged by the block; the container answers and serves on.
                    filters.Apply(set);
                    return new ReplyMessage { Id = set.Id, Ok = true };
                case StatusRequestMessage status:
                    var host = await _host!.GetStatusAsync(status.CollectGarbage).ConfigureAwait(false);
                    var report = new ContainerReport
                    {
                        User = _options.User,
                        Pid = Environment.ProcessId,
                        Queue = _options.Queue,
                        NoModuleLayer = _options.NoModuleLayer,
                        Modules = host.Modules,
                        LoadedModuleContexts = host.LoadedModuleContexts,
                        UnloadingModuleContexts = host.UnloadingModuleContexts,
                        Packets = new PacketCounters
                        {
                            Received = dispatcher.Received,
                            Accepted = dispatcher.Accepted,
                            Dropped = dispatcher.Dropped,
                            Modified = dispatcher.Modified,
                            Batches = dispatcher.Batches,
                        },
                        Memory = ProcessMemory.Snapshot(),
                        AspNetCoreLoaded = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name?.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal) == true),
                    };
                    return ReplyMessage.ForStatus(status.Id, report);
                default:
                    return Error(message, $"unexpected control message {message.GetType().Name}");
            }
        }
        finally
        {
            _hostLock.Release();
        }
    }

    public void Dispose() => _hostLock.Dispose();

    private static ReplyMessage Error(ControlMessage request, string error) => new() { Id = request.Id, Ok = false, Error = error };

    private void ReportFailure(string module, string reason, string? detail, bool recycle)
    {
        Log.ModuleFailed(_logger, module, reason, detail ?? string.Empty);
        _ = Task.Run(async () =>
        {
            await _hostLock.WaitAsync().ConfigureAwait(false);
            try
            {
                _host?.Forget(module);
            }
            finally
            {
                _hostLock.Release();
            }

            if (_channel is { } channel)
            {
                await channel.SendAsync(new ModuleFailedMessage { Module = module, Reason = reason, Detail = detail, RecycleContainer = recycle }, CancellationToken.None).ConfigureAwait(false);
            }
        });
    }

    private void OnUnhandledException(object sender, UnhandledExceptionEventArgs e)
    {
        // The process is going down. Tell netservd which module brought it down, so it is not reinstalled.
        if (e.ExceptionObject is not Exception exception || _channel is not { } channel)
        {
            return;
        }

        var module = ModuleLoadContext.FindModuleOf(exception);
        if (module is null)
        {
            return;
        }

        var reason = exception is OutOfMemoryException ? ModuleFailureReasons.OutOfMemory : ModuleFailureReasons.Crashed;
        Log.ModuleFailed(_logger, module, reason, $"{exception.GetType().Name}: {exception.Message}");
        try
        {
            channel.SendAsync(
                new ModuleFailedMessage { Module = module, Reason = reason, Detail = $"{exception.GetType().Name}: {exception.Message}", RecycleContainer = true },
                CancellationToken.None).Wait(TimeSpan.FromSeconds(1));
        }
        catch (AggregateException)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1301, LogLevel.Information, "Container of {User} ready on queue {Queue} (no module layer: {NoModuleLayer})")]
        public static partial void Ready(ILogger logger, string user, ushort queue, bool noModuleLayer);

        [LoggerMessage(1302, LogLevel.Warning, "netservd passed no raw socket: modules cannot send packets")]
        public static partial void NoRawSocket(ILogger logger);

        [LoggerMessage(1303, LogLevel.Information, "netservd closed the control connection; stopping")]
        public static partial void NodeGone(ILogger logger);

        [LoggerMessage(1304, LogLevel.Error, "Module {Module} failed ({Reason}): {Detail}")]
        public static partial void ModuleFailed(ILogger logger, string module, string reason, string detail);
    }
}
