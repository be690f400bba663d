using Spectre.Console;

namespace NetServ.Evaluation.Tests;

/// <summary>A plain console writing a benchmark's progress to the test log as it comes.</summary>
internal static class TestConsole
{
    public static IAnsiConsole Create() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Out = new AnsiConsoleOutput(TestContext.Progress),
    });

    /// <summary>Runs netserv-eval with <paramref name="arguments"/> on a wide plain console; its exit code and what it printed (also written to the test log).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string[] arguments, CancellationToken cancellationToken = default)
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer) });
        console.Profile.Width = 240;
        var exitCode = await EvaluationCli.RunAsync(arguments, console, cancellationToken);
        var output = writer.ToString();
        await TestContext.Out.WriteLineAsync(output);
        return (exitCode, output);
    }
}
