using System.Text.Json.Nodes;
using NetServ.Testbed.Nodes;

namespace NetServ.Orchestrator.Tests.Grading;

/// <summary>
/// <c>netserv-grade</c> on the real local testbed (root): the reference solutions get full marks, the starters low
/// marks, and broken submissions a score with a message that says what is wrong; nothing of a grading is left.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class GraderTests
{
    private string _work = null!;

    [OneTimeSetUp]
    public void RequireRoot() => RequiresRoot.Check();

    [SetUp]
    public void CreateFolder() => _work = Directory.CreateTempSubdirectory("netserv-grade-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_work, recursive: true);

    [TestCase("firewall", "Solutions.Firewall")]
    [TestCase("icmp-responder", "Solutions.IcmpResponder")]
    [TestCase("rate-limiter", "Solutions.RateLimiter")]
    public async Task Grade_ReferenceSolution_FullMarks(string exercise, string solution)
    {
        var report = await GradeAsync(exercise, BuildOutputs.EnsurePackage(solution, $"tutorial/solutions/{exercise}"));

        Assert.Multiple(() =>
        {
            Assert.That(report["score"]!.GetValue<int>(), Is.EqualTo(report["total"]!.GetValue<int>()), report.ToJsonString());
            Assert.That(report["problems"]!.AsArray(), Is.Empty, report.ToJsonString());
        });
    }

    [TestCase("firewall", "Exercises.Firewall")]
    [TestCase("icmp-responder", "Exercises.IcmpResponder")]
    [TestCase("rate-limiter", "Exercises.RateLimiter")]
    public async Task Grade_Starter_LowMarksWithTheHintsOfTheFailedScenarios(string exercise, string starter)
    {
        var report = await GradeAsync(exercise, BuildOutputs.EnsurePackage(starter, $"tutorial/exercises/{exercise}/starter"));

        var failed = report["scenarios"]!.AsArray().Where(s => !s!["passed"]!.GetValue<bool>()).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(report["score"]!.GetValue<int>(), Is.LessThan(report["total"]!.GetValue<int>() / 2), report.ToJsonString());
            Assert.That(failed, Is.Not.Empty);
            Assert.That(failed.Select(s => s!["feedback"]!.GetValue<string>()), Is.All.Not.Empty, "a failed scenario says what to do");
            Assert.That(failed.Select(s => s!["measured"]!.AsArray().Count), Is.All.Positive, "and what was measured");
        });
    }

    [Test]
    public async Task Grade_NotAPackage_ZeroSayingItDoesNotLoadWithoutATestbed()
    {
        var junk = Path.Combine(_work, "homework.nupkg");
        await File.WriteAllTextAsync(junk, "not a zip");

        var report = await GradeAsync("firewall", junk);

        Assert.Multiple(() =>
        {
            Assert.That(report["score"]!.GetValue<int>(), Is.Zero);
            Assert.That(report["problems"]!.AsArray().Single()!.GetValue<string>(), Does.StartWith("your package does not load as a NetServ module"));
            Assert.That(report["seconds"]!.GetValue<double>(), Is.LessThan(5), "no testbed was built");
        });
    }

    [Test]
    public async Task Grade_PackageTheNodeRefuses_ZeroSayingTheNodeDidNotInstallIt()
    {
        var report = await GradeAsync("firewall", BuildOutputs.EnsurePackage("NetServ.TestModules.NotAModule", "tests/TestModules/NotAModule"));

        Assert.Multiple(() =>
        {
            Assert.That(report["score"]!.GetValue<int>(), Is.Zero);
            Assert.That(string.Join('\n', report["problems"]!.AsArray().Select(p => p!.GetValue<string>())), Does.Contain("your package does not load").Or.Contain("the node did not install your module"));
        });
    }

    [Test]
    public async Task Grade_ModuleThatThrowsOnEveryPacket_ScoresWhatPassedAndSaysItThrew()
    {
        var report = await GradeAsync("firewall", BuildOutputs.EnsurePackage("NetServ.TestModules.Throw", "tests/TestModules/Throw"));

        var problems = string.Join('\n', report["problems"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Multiple(() =>
        {
            // Packets a module throws on pass unchanged (fail-open): the blocked ports are not blocked, the open one is open.
            Assert.That(report["score"]!.GetValue<int>(), Is.EqualTo(4), report.ToJsonString());
            Assert.That(problems, Does.Contain("threw on").And.Contain("this module always fails"));
        });
    }

    [Test]
    public async Task Grade_UnknownExercise_ExitTwoNamingTheExercises()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await LabCommands.RunAsync(["grade", "nat", Path.Combine(_work, "x.nupkg")], output, error);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(error.ToString(), Does.Contain("no exercise 'nat'").And.Contain("firewall, icmp-responder, rate-limiter"));
        });
    }

    /// <summary>Grades through the command line as a learning-management system does (--json).</summary>
    private async Task<JsonObject> GradeAsync(string exercise, string package)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await LabCommands.RunAsync(["grade", exercise, package, "--json", "--results", Path.Combine(_work, "results")], output, error);

        Assert.That(exit, Is.Zero, $"{output}{error}");
        return JsonNode.Parse(output.ToString())!.AsObject();
    }
}
