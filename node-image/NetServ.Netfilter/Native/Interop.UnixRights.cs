using System.Runtime.InteropServices;

namespace NetServ.Netfilter.Native;

/// <summary>Passing a descriptor over a Unix socket (SCM_RIGHTS), so a container gets a raw socket without CAP_NET_RAW.</summary>
internal static partial class Interop
{
    private const int SOL_SOCKET = 1;
    private const int SCM_RIGHTS = 1;

    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgWithFd
    {
        public nuint Length;
        public int Level;
        public int Type;
        public int Fd;
        public int Padding;
    }

    [LibraryImport(Libc, EntryPoint = "sendmsg", SetLastError = true)]
    private static unsafe partial nint SendMsg(int socket, MsgHdr* message, int flags);

    [LibraryImport(Libc, EntryPoint = "recvmsg", SetLastError = true)]
    private static unsafe partial nint RecvMsg(int socket, MsgHdr* message, int flags);

    /// <summary>Sends one byte carrying <paramref name="descriptor"/> over the connected Unix socket <paramref name="socket"/>.</summary>
    internal static unsafe void SendDescriptor(SafeHandle socket, int descriptor, byte tag)
    {
        var added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            var payload = tag;
            var iov = new IoVec { iov_base = &payload, iov_len = 1 };
            var cmsg = new CmsgWithFd { Length = (nuint)(sizeof(nuint) + 8 + 4), Level = SOL_SOCKET, Type = SCM_RIGHTS, Fd = descriptor };
            var message = new MsgHdr { msg_iov = &iov, msg_iovlen = 1, msg_control = &cmsg, msg_controllen = (nuint)sizeof(CmsgWithFd) };
            while (true)
            {
                var sent = SendMsg((int)socket.DangerousGetHandle(), &message, 0);
                if (sent >= 0)
                {
                    return;
                }

                if (Marshal.GetLastPInvokeError() != Errno.EINTR)
                {
                    throw ErrorFor("sendmsg(SCM_RIGHTS)");
                }
            }
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>Receives one byte and the descriptor sent with it; returns -1 as descriptor when none came.</summary>
    internal static unsafe (byte Tag, int Descriptor) ReceiveDescriptor(SafeHandle socket)
    {
        var added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            byte payload = 0;
            var iov = new IoVec { iov_base = &payload, iov_len = 1 };
            var cmsg = default(CmsgWithFd);
            var message = new MsgHdr { msg_iov = &iov, msg_iovlen = 1, msg_control = &cmsg, msg_controllen = (nuint)sizeof(CmsgWithFd) };
            while (true)
            {
                var received = RecvMsg((int)socket.DangerousGetHandle(), &message, 0x40000000 /* MSG_CMSG_CLOEXEC */);
                if (received > 0)
                {
                    var hasFd = message.msg_controllen >= (nuint)(sizeof(nuint) + 12) && cmsg.Level == SOL_SOCKET && cmsg.Type == SCM_RIGHTS;
                    return (payload, hasFd ? cmsg.Fd : -1);
                }

                if (received == 0)
                {
                    throw new EndOfStreamException("The control connection closed before the descriptor arrived.");
                }

                if (Marshal.GetLastPInvokeError() != Errno.EINTR)
                {
                    throw ErrorFor("recvmsg(SCM_RIGHTS)");
                }
            }
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }
}
