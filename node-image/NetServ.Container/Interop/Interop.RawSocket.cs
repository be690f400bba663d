using System.Runtime.InteropServices;
using static NetServ.Netfilter.Native.Interop;

namespace NetServ.Native;

internal static partial class Interop
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct SockAddrIn
    {
        public ushort Family;
        public ushort Port;
        public uint Address;
        public ulong Zero;
    }

    [LibraryImport(Libc, EntryPoint = "sendto", SetLastError = true)]
    internal static unsafe partial nint SendTo(int socket, byte* buffer, nuint length, int flags, SockAddrIn* address, uint addressLength);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    internal const int MSG_DONTWAIT = 0x40;
    internal const ushort AF_INET = 2;
}
