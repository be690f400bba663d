using NetServ.Evaluation.Hosting;

namespace NetServ.Evaluation.Tests.Hosting;

[TestFixture]
public sealed class RunRecordTests
{
    [Test]
    public void TryParseFolderTime_AFolderCreateFolderMade_GivesBackItsStartToTheSecond()
    {
        var output = Directory.CreateTempSubdirectory("netserv-runrecord-");
        try
        {
            var started = new DateTimeOffset(new DateTime(2026, 11, 3, 14, 5, 9, 700, DateTimeKind.Local));
            var folder = RunRecord.CreateFolder(output.FullName, started, "evaluation-runs");

            Assert.That(RunRecord.TryParseFolderTime(folder + Path.DirectorySeparatorChar, out var parsed), Is.True);
            Assert.That(parsed, Is.EqualTo(started.AddMilliseconds(-700)));
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [TestCase("/results/evaluation-runs")]
    [TestCase("/results/2026113-140509-evaluation")]
    [TestCase("/results/short")]
    public void TryParseFolderTime_ANameThatDoesNotStartWithATime_IsFalse(string folder) =>
        Assert.That(RunRecord.TryParseFolderTime(folder, out _), Is.False);
}
