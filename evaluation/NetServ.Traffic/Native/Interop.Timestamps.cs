using System.Runtime.InteropServices;

namespace NetServ.Traffic;

/// <summary>UDP datagrams with the kernel's receive timestamps (recvmsg, SO_TIMESTAMPNS) and the clock they are read against, for the latency probe.</summary>
internal static partial class Interop
{
    internal const int CLOCK_REALTIME = 0;
    internal const int SO_RCVTIMEO = 20;
    internal const int SO_RCVBUFFORCE = 33;

    /// <summary>SO_TIMESTAMPNS: a struct timespec (64-bit fields on 64-bit Linux) of CLOCK_REALTIME with every datagram; SCM_TIMESTAMPNS is the same number.</summary>
    internal const int SO_TIMESTAMPNS = 35;
    internal const int SCM_TIMESTAMPNS = SO_TIMESTAMPNS;

    internal const int MSG_TRUNC = 0x20;
    internal const int MSG_CTRUNC = 0x08;

    [StructLayout(LayoutKind.Sequential)]
    internal struct CmsgHdr
    {
        public nuint cmsg_len;
        public int cmsg_level;
        public int cmsg_type;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct TimeVal
    {
        public long tv_sec;
        public long tv_usec;
    }

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    internal static unsafe partial nint RecvMsg(int fd, NetServ.Netfilter.Native.Interop.MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    internal static unsafe partial nint Recv(int fd, void* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    internal static unsafe partial nint Send(int fd, void* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static unsafe partial int ClockGetTime(int clock, TimeSpec* time);

    /// <summary>CLOCK_REALTIME in nanoseconds: the clock of SO_TIMESTAMPNS, shared by every network namespace.</summary>
    internal static unsafe long RealtimeNanoseconds()
    {
        TimeSpec now;
        _ = ClockGetTime(CLOCK_REALTIME, &now);
        return (now.tv_sec * 1_000_000_000) + now.tv_nsec;
    }

    /// <summary>
    /// The SCM_TIMESTAMPNS time (CLOCK_REALTIME nanoseconds) among the control messages of a received
    /// datagram, or 0 when there is none.
    /// </summary>
    internal static unsafe long ReceiveTimestamp(byte* control, nuint length)
    {
        var header = (nuint)sizeof(CmsgHdr);
        nuint offset = 0;
        while (offset + header <= length)
        {
            var message = (CmsgHdr*)(control + offset);
            if (message->cmsg_len < header || offset + message->cmsg_len > length)
            {
                return 0;
            }

            if (message->cmsg_level == SOL_SOCKET && message->cmsg_type == SCM_TIMESTAMPNS && message->cmsg_len >= header + (nuint)sizeof(TimeSpec))
            {
                var time = (TimeSpec*)(control + offset + CmsgAlign(header));
                return (time->tv_sec * 1_000_000_000) + time->tv_nsec;
            }

            offset += CmsgAlign(message->cmsg_len);
        }

        return 0;
    }

    private static nuint CmsgAlign(nuint length) => (length + (nuint)nuint.Size - 1) & ~((nuint)nuint.Size - 1);
}
