using NetServ.Orchestrator.Tutorial;

namespace NetServ.Orchestrator.Tests.Tutorial;

[TestFixture]
public sealed class ExpectedOutputTests
{
    [Test]
    public void Matches_EllipsisInALine_StandsForTimesAndIds()
    {
        var expected = ExpectedOutput.Parse("reserve   ... ms  testbed ...\nok");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(expected.Matches("reserve   412 ms  testbed 7f3a\nok\n"), Is.True);
            Assert.That(expected.Matches("deploy   412 ms  testbed 7f3a\nok\n"), Is.False);
        }
    }

    [Test]
    public void Matches_EllipsisLine_StandsForAnyNumberOfLinesNoneIncluded()
    {
        var expected = ExpectedOutput.Parse("first\n...\nlast");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(expected.Matches("first\nlast"), Is.True);
            Assert.That(expected.Matches("first\na\nb\nlast"), Is.True);
            Assert.That(expected.Matches("first\na\nb"), Is.False);
        }
    }

    [Test]
    public void Matches_RegexCharactersInTheShownOutput_AreTakenLiterally() =>
        Assert.That(ExpectedOutput.Parse("200 OK (2 node(s))").Matches("200 OK (2 node(s))"), Is.True);

    [Test]
    public void Matches_ColourCodesTrailingBlanksAndBlankEdges_AreIgnored() =>
        Assert.That(ExpectedOutput.Parse("✓ done").Matches("\n\u001b[32m✓ done\u001b[0m   \n\n"), Is.True);

    [Test]
    public void Matches_AnExtraLine_IsAChange() =>
        Assert.That(ExpectedOutput.Parse("a\nb").Matches("a\nb\nc"), Is.False);

    [Test]
    public void Diff_ChangedLine_ShowsTheShownLineAndThePrintedOne()
    {
        var diff = ExpectedOutput.Parse("sent 2000\ncounted ...\nok").Diff("sent 2000\ncounted 1999\nlost 1\nok");

        Assert.That(diff, Is.EqualTo("  sent 2000\n  counted 1999\n+ lost 1\n  ok\n".Replace("\n", Environment.NewLine, StringComparison.Ordinal)));
    }

    [Test]
    public void Diff_LinesAnEllipsisLineStandsFor_AreNotMarked()
    {
        var diff = ExpectedOutput.Parse("...\nSuccess\nname ...").Diff("restoring\nSuccess\nTemplate Name  netserv-module");

        Assert.That(diff, Is.EqualTo("  restoring\n  Success\n- name ...\n+ Template Name  netserv-module\n".Replace("\n", Environment.NewLine, StringComparison.Ordinal)));
    }

    [Test]
    public void Diff_MissingLine_IsMarkedMinus() =>
        Assert.That(ExpectedOutput.Parse("a\nb").Diff("a"), Does.Contain("- b"));
}
