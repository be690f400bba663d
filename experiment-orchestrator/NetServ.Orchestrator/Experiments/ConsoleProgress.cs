using System.Globalization;
using Spectre.Console;

namespace NetServ.Orchestrator.Experiments;

/// <summary>
/// Shows a run on the terminal: a line per phase and per detail, each phase's outcome and time, and a
/// live spinner with what the run waits for. Where output is not a terminal the spinner is left out
/// and the lines are a plain log.
/// </summary>
internal sealed class ConsoleProgress(IAnsiConsole console) : IExperimentProgress
{
    private StatusContext? _live;

    /// <summary>Runs <paramref name="run"/> under a live status line (when the console is interactive).</summary>
    public async Task<T> LiveAsync<T>(Func<Task<T>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!console.Profile.Capabilities.Interactive)
        {
            return await run().ConfigureAwait(false);
        }

        return await console.Status().Spinner(Spinner.Known.Dots).StartAsync("starting", async context =>
        {
            _live = context;
            try
            {
                return await run().ConfigureAwait(false);
            }
            finally
            {
                _live = null;
            }
        }).ConfigureAwait(false);
    }

    public void PhaseStarted(ExperimentPhase phase, string description)
    {
        console.MarkupLineInterpolated($"[bold blue]{ExperimentResult.NameOf(phase),-9}[/] [bold]{description}[/]");
        Status($"{ExperimentResult.NameOf(phase)}: {description}");
    }

    public void Detail(string text) => console.MarkupLineInterpolated($"          [grey]{text}[/]");

    public void Status(string text) => _live?.Status(Markup.Escape(text));

    public void Holding(IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        console.MarkupLine("[bold yellow]holding[/]  [bold]the testbed stays up until Ctrl-C, then it is released[/]");
        foreach (var line in lines)
        {
            console.MarkupLineInterpolated($"          {line}");
        }

        Status("holding: Ctrl-C releases the testbed");
    }

    public void PhaseFinished(PhaseReport report)
    {
        var seconds = report.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        var line = report.Outcome switch
        {
            PhaseOutcome.Ok => $"[green]ok[/] in {seconds} s",
            PhaseOutcome.Skipped => "[grey]skipped[/]",
            PhaseOutcome.Stopped => $"[yellow]stopped[/] after {seconds} s",
            _ => $"[red]failed[/] after {seconds} s: {Markup.Escape(report.Error ?? string.Empty)}",
        };
        console.MarkupLine($"          {report.Name} {line}");
    }
}
