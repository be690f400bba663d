using NetServ.Netfilter.Native;
using NetServ.Networking;
using static NetServ.Native.Interop.NetlinkRoute;
using static NetServ.Netfilter.Native.Interop.Netlink;

namespace NetServ.Node.Signaling.Routing;

/// <summary>
/// Asks the kernel (rtnetlink RTM_GETROUTE, as `ip route get` does) how this node's network namespace
/// routes to a destination. One short-lived socket per question: a look-up is a few system calls, made
/// once per request a node passes on, and nothing is shared between threads.
/// </summary>
internal sealed class NetlinkRouteLookup : IRouteLookup
{
    private const int ReplyBufferLength = 4096;
    private static readonly TimeVal ReplyTimeout = new() { tv_sec = 1 };
    private int _sequence;

    public unsafe bool TryLookup(Ipv4Address destination, out RouteToDestination route, out string? error)
    {
        route = default;
        var sequence = (uint)Interlocked.Increment(ref _sequence);
        Span<byte> query = stackalloc byte[RouteMessages.QueryLength];
        RouteMessages.TryWriteQuery(query, destination, sequence, out _);
        var fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
        {
            error = Interop.ErrorFor("socket(AF_NETLINK, NETLINK_ROUTE)").Message;
            return false;
        }

        using var handle = new SafeNetlinkSocketHandle(fd);
        var timeout = ReplyTimeout;
        if (setsockopt(handle, SOL_SOCKET, SO_RCVTIMEO, &timeout, (uint)sizeof(TimeVal)) != 0)
        {
            error = Interop.ErrorFor("setsockopt(SO_RCVTIMEO)").Message;
            return false;
        }

        fixed (byte* request = query)
        {
            if (send(handle, request, (nuint)query.Length, 0) < 0)
            {
                error = Interop.ErrorFor("send(RTM_GETROUTE)").Message;
                return false;
            }
        }

        var reply = new byte[ReplyBufferLength];
        nint received;
        fixed (byte* buffer = reply)
        {
            received = recv(handle, buffer, (nuint)reply.Length, 0);
        }

        if (received < 0)
        {
            error = Interop.ErrorFor("recv(RTM_NEWROUTE)").Message;
            return false;
        }

        return RouteMessages.TryReadRoute(reply.AsSpan(0, (int)received), sequence, out route, out error);
    }
}
