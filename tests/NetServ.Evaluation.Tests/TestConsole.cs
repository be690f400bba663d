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
}
