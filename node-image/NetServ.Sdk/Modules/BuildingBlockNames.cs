namespace NetServ.Sdk;

/// <summary>Names of the building blocks every NetServ container offers, as used in the <c>dependencies</c> header.</summary>
public static class BuildingBlockNames
{
    /// <summary>Delivers filtered packets to <see cref="IPacketProcessor"/> modules.</summary>
    public const string PacketDispatcher = "packet-dispatcher";

    /// <summary>Sends whole IPv4 packets: <see cref="IPacketSender"/>.</summary>
    public const string PacketSender = "packet-sender";

    /// <summary>Opens listening sockets on the ports policy allows: <see cref="IServerSockets"/>.</summary>
    public const string ServerSockets = "server-sockets";

    /// <summary>Outgoing HTTP: <see cref="System.Net.Http.HttpClient"/>.</summary>
    public const string HttpClient = "http-client";

    /// <summary>Serves HTTP with Kestrel on the ports policy allows: <c>IHttpServer</c> in NetServ.Sdk.Http.</summary>
    public const string HttpServer = "http-server";

    /// <summary>Tells subscribed modules about packet filters being added and removed on the node: <see cref="IPacketFilterEvents"/>.</summary>
    public const string FilterEvents = "filter-events";
}
