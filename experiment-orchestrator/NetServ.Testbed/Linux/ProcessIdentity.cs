using System.Globalization;

namespace NetServ.Testbed.Linux;

/// <summary>
/// A process as the kernel knows it for its whole life: its pid and its start time (clock ticks
/// after boot, field 22 of <c>/proc/&lt;pid&gt;/stat</c>). A pid can be reused; the pair cannot.
/// </summary>
public readonly record struct ProcessIdentity(int Pid, ulong StartTime)
{
    /// <summary>The process running under <paramref name="pid"/> now, or null when there is none.</summary>
    public static ProcessIdentity? Of(int pid, string procRoot = "/proc")
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "stat"));
            return TryParseStartTime(stat, out var startTime) ? new ProcessIdentity(pid, startTime) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>This process.</summary>
    public static ProcessIdentity Current { get; } =
        Of(Environment.ProcessId) ?? throw new InvalidOperationException("/proc/self/stat cannot be read");

    /// <summary>Whether this very process still runs (its pid is not free and not reused).</summary>
    public bool IsAlive(string procRoot = "/proc") => Of(Pid, procRoot) == this;

    /// <summary>
    /// Reads the start time from the text of <c>/proc/&lt;pid&gt;/stat</c>. The command name (field 2,
    /// in parentheses) may hold spaces and parentheses itself, so fields are counted after the last ')'.
    /// </summary>
    public static bool TryParseStartTime(ReadOnlySpan<char> stat, out ulong startTime)
    {
        startTime = 0;
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return false;
        }

        // After ") " come field 3 (state), 4, ...: the start time is the 20th of them.
        var rest = stat[(close + 1)..];
        var field = 2;
        foreach (var range in rest.Split(' '))
        {
            var token = rest[range];
            if (token.IsEmpty)
            {
                continue;
            }

            field++;
            if (field == 22)
            {
                return ulong.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out startTime);
            }
        }

        return false;
    }

    /// <summary>As a run record writes it: <c>pid starttime</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Pid} {StartTime}");

    /// <summary>Reads what <see cref="ToString"/> wrote.</summary>
    public static bool TryParse(string text, out ProcessIdentity identity)
    {
        identity = default;
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime)
            || pid <= 0)
        {
            return false;
        }

        identity = new ProcessIdentity(pid, startTime);
        return true;
    }
}
