using NetServ.Orchestrator.Tutorial;

namespace NetServ.Orchestrator.Tests.Tutorial;

[TestFixture]
public sealed class LabDocumentParserTests
{
    [Test]
    public void Parse_RunBlockThenStableBlock_GivesTheCommandItsExpectedOutputAndLine()
    {
        var document = LabDocumentParser.Parse("""
            # Lab

            ```sh run
            echo hello
            ```

            ```text stable
            hello
            ```
            """);

        Assert.That(document.Blocks, Has.Count.EqualTo(1));
        var block = document.Blocks[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(block.Line, Is.EqualTo(3));
            Assert.That(block.Command, Is.EqualTo("echo hello"));
            Assert.That(block.Expected!.Lines, Is.EqualTo(new[] { "hello" }));
            Assert.That(block.Timeout, Is.EqualTo(LabDocumentParser.DefaultTimeout));
        }
    }

    [Test]
    public void Parse_PlainTextAfterARunBlock_IsNotCompared()
    {
        var document = LabDocumentParser.Parse("```sh run\nnetserv-lab run x\n```\n```text\nsomething the reader sees\n```\n");

        Assert.That(document.Blocks.Single().Expected, Is.Null);
    }

    [Test]
    public void Parse_UnmarkedBlocks_AreTextForTheReader()
    {
        var document = LabDocumentParser.Parse("```sh\nrm -rf /\n```\n```\nnetserv-lab run --hold\n```\n~~~sh run\necho ok\n~~~\n");

        Assert.That(document.Blocks.Select(b => b.Command), Is.EqualTo(new[] { "echo ok" }));
    }

    [Test]
    public void Parse_TimeoutOption_SetsTheBlocksTimeout() =>
        Assert.That(LabDocumentParser.Parse("```sh run timeout=900\nsleep 1\n```").Blocks[0].Timeout, Is.EqualTo(TimeSpan.FromSeconds(900)));

    [Test]
    public void Parse_UnknownOption_ThrowsWithTheLine()
    {
        var e = Assert.Throws<LabDocumentException>(() => LabDocumentParser.Parse("text\n\n```sh run quickly\necho\n```"));

        Assert.That(e!.Line, Is.EqualTo(3));
        Assert.That(e.Message, Does.Contain("quickly"));
    }

    [Test]
    public void Parse_StableBlockAfterProse_ThrowsBecauseItFollowsNoCommand()
    {
        var e = Assert.Throws<LabDocumentException>(() => LabDocumentParser.Parse("```sh run\necho a\n```\nThe output:\n```text stable\na\n```"));

        Assert.That(e!.Line, Is.EqualTo(5));
    }

    [Test]
    public void Parse_UnclosedFence_ThrowsWithItsLine() =>
        Assert.That(Assert.Throws<LabDocumentException>(() => LabDocumentParser.Parse("a\n```sh run\necho\n"))!.Line, Is.EqualTo(2));

    [Test]
    public void Parse_RunBlockOfAnotherLanguage_IsRefused() =>
        Assert.Throws<LabDocumentException>(() => LabDocumentParser.Parse("```python run\nprint(1)\n```"));

    [Test]
    public void Parse_LongerFenceHoldingAShorterOne_IsOneBlock()
    {
        var document = LabDocumentParser.Parse("````sh run\ncat <<'X'\n```\nX\n````\n");

        Assert.That(document.Blocks.Single().Command, Is.EqualTo("cat <<'X'\n```\nX"));
    }
}
