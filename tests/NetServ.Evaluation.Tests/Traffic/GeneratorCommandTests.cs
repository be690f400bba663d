using NetServ.Testbed.Linux;
using NetServ.Testbed.Traffic;
using Spectre.Console;

namespace NetServ.Evaluation.Tests.Traffic;

/// <summary><c>netserv-eval generator --generator paced|click|auto</c> through plain forwarding on real namespaces.</summary>
[TestFixture]
[NonParallelizable]
public sealed class GeneratorCommandTests
{
    [Test]
    public async Task Generator_NeitherPacedClickNorAuto_IsRefused()
    {
        var (exitCode, _) = await RunAsync("generator", "--generator", "trafgen");

        Assert.That(exitCode, Is.Not.Zero);
    }

    [Test]
    public async Task Generator_ClickWhereTheSenderHasNone_ExitsWithTwoNamingTheNode()
    {
        RequiresRoot.Check();
        if (LocalClick() is { IsInstalled: true } click)
        {
            Assert.Ignore($"this machine has the Click modular router ({click.Executable} {click.Version}), so the bench's sender has it too");
        }

        var (exitCode, output) = await RunAsync("generator", "--generator", "click", "--rates", "10", "--seconds", "0.2");

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2), output);
            Assert.That(output, Does.Contain("--generator click:").And.Contain("Click modular router not installed on node ns-"));
        });
    }

    [Test]
    public async Task Generator_AutoWhereTheSenderHasClick_PutsBothGeneratorsSideBySide()
    {
        RequiresRoot.Check();
        if (LocalClick() is { IsInstalled: false } click)
        {
            Assert.Ignore($"{click.NotInstalledMessage}: build userlevel Click from github.com/kohler/click and put it on PATH");
        }

        var (exitCode, output) = await RunAsync("generator", "--generator", "auto", "--rates", "50", "--seconds", "0.5");
        var rows = output.Split('\n').Where(l => l.Contains("│ 50 ", StringComparison.Ordinal) || l.Contains("| 50 ", StringComparison.Ordinal)).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(rows, Has.Length.EqualTo(2), output);
            Assert.That(rows, Has.Some.Contains("paced").And.Some.Contains("click"));
        });
    }

    private static ClickInstallation LocalClick() => ClickInstallation.Detect(new LocalShell());

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer) });
        console.Profile.Width = 240;
        var exitCode = await EvaluationCli.RunAsync(arguments, console);
        var output = writer.ToString();
        await TestContext.Out.WriteLineAsync(output);
        return (exitCode, output);
    }
}
