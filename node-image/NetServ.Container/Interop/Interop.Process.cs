using System.Runtime.InteropServices;
using static NetServ.Netfilter.Native.Interop;

namespace NetServ.Native;

internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static unsafe partial int SchedSetAffinity(int pid, nuint size, ulong* mask);

    [LibraryImport(Libc, EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    /// <summary>Returns the C heap's free pages to the system (glibc's malloc_trim).</summary>
    /// <returns>Whether any memory was released.</returns>
    internal static bool TrimNativeHeap() => MallocTrim(0) != 0;

    /// <summary>Pins the calling thread to <paramref name="cpu"/>.</summary>
    internal static unsafe void PinCurrentThread(int cpu)
    {
        if (cpu is < 0 or > 63)
        {
            throw new ArgumentOutOfRangeException(nameof(cpu), cpu, "CPU numbers 0-63 are supported");
        }

        // pid 0 is the calling thread, not the whole process.
        var mask = 1UL << cpu;
        Check(SchedSetAffinity(0, sizeof(ulong), &mask), $"sched_setaffinity(cpu {cpu})");
    }
}
