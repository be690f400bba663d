using System.Globalization;

namespace NetServ.Evaluation.NodeRuntime;

/// <summary>
/// Scheduler statistics of one thread, from /proc/&lt;pid&gt;/task/&lt;tid&gt;/: time on the CPU, time
/// runnable but waiting for it (another task held its CPU), and context switches. Read before and
/// after a trial they say what a packet cost the queue reader, and how long it waited.
/// </summary>
internal readonly record struct ThreadStats(long RunNs, long WaitNs, long VoluntarySwitches, long InvoluntarySwitches)
{
    public static ThreadStats operator -(ThreadStats a, ThreadStats b) =>
        new(a.RunNs - b.RunNs, a.WaitNs - b.WaitNs, a.VoluntarySwitches - b.VoluntarySwitches, a.InvoluntarySwitches - b.InvoluntarySwitches);

    /// <summary>Every thread of <paramref name="pid"/>, by thread id (empty when the process is gone).</summary>
    /// <remarks>
    /// Threads are not found by name: in the container's sandbox /proc is read-only, so the runtime
    /// cannot name its threads and all are "dotnet". The reader is the one that ran most during a trial.
    /// </remarks>
    public static IReadOnlyDictionary<int, ThreadStats> ReadAll(int pid)
    {
        var threads = new Dictionary<int, ThreadStats>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid) && Read(task) is { } stats)
                {
                    threads[tid] = stats;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return threads;
    }

    /// <summary>The change of the thread that ran most between two readings of <see cref="ReadAll"/>, or null.</summary>
    public static ThreadStats? Busiest(IReadOnlyDictionary<int, ThreadStats> after, IReadOnlyDictionary<int, ThreadStats> before) =>
        after.Where(p => before.ContainsKey(p.Key))
            .Select(p => p.Value - before[p.Key])
            .OrderByDescending(d => d.RunNs)
            .Cast<ThreadStats?>()
            .FirstOrDefault();

    private static ThreadStats? Read(string task)
    {
        try
        {
            if (ReadOrNull(Path.Combine(task, "schedstat")) is not { } schedstat)
            {
                return null;
            }

            var fields = schedstat.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long voluntary = 0, involuntary = 0;
            foreach (var line in (ReadOrNull(Path.Combine(task, "status")) ?? string.Empty).Split('\n'))
            {
                if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                {
                    voluntary = long.Parse(line.Split(':')[1].Trim(), CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                {
                    involuntary = long.Parse(line.Split(':')[1].Trim(), CultureInfo.InvariantCulture);
                }
            }

            return new ThreadStats(long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture), voluntary, involuntary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
