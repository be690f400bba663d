using System.Runtime.InteropServices;

namespace NetServ.Netfilter.Native;

/// <summary>
/// The message structures of recvmsg, sendmsg and sendmmsg (&lt;sys/socket.h&gt;), shared by the
/// NFQUEUE reader and the testbed's packet generator and latency probe. Fields keep their C names.
/// </summary>
internal static partial class Interop
{
    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct IoVec
    {
        public void* iov_base;
        public nuint iov_len;
    }

    /// <summary>struct msghdr.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct MsgHdr
    {
        public void* msg_name;
        public uint msg_namelen;
        public IoVec* msg_iov;
        public nuint msg_iovlen;
        public void* msg_control;
        public nuint msg_controllen;
        public int msg_flags;
    }

    /// <summary>struct mmsghdr.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MMsgHdr
    {
        public MsgHdr msg_hdr;
        public uint msg_len;
    }
}
