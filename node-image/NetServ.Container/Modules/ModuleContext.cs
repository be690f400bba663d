using Microsoft.Extensions.Logging;
using NetServ.Sdk;

namespace NetServ.Container.Modules;

/// <summary>What one module is given for its life; see <see cref="IModuleContext"/>.</summary>
internal sealed class ModuleContext : IModuleContext, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public ModuleContext(
        string moduleName,
        string user,
        ModuleProperties properties,
        PacketFilter? filter,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider,
        IBuildingBlocks buildingBlocks,
        IPacketSender packetSender,
        string dataDirectory,
        IReadOnlySet<int> allowedPorts)
    {
        ModuleName = moduleName;
        User = user;
        Properties = properties;
        Filter = filter;
        LoggerFactory = loggerFactory;
        Logger = loggerFactory.CreateLogger($"Module.{moduleName}");
        TimeProvider = timeProvider;
        BuildingBlocks = buildingBlocks;
        PacketSender = packetSender;
        DataDirectory = dataDirectory;
        AllowedPorts = allowedPorts;
    }

    public string ModuleName { get; }

    public string User { get; }

    public ModuleProperties Properties { get; }

    public PacketFilter? Filter { get; }

    public ILogger Logger { get; }

    public ILoggerFactory LoggerFactory { get; }

    public TimeProvider TimeProvider { get; }

    public IBuildingBlocks BuildingBlocks { get; }

    public IPacketSender PacketSender { get; }

    public string DataDirectory { get; }

    public IReadOnlySet<int> AllowedPorts { get; }

    public CancellationToken ModuleStopping => _stopping.Token;

    public void SignalStopping()
    {
        try
        {
            _stopping.Cancel();
        }
        catch (AggregateException)
        {
            // A module's own cancellation callback threw; the module is being removed anyway.
        }
    }

    public void Dispose() => _stopping.Dispose();
}
