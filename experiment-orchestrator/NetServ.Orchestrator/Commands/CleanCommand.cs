using System.CommandLine;
using NetServ.Testbed.Linux;

namespace NetServ.Orchestrator.Commands;

/// <summary>
/// <c>netserv-lab clean</c>: removes what runs that were killed left behind, exactly as their records
/// under /run/netserv-lab list it, and says what it removes. Runs whose owner still lives are named
/// and left alone; nothing a record does not list (a netservd of systemd or of a user, another
/// experiment's namespaces) is touched. Exit 0, or 1 when something recorded could not be removed.
/// </summary>
internal static class CleanCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("clean", "Remove the leftovers of killed runs (as recorded under /run/netserv-lab); live runs and anything unrecorded are left alone");
        command.SetAction(_ =>
        {
            var runs = RunReaper.ForMachine().Reap();
            foreach (var line in Describe(runs))
            {
                output.WriteLine(line);
            }

            return runs.Any(r => r.Outcome == ReapOutcome.Incomplete) ? 1 : 0;
        });
        return command;
    }

    /// <summary>One line per run record, saying what happened to it.</summary>
    internal static IEnumerable<string> Describe(IReadOnlyList<ReapedRun> runs)
    {
        if (runs.Count == 0)
        {
            yield return "no run records: nothing to clean";
        }

        foreach (var run in runs)
        {
            var name = Path.GetFileName(run.Directory);
            var removed = run.Removed.Count == 0 ? "nothing removed" : "removed " + string.Join(", ", run.Removed);
            yield return run.Outcome switch
            {
                ReapOutcome.OwnerAlive => $"run {name}: its owner (pid {run.Owner?.Pid}) is alive; left alone",
                ReapOutcome.Removed => $"run {name}: its owner (pid {run.Owner?.Pid}) is gone; {removed}",
                ReapOutcome.Incomplete => $"run {name}: its owner (pid {run.Owner?.Pid}) is gone; {removed}; could not remove {string.Join("; ", run.Failures)}",
                _ => $"{run.Directory}: not a run record (no owner); left alone",
            };
        }
    }
}
