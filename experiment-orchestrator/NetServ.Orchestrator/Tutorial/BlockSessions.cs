using System.Globalization;
using NetServ.Testbed.Linux;

namespace NetServ.Orchestrator.Tutorial;

/// <summary>
/// The processes left in the sessions the lab's blocks ran in, found through /proc and stopped by their ids: only
/// what the check started (a block's session holds nothing else).
/// </summary>
internal static class BlockSessions
{
    /// <summary>SIGTERM to every process still in <paramref name="sessions"/>, then SIGKILL to those alive after <paramref name="grace"/>.</summary>
    public static async Task StopAsync(IReadOnlyCollection<int> sessions, TimeSpan grace)
    {
        if (sessions.Count == 0)
        {
            return;
        }

        var left = InSessions(sessions);
        if (left.Count == 0)
        {
            return;
        }

        Signal(left, terminate: true);
        var deadline = DateTime.UtcNow + grace;
        while (DateTime.UtcNow < deadline && InSessions(sessions).Count > 0)
        {
            await Task.Delay(200).ConfigureAwait(false);
        }

        Signal(InSessions(sessions), terminate: false);
    }

    /// <summary>The session id in the text of /proc/PID/stat: the fourth field after the command's closing parenthesis.</summary>
    internal static int? SessionOf(string stat)
    {
        var end = stat.LastIndexOf(')');
        if (end < 0)
        {
            return null;
        }

        var fields = stat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 3 && int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var session) ? session : null;
    }

    private static List<int> InSessions(IReadOnlyCollection<int> sessions)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (SessionOf(File.ReadAllText(Path.Combine(directory, "stat"))) is { } session && sessions.Contains(session))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while it was read.
            }
        }

        return found;
    }

    private static void Signal(List<int> pids, bool terminate)
    {
        // kill(1) on one process at a time, by its id; one that ended meanwhile makes kill fail, which is fine.
        foreach (var pid in pids)
        {
            CommandRunner.Run("kill", [terminate ? "-TERM" : "-KILL", pid.ToString(CultureInfo.InvariantCulture)]);
        }
    }
}
