using System.ComponentModel;
using System.Runtime.InteropServices;

namespace NetServ.Traffic;

/// <summary>Raw packet sockets (AF_PACKET), sendmmsg and thread affinity, for the paced traffic generator.</summary>
internal static partial class Interop
{
    internal const int AF_PACKET = 17;
    internal const int SOCK_RAW = 3;
    internal const int SOCK_CLOEXEC = 0x80000;
    internal const int SOL_SOCKET = 1;
    internal const int SO_SNDBUF = 7;
    internal const int SO_SNDBUFFORCE = 32;
    internal const int MSG_DONTWAIT = 0x40;
    internal const ushort ETH_P_IP = 0x0800;
    internal const int SOL_PACKET = 263;
    internal const int PACKET_QDISC_BYPASS = 20;

    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int ENOBUFS = 105;

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct SockAddrLl
    {
        public ushort sll_family;
        public ushort sll_protocol;
        public int sll_ifindex;
        public ushort sll_hatype;
        public byte sll_pkttype;
        public byte sll_halen;
        public fixed byte sll_addr[8];
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    internal static unsafe partial int SetSockOpt(int fd, int level, int name, void* value, uint length);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    internal static unsafe partial int GetSockOpt(int fd, int level, int name, void* value, uint* length);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    internal static unsafe partial int SendMMsg(int fd, NetServ.Netfilter.Native.Interop.MMsgHdr* messages, uint count, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint IfNameToIndex(string name);

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static unsafe partial int SchedSetAffinity(int pid, nuint size, ulong* mask);

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    /// <summary>Sets the nice value of the calling thread (Linux applies PRIO_PROCESS with a thread id to that thread alone).</summary>
    internal static void SetCurrentThreadNice(int nice)
    {
        if (SetPriority(0 /* PRIO_PROCESS */, GetTid(), nice) != 0)
        {
            throw ErrorFor($"setpriority(thread, {nice})");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct TimeSpec
    {
        public long tv_sec;
        public long tv_nsec;
    }

    internal const int CLOCK_MONOTONIC = 1;
    internal const int TIMER_ABSTIME = 1;
    private const int PR_SET_TIMERSLACK = 29;

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    internal static unsafe partial int ClockNanosleep(int clock, int flags, TimeSpec* request, TimeSpec* remain);

    /// <summary>Sleeps until the Stopwatch timestamp <paramref name="timestamp"/> (on Linux, Stopwatch reads CLOCK_MONOTONIC).</summary>
    internal static unsafe void SleepUntil(long timestamp)
    {
        var nanoseconds = (long)(timestamp * (1e9 / System.Diagnostics.Stopwatch.Frequency));
        var request = new TimeSpec { tv_sec = nanoseconds / 1_000_000_000, tv_nsec = nanoseconds % 1_000_000_000 };

        // An interruption only ends the sleep early; callers look at the clock again.
        _ = ClockNanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &request, null);
    }

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);

    /// <summary>Makes the calling thread's timed sleeps end on time (the default slack lets them end up to 50 µs late).</summary>
    internal static void SetCurrentThreadTimerSlack(ulong nanoseconds)
    {
        if (Prctl(PR_SET_TIMERSLACK, (nuint)nanoseconds, 0, 0, 0) != 0)
        {
            throw ErrorFor("prctl(PR_SET_TIMERSLACK)");
        }
    }

    [LibraryImport("libc", EntryPoint = "sched_yield")]
    internal static partial int SchedYield();

    /// <summary>Pins the calling thread (not the process) to <paramref name="cpu"/>.</summary>
    internal static unsafe void PinCurrentThread(int cpu)
    {
        if (cpu is < 0 or > 63)
        {
            throw new ArgumentOutOfRangeException(nameof(cpu), cpu, "CPU numbers 0-63 are supported");
        }

        var mask = 1UL << cpu;
        if (SchedSetAffinity(0, sizeof(ulong), &mask) != 0)
        {
            throw ErrorFor($"sched_setaffinity(cpu {cpu})");
        }
    }

    /// <summary>A <see cref="Win32Exception"/> carrying errno and the name of the failed call.</summary>
    internal static Win32Exception ErrorFor(string call)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new Win32Exception(errno, $"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}
