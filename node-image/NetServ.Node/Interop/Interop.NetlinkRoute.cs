using System.Runtime.InteropServices;
using NetServ.Netfilter.Native;
using static NetServ.Netfilter.Native.Interop;

namespace NetServ.Native;

/// <summary>rtnetlink: the route look-up signaling uses to learn whether a destination is on-link.</summary>
internal static partial class Interop
{
    internal static partial class NetlinkRoute
    {
        // <linux/netlink.h>
        internal const int NETLINK_ROUTE = 0;

        [LibraryImport(Libc, EntryPoint = "send", SetLastError = true)]
        internal static unsafe partial nint send(SafeNetlinkSocketHandle socket, void* buffer, nuint length, int flags);
    }
}
