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
        RequiresRoot.CheckBenchmarks();
        using var noClick = ClickExecutable.Absent();

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
        RequiresRoot.CheckBenchmarks();
        RequiresClick.Check();

        var (exitCode, output) = await RunAsync("generator", "--generator", "auto", "--rates", "50", "--seconds", "0.5");
        var rows = output.Split('\n').Where(l => l.Contains("│ 50 ", StringComparison.Ordinal) || l.Contains("| 50 ", StringComparison.Ordinal)).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(rows, Has.Length.EqualTo(2), output);
            Assert.That(rows, Has.Some.Contains("paced").And.Some.Contains("click"));
        });
    }

    private static Task<(int ExitCode, string Output)> RunAsync(params string[] arguments) => TestConsole.RunAsync(arguments);
}
