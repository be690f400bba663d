using NetServ.Orchestrator.Commands;
using NetServ.Orchestrator.Experiments;
using Spectre.Console;

namespace NetServ.Orchestrator.Tests.Commands;

[TestFixture]
public sealed class RunCommandConsoleTests
{
    [Test]
    public void CreateConsole_NotATerminal_NeverWrapsALongLine()
    {
        using var output = new StringWriter();
        var detail = string.Join(' ', Enumerable.Range(0, 80).Select(i => $"word{i}"));

        new ConsoleProgress(RunCommand.CreateConsole(output)).Detail(detail);

        Assert.That(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()), Is.EqualTo(new[] { detail }));
    }

    [Test]
    public void CreateConsole_NotATerminal_DrawsATableAsWideAsItsCells()
    {
        using var output = new StringWriter();
        var cell = new string('x', 300);

        RunCommand.CreateConsole(output).Write(new Table().AddColumns("phase", "outcome").AddRow(cell, "ok"));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Some.Contains(cell));
        Assert.That(lines.Max(l => l.TrimEnd('\r').Length), Is.LessThan(cell.Length + 40));
    }
}
