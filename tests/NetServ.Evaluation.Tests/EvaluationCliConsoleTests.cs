using NetServ.Orchestrator.Commands;
using Spectre.Console;

namespace NetServ.Evaluation.Tests;

[TestFixture]
public sealed class EvaluationCliConsoleTests
{
    [Test]
    public void CreateConsole_NotATerminal_NeverWrapsALongLine()
    {
        using var output = new StringWriter();
        var line = string.Join(' ', Enumerable.Range(0, 80).Select(i => $"word{i}"));

        CommandConsole.Create(output).MarkupLine(Markup.Escape(line));

        Assert.That(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()), Is.EqualTo(new[] { line }));
    }

    [Test]
    public void CreateConsole_NotATerminal_DrawsARuleAsOneLine()
    {
        using var output = new StringWriter();

        CommandConsole.Create(output).Write(new Rule("generator").LeftJustified());

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1).And.All.Contains("generator"), "every benchmark starts with a rule: redirected, it once ran out of memory");
    }

    [Test]
    public void Heading_NotATerminal_IsOneLineOfReadableWidthWithItsTitle()
    {
        using var output = new StringWriter();

        CommandConsole.Create(output).Heading("[bold]1/3: node-runtime[/]");

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.That(lines, Has.Length.EqualTo(1));
        Assert.That(lines[0], Does.StartWith("── 1/3: node-runtime ─").And.Length.EqualTo(CommandConsole.HeadingWidth));
    }

    [Test]
    public void CreateConsole_NotATerminal_WritesNoAnsiEscapes()
    {
        using var output = new StringWriter();

        CommandConsole.Create(output).MarkupLine("[red]failed[/]");

        Assert.That(output.ToString(), Does.Not.Contain("\u001b"));
    }
}
