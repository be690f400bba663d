using Spectre.Console;

namespace NetServ.Orchestrator.Quickstart;

/// <summary>Shows the quickstart's steps on the terminal as they happen.</summary>
internal sealed class ConsoleReporter(IAnsiConsole console) : IQuickstartReporter
{
    private int _step;
    private long _lastShown = -1;

    public void Step(string description) => console.MarkupLineInterpolated($"[bold blue]{++_step}.[/] [bold]{description}[/]");

    public void Detail(string text) => console.MarkupLineInterpolated($"   [grey]{text}[/]");

    public void Traffic(long sent, long total)
    {
        // One line per tenth, so the log stays readable when output is not a terminal.
        var tenth = total == 0 ? 10 : sent * 10 / total;
        if (tenth != _lastShown)
        {
            _lastShown = tenth;
            console.MarkupLineInterpolated($"   [grey]sent {sent} of {total} ({tenth * 10} %)[/]");
        }
    }
}

/// <summary>Reports nothing (for --json, where only the result is printed).</summary>
internal sealed class SilentReporter : IQuickstartReporter
{
    public void Step(string description)
    {
    }

    public void Detail(string text)
    {
    }

    public void Traffic(long sent, long total)
    {
    }
}
