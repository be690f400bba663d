using Spectre.Console;

namespace NetServ.Orchestrator.Commands;

/// <summary>
/// The console of the lab's command-line programs (netserv-lab, and netserv-eval, which links this
/// file): on a terminal as wide as the terminal, in colour; elsewhere (a file, a pipe, a test)
/// plain text that never wraps a line.
/// </summary>
internal static class CommandConsole
{
    public static IAnsiConsole Create(TextWriter output)
    {
        var terminal = !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No });
        if (!terminal)
        {
            // Logs and CI capture the output: a long line stays one line (wrapped, it broke words and searches).
            console.Profile.Width = int.MaxValue;
        }

        return console;
    }
}
