using NetServ.Orchestrator.Commands;
using NetServ.Orchestrator.Tutorial;

namespace NetServ.Orchestrator.Tests.Tutorial;

/// <summary>The check runs bash for real, on blocks that need nothing but a shell.</summary>
[TestFixture]
public sealed class LabCheckTests
{
    private string _lab = null!;

    [SetUp]
    public void MakeLab()
    {
        _lab = Directory.CreateTempSubdirectory("netserv-lab-check-test-").FullName;
        Directory.CreateDirectory(Path.Combine(_lab, "rspecs"));
        File.WriteAllText(Path.Combine(_lab, "rspecs", "lab.rspec.xml"), "<rspec/>\n");
    }

    [TearDown]
    public void RemoveLab() => Directory.Delete(_lab, recursive: true);

    [Test]
    public async Task RunAsync_BlocksInACopyOfTheLab_PassAndShareTheirFolder()
    {
        var results = await RunAsync("""
            ```sh run
            cat rspecs/lab.rspec.xml; echo made > made.txt; echo "$NETSERV_HOME"
            ```
            ```text stable
            <rspec/>
            /repo
            ```
            ```sh run
            cat made.txt
            ```
            """);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Select(r => r.Outcome), Is.EqualTo(new[] { BlockOutcome.Passed, BlockOutcome.Passed }));
            Assert.That(results[1].Output.Trim(), Is.EqualTo("made"));
            Assert.That(File.Exists(Path.Combine(_lab, "made.txt")), Is.False, "the lab's own folder is left as it was");
        }
    }

    [Test]
    public async Task RunAsync_FailingCommandInABlock_StopsTheLabThere()
    {
        var results = await RunAsync("```sh run\nfalse\necho not reached\n```\n```sh run\necho next\n```");

        Assert.That(results.Single().Outcome, Is.EqualTo(BlockOutcome.Failed));
        Assert.That(results[0].ExitCode, Is.EqualTo(1));
        Assert.That(results[0].Output, Does.Not.Contain("not reached"));
    }

    [Test]
    public async Task RunAsync_ChangedStableOutput_IsReportedWithADiffAndTheLine()
    {
        var results = await RunAsync("# Lab\n```sh run\necho 1999 counted\n```\n```text stable\n2000 counted\n```");

        Assert.That(results.Single().Outcome, Is.EqualTo(BlockOutcome.OutputChanged));
        var description = TutorialCommand.DescribeFailure("lab1-first-node", results[0]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(description, Does.StartWith("lab1-first-node/README.md:2: the block\n    echo 1999 counted\n"));
            Assert.That(description, Does.Contain("- 2000 counted"));
            Assert.That(description, Does.Contain("+ 1999 counted"));
        }
    }

    [Test]
    public async Task RunAsync_BlockPastItsTimeout_IsKilledAndReported()
    {
        var results = await RunAsync("```sh run timeout=1\necho started; sleep 30\n```");

        Assert.That(results.Single().Outcome, Is.EqualTo(BlockOutcome.TimedOut));
        Assert.That(results[0].Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));
    }

    [Test]
    public async Task RunAsync_AfterTheLab_LeavesNoTemporaryFolder()
    {
        var before = Directory.GetDirectories(Path.GetTempPath(), "netserv-tutorial-*").Length;
        await RunAsync("```sh run\npwd\n```");

        Assert.That(Directory.GetDirectories(Path.GetTempPath(), "netserv-tutorial-*"), Has.Length.LessThanOrEqualTo(before));
    }

    [Test]
    public async Task RunAsync_ProcessLeftInTheBackground_IsStoppedWhenTheLabEnds()
    {
        var results = await RunAsync("```sh run\nsleep 300 > /dev/null 2>&1 &\necho $!\n```");

        var pid = int.Parse(results.Single().Output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(Directory.Exists($"/proc/{pid}"), Is.False, "the block's background sleep was stopped");
    }

    [Test]
    public void SessionOf_StatWithSpacesInTheCommand_ReadsTheSessionField() =>
        Assert.That(BlockSessions.SessionOf("4242 (my prog) S 1 4240 4241 0 -1 4194560"), Is.EqualTo(4241));

    [Test]
    public void IsNamed_NumberOrWholeName_NamesTheLab()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(TutorialCommand.IsNamed("lab1-first-node", "lab1"), Is.True);
            Assert.That(TutorialCommand.IsNamed("lab1-first-node", "lab1-first-node"), Is.True);
            Assert.That(TutorialCommand.IsNamed("lab12-more", "lab1"), Is.False);
        }
    }

    private async Task<IReadOnlyList<BlockResult>> RunAsync(string markdown)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return await new LabCheck("/repo").RunAsync(_lab, LabDocumentParser.Parse(markdown), _ => { }, timeout.Token);
    }
}
