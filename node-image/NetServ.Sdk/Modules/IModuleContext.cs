using Microsoft.Extensions.Logging;

namespace NetServ.Sdk;

/// <summary>What the node gives a module: its identity, SETUP properties, logging, time and building blocks.</summary>
public interface IModuleContext
{
    /// <summary>The module name: package id and version, for example <c>NetServ.Apps.NetMonitor_1.0.0</c>.</summary>
    string ModuleName { get; }

    /// <summary>The NetServ user who installed the module; each user has a container of their own.</summary>
    string User { get; }

    /// <summary>The <c>properties</c> header of the SETUP request.</summary>
    ModuleProperties Properties { get; }

    /// <summary>The packet filter of the SETUP request, or <see langword="null"/> for a module without one (a server module).</summary>
    PacketFilter? Filter { get; }

    /// <summary>A logger named after the module. Its output goes to the node's log, tagged with user and module.</summary>
    ILogger Logger { get; }

    /// <summary>Creates further loggers for the module's own classes.</summary>
    ILoggerFactory LoggerFactory { get; }

    /// <summary>The clock to use for timers and timestamps, so tests can move time.</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>The building blocks the container offers (packet sender, server sockets and others).</summary>
    IBuildingBlocks BuildingBlocks { get; }

    /// <summary>Sends whole IPv4 packets (header included) from the node; for replies and generated traffic.</summary>
    IPacketSender PacketSender { get; }

    /// <summary>A directory this module may write to. It is removed when the module is removed.</summary>
    string DataDirectory { get; }

    /// <summary>The ports the node's policy lets this user's server modules listen on.</summary>
    IReadOnlySet<int> AllowedPorts { get; }

    /// <summary>Cancelled when the module is being stopped.</summary>
    CancellationToken ModuleStopping { get; }
}
