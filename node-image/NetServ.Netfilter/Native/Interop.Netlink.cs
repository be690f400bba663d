using System.ComponentModel;
using System.Runtime.InteropServices;

namespace NetServ.Netfilter.Native;

/// <summary>Netlink sockets: the calls, constants and structures the NFQUEUE reader needs. Constants and fields keep their C names.</summary>
internal static partial class Interop
{
    internal static unsafe partial class Netlink
    {
        // <sys/socket.h>, <linux/netlink.h>
        internal const int AF_NETLINK = 16;
        internal const int SOCK_RAW = 3;
        internal const int SOCK_CLOEXEC = 0x80000;
        internal const int NETLINK_NETFILTER = 12;

        internal const int SOL_SOCKET = 1;
        internal const int SO_SNDBUF = 7;
        internal const int SO_RCVBUF = 8;
        internal const int SO_RCVTIMEO = 20;
        internal const int SO_SNDBUFFORCE = 32;
        internal const int SO_RCVBUFFORCE = 33;

        internal const int SOL_NETLINK = 270;
        internal const int NETLINK_NO_ENOBUFS = 5;
        internal const int NETLINK_CAP_ACK = 10;

        internal const int MSG_TRUNC = 0x20;
        internal const int MSG_DONTWAIT = 0x40;
        internal const int MSG_WAITFORONE = 0x10000;

        internal const ushort NLMSG_NOOP = 1;
        internal const ushort NLMSG_ERROR = 2;
        internal const ushort NLMSG_DONE = 3;
        internal const ushort NLMSG_OVERRUN = 4;

        internal const ushort NLM_F_REQUEST = 0x1;
        internal const ushort NLM_F_ACK = 0x4;

        /// <summary>sizeof(struct nlmsghdr).</summary>
        internal const int NLMSG_HDRLEN = 16;

        /// <summary>sizeof(struct nlattr).</summary>
        internal const int NLA_HDRLEN = 4;

        /// <summary>Masks NLA_F_NESTED and NLA_F_NET_BYTEORDER off an attribute type.</summary>
        internal const ushort NLA_TYPE_MASK = 0x3FFF;

        internal static int NLMSG_ALIGN(int length) => (length + 3) & ~3;

        internal static int NLA_ALIGN(int length) => (length + 3) & ~3;

        /// <summary>struct sockaddr_nl.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct SockAddrNl
        {
            public ushort nl_family;
            public ushort nl_pad;
            public uint nl_pid;
            public uint nl_groups;
        }

        /// <summary>struct timeval.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct TimeVal
        {
            public nint tv_sec;
            public nint tv_usec;
        }

        [LibraryImport(Libc, EntryPoint = "socket", SetLastError = true)]
        internal static partial int socket(int domain, int type, int protocol);

        [LibraryImport(Libc, EntryPoint = "bind", SetLastError = true)]
        internal static unsafe partial int bind(SafeNetlinkSocketHandle socket, SockAddrNl* address, uint addressLength);

        [LibraryImport(Libc, EntryPoint = "setsockopt", SetLastError = true)]
        internal static unsafe partial int setsockopt(SafeNetlinkSocketHandle socket, int level, int name, void* value, uint valueLength);

        [LibraryImport(Libc, EntryPoint = "getsockopt", SetLastError = true)]
        internal static unsafe partial int getsockopt(SafeNetlinkSocketHandle socket, int level, int name, void* value, uint* valueLength);

        [LibraryImport(Libc, EntryPoint = "recv", SetLastError = true)]
        internal static unsafe partial nint recv(SafeNetlinkSocketHandle socket, void* buffer, nuint length, int flags);

        [LibraryImport(Libc, EntryPoint = "recvmmsg", SetLastError = true)]
        internal static unsafe partial int recvmmsg(SafeNetlinkSocketHandle socket, MMsgHdr* messages, uint count, int flags, void* timeout);

        [LibraryImport(Libc, EntryPoint = "sendmsg", SetLastError = true)]
        internal static unsafe partial nint sendmsg(SafeNetlinkSocketHandle socket, MsgHdr* message, int flags);

        [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
        internal static partial int close(int fd);

        /// <summary>Sets an int socket option; returns errno, 0 on success.</summary>
        internal static unsafe int TrySetOption(SafeNetlinkSocketHandle socket, int level, int name, int value) =>
            setsockopt(socket, level, name, &value, sizeof(int)) == 0 ? 0 : Marshal.GetLastPInvokeError();

        /// <summary>Sets an int socket option, or throws naming it.</summary>
        internal static void SetOption(SafeNetlinkSocketHandle socket, int level, int name, int value, string optionName)
        {
            var errno = TrySetOption(socket, level, name, value);
            if (errno != 0)
            {
                throw ErrorFrom($"setsockopt({optionName})", errno);
            }
        }

        /// <summary>Reads an int socket option, or throws naming it.</summary>
        internal static unsafe int GetOption(SafeNetlinkSocketHandle socket, int level, int name, string optionName)
        {
            int value;
            uint length = sizeof(int);
            return getsockopt(socket, level, name, &value, &length) == 0 ? value : throw ErrorFor($"getsockopt({optionName})");
        }

        /// <summary>An exception carrying <paramref name="errno"/> and the name of the failed call, like <see cref="Interop.ErrorFor(string)"/>.</summary>
        internal static Win32Exception ErrorFrom(string call, int errno) =>
            new(errno, $"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}
