using System.Globalization;
using System.Text.Json.Nodes;

namespace NetServ.Container.Hosting;

/// <summary>The container's memory as the kernel and the GC see it, for status and the evaluation.</summary>
internal static class ProcessMemory
{
    public static JsonObject Snapshot()
    {
        var info = GC.GetGCMemoryInfo();
        return new JsonObject
        {
            ["gcHeapBytes"] = GC.GetTotalMemory(forceFullCollection: false),
            ["gcCommittedBytes"] = info.TotalCommittedBytes,
            ["gcHeapLimitBytes"] = info.TotalAvailableMemoryBytes,
            ["workingSetBytes"] = Environment.WorkingSet,
            ["pssBytes"] = ReadPssBytes(),
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
