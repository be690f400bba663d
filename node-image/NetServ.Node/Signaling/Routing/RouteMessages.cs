// The rtnetlink messages that ask the kernel how it would route to one destination (what `ip route get` sends and reads).
using System.Runtime.InteropServices;
using NetServ.Networking;

namespace NetServ.Node.Signaling.Routing;

/// <summary>What kind of route the kernel chose (rtm_type), reduced to what signaling needs.</summary>
internal enum RouteKind
{
    /// <summary>RTN_UNICAST: a route through an interface, directly or through a gateway.</summary>
    Unicast,

    /// <summary>RTN_LOCAL: the destination is one of this host's addresses.</summary>
    Local,

    /// <summary>Anything else (broadcast, unreachable, blackhole, prohibit...).</summary>
    Other,
}

/// <summary>The kernel's route to one destination.</summary>
/// <param name="Kind">The route's type.</param>
/// <param name="Gateway">The next-hop router, when there is one.</param>
/// <param name="Multipath">Whether the route has several next hops (each may or may not be a router).</param>
internal readonly record struct RouteToDestination(RouteKind Kind, Ipv4Address? Gateway, bool Multipath)
{
    /// <summary>
    /// No router lies between this host and the destination: it is on-link (a unicast route without a
    /// gateway) or local. A multipath route counts as having one, to be safe.
    /// </summary>
    public bool HasNoNextHopRouter => Kind == RouteKind.Local || (Kind == RouteKind.Unicast && Gateway is null && !Multipath);
}

/// <summary>Writes an RTM_GETROUTE request and reads the kernel's RTM_NEWROUTE answer. No I/O: bytes in, bytes out.</summary>
internal static class RouteMessages
{
    // <linux/netlink.h>, <linux/rtnetlink.h>
    internal const ushort RTM_NEWROUTE = 24;
    internal const ushort RTM_GETROUTE = 26;
    internal const ushort NLMSG_ERROR = 2;
    private const ushort NLM_F_REQUEST = 0x1;
    private const byte AF_INET = 2;
    private const ushort RTA_DST = 1;
    private const ushort RTA_GATEWAY = 5;
    private const ushort RTA_MULTIPATH = 9;
    private const ushort RTA_VIA = 18;
    private const byte RTN_UNICAST = 1;
    private const byte RTN_LOCAL = 2;
    private const ushort NLA_TYPE_MASK = 0x3FFF;
    private const int HeaderLength = 16;
    private const int RtMsgLength = 12;
    private const int AttributeHeaderLength = 4;

    /// <summary>The length of the request <see cref="TryWriteQuery"/> writes.</summary>
    public const int QueryLength = HeaderLength + RtMsgLength + AttributeHeaderLength + 4;

    /// <summary>Writes "how would you route to <paramref name="destination"/>?"; false when <paramref name="buffer"/> is too small.</summary>
    public static bool TryWriteQuery(Span<byte> buffer, Ipv4Address destination, uint sequence, out int written)
    {
        written = 0;
        if (buffer.Length < QueryLength)
        {
            return false;
        }

        var message = buffer[..QueryLength];
        message.Clear();

        // struct nlmsghdr, in host byte order.
        MemoryMarshal.Write(message, (uint)QueryLength);
        MemoryMarshal.Write(message[4..], RTM_GETROUTE);
        MemoryMarshal.Write(message[6..], NLM_F_REQUEST);
        MemoryMarshal.Write(message[8..], sequence);

        // struct rtmsg: an IPv4 host route; the rest zero (any table, scope, type).
        message[HeaderLength] = AF_INET;
        message[HeaderLength + 1] = 32;

        // RTA_DST, the address in network byte order.
        var attribute = message[(HeaderLength + RtMsgLength)..];
        MemoryMarshal.Write(attribute, (ushort)(AttributeHeaderLength + 4));
        MemoryMarshal.Write(attribute[2..], RTA_DST);
        destination.Write(attribute[AttributeHeaderLength..]);
        written = QueryLength;
        return true;
    }

    /// <summary>
    /// Reads the answer to the query numbered <paramref name="sequence"/>. False, with the reason, when the
    /// kernel refused (no route: errno in words) or the bytes are not a route message.
    /// </summary>
    public static bool TryReadRoute(ReadOnlySpan<byte> reply, uint sequence, out RouteToDestination route, out string? error)
    {
        route = default;
        if (reply.Length < HeaderLength)
        {
            error = $"a {reply.Length}-byte netlink message is shorter than its header";
            return false;
        }

        var length = MemoryMarshal.Read<uint>(reply);
        var type = MemoryMarshal.Read<ushort>(reply[4..]);
        var replySequence = MemoryMarshal.Read<uint>(reply[8..]);
        if (length < HeaderLength || length > reply.Length)
        {
            error = $"the netlink message says it is {length} bytes long, {reply.Length} arrived";
            return false;
        }

        if (replySequence != sequence)
        {
            error = $"the answer is to request {replySequence}, not {sequence}";
            return false;
        }

        var body = reply[HeaderLength..(int)length];
        if (type == NLMSG_ERROR)
        {
            var errno = body.Length >= 4 ? -MemoryMarshal.Read<int>(body) : 0;
            error = $"no route: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
            return false;
        }

        if (type != RTM_NEWROUTE || body.Length < RtMsgLength || body[0] != AF_INET)
        {
            error = $"netlink message type {type} is not an IPv4 route";
            return false;
        }

        var kind = body[7] switch
        {
            RTN_UNICAST => RouteKind.Unicast,
            RTN_LOCAL => RouteKind.Local,
            _ => RouteKind.Other,
        };
        Ipv4Address? gateway = null;
        var multipath = false;
        var attributes = body[RtMsgLength..];
        while (attributes.Length >= AttributeHeaderLength)
        {
            var attributeLength = MemoryMarshal.Read<ushort>(attributes);
            var attributeType = (ushort)(MemoryMarshal.Read<ushort>(attributes[2..]) & NLA_TYPE_MASK);
            if (attributeLength < AttributeHeaderLength || attributeLength > attributes.Length)
            {
                error = $"route attribute {attributeType} says it is {attributeLength} bytes long, {attributes.Length} are left";
                return false;
            }

            var value = attributes[AttributeHeaderLength..attributeLength];
            switch (attributeType)
            {
                case RTA_GATEWAY when value.Length == 4:
                    gateway = Ipv4Address.Read(value);
                    break;
                case RTA_VIA:
                    // A next hop of another address family (IPv6 gateway for an IPv4 route): a router all the same.
                    gateway = Ipv4Address.Any;
                    break;
                case RTA_MULTIPATH:
                    multipath = true;
                    break;
            }

            var aligned = (attributeLength + 3) & ~3;
            attributes = aligned >= attributes.Length ? [] : attributes[aligned..];
        }

        route = new RouteToDestination(kind, gateway, multipath);
        error = null;
        return true;
    }
}
