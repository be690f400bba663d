using Spectre.Console;

namespace NetServ.Orchestrator.Commands;

/// <summary>
/// The console of the lab's command-line programs (netserv-lab, and netserv-eval, which links this
/// file): on a terminal as wide as the terminal, in colour; elsewhere (a file, a pipe, a test)
/// plain text that never wraps a line.
/// </summary>
internal static class CommandConsole
{
    /// <summary>The width off a terminal: more than any line the programs write.</summary>
    public const int UnwrappedWidth = 1024;

    /// <summary>How wide a heading is drawn off a terminal, where the console is <see cref="UnwrappedWidth"/> wide.</summary>
    public const int HeadingWidth = 100;

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

    /// <summary>
    /// A section heading: a rule with <paramref name="markup"/> at its left. On a terminal it spans
    /// the terminal; elsewhere it is <see cref="HeadingWidth"/> characters, not the unwrapped width
    /// (a log full of 1024-character rules is hard to read).
    /// </summary>
    public static void Heading(this IAnsiConsole console, string markup)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (console.Profile.Width < UnwrappedWidth)
        {
            console.Write(new Rule(markup).LeftJustified());
            return;
        }

        var title = Markup.Remove(markup);
        console.MarkupLine($"── {markup} {new string('─', Math.Max(3, HeadingWidth - title.Length - 4))}");
    }
}
