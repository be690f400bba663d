using System.Globalization;
using NetServ.Contracts.Status;

namespace NetServ.Container.Hosting;

/// <summary>The container's memory as the kernel and the GC see it, for status and the evaluation.</summary>
internal static class ProcessMemory
{
    public static ContainerMemory Snapshot()
    {
        var info = GC.GetGCMemoryInfo();
        return new ContainerMemory
        {
            GcHeapBytes = GC.GetTotalMemory(forceFullCollection: false),
            GcCommittedBytes = info.TotalCommittedBytes,
            GcHeapLimitBytes = info.TotalAvailableMemoryBytes,
            WorkingSetBytes = Environment.WorkingSet,
            PssBytes = ReadPssBytes(),
        };
    }

    /// <summary>Proportional set size from /proc/self/smaps_rollup: shared pages count divided among their users.</summary>
    public static long ReadPssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/smaps_rollup"))
            {
                if (line.StartsWith("Pss:", StringComparison.Ordinal))
                {
                    var kb = line["Pss:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return -1;
    }
}
