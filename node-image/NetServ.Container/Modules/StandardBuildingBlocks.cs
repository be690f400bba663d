using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using NetServ.Container.Http;
using NetServ.Sdk;

namespace NetServ.Container.Modules;

/// <summary>The building blocks every container offers.</summary>
internal static class StandardBuildingBlocks
{
    public static BuildingBlockRegistry Create(IPacketSender sender, ServerSockets serverSockets, HttpClient httpClient, NodeFilters filters, ILoggerFactory loggerFactory)
    {
        var blocks = new BuildingBlockRegistry();
        blocks.Add(BuildingBlockNames.PacketDispatcher, null);
        blocks.Add(BuildingBlockNames.PacketSender, sender);
        blocks.Add(BuildingBlockNames.ServerSockets, serverSockets);
        blocks.Add(BuildingBlockNames.HttpClient, httpClient);
        blocks.Add(BuildingBlockNames.FilterEvents, filters.Events);
        blocks.AddLazy<IHttpServer>(BuildingBlockNames.HttpServer, () => CreateHttpServer(loggerFactory));
        return blocks;
    }

    // Out of line so that Kestrel's types are resolved only when a module asks for the block.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static KestrelHttpServer CreateHttpServer(ILoggerFactory loggerFactory) => new KestrelHttpServer(loggerFactory, new KestrelHttpServerOptions());
}
