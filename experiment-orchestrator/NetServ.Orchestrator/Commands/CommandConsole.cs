using Spectre.Console;

namespace NetServ.Orchestrator.Commands;

/// <summary>
/// The console of the lab's command-line programs (netserv-lab, and netserv-eval, which links this
/// file): on a terminal as wide as the terminal, in colour; elsewhere (a file, a pipe, a test)
/// plain text that never wraps a line.
/// </summary>
internal static class CommandConsole
{
    /// <summary>The width off a terminal: more than any line the programs write, and what a rule spans there.</summary>
    public const int UnwrappedWidth = 1024;

    public static IAnsiConsole Create(TextWriter output)
    {
        var terminal = !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No });
        if (!terminal)
        {
            // Logs and CI capture the output: a long line stays one line (wrapped, it broke words and searches).
            // Not int.MaxValue: a Rule fills the width, and one that wide does not fit in memory.
            console.Profile.Width = UnwrappedWidth;
        }

        return console;
    }
}
