using Spectre.Console;

namespace NetServ.Orchestrator.Commands;

/// <summary>
/// The console of the lab's command-line programs (netserv-lab, and netserv-eval, which links this
/// file): on a terminal as wide as the terminal, in colour; elsewhere (a file, a pipe, a test)
/// plain text that never wraps a line.
/// </summary>
internal static class CommandConsole
{
    /// <summary>The width of the console off a terminal: longer than any line the programs write.</summary>
    public const int NotATerminalWidth = 1024;

    public static IAnsiConsole Create(TextWriter output)
    {
        var terminal = !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No });
        if (!terminal)
        {
            // Logs and CI capture the output: a long line stays one line (wrapped, it broke words and searches).
            // Wide, but finite: a Rule fills the whole width, and at int.MaxValue it fails to allocate the line.
            console.Profile.Width = NotATerminalWidth;
        }

        return console;
    }
}
