using NetServ.Networking;

namespace NetServ.Node.Signaling.Routing;

/// <summary>Asks the node's routing how it reaches a destination (netlink in netservd; a fake in tests).</summary>
internal interface IRouteLookup
{
    /// <summary>The route to <paramref name="destination"/>, or false with the reason when there is none or the lookup failed.</summary>
    bool TryLookup(Ipv4Address destination, out RouteToDestination route, out string? error);
}
