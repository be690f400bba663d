using NetServ.Orchestrator.Grading;

namespace NetServ.Orchestrator.Tests.Grading;

[TestFixture]
public sealed class ExerciseReaderTests
{
    private const string Minimal = """{ "title": "t", "module": { "filter": "udp" }, "scenarios": [ { "name": "s", "flows": [ { "port": 7001, "packets": 10, "rate": 100, "expect": { "max": 0 } } ] } ] }""";

    [TestCase("firewall", 3, 10)]
    [TestCase("icmp-responder", 3, 10)]
    [TestCase("rate-limiter", 3, 10)]
    public void Read_ShippedExercise_HasItsScenariosAndTenPoints(string name, int scenarios, int total)
    {
        var exercise = Grader.FindExercise(name, Grader.ExercisesDirectory);

        Assert.Multiple(() =>
        {
            Assert.That(exercise.Name, Is.EqualTo(name));
            Assert.That(exercise.Scenarios, Has.Count.EqualTo(scenarios));
            Assert.That(exercise.Total, Is.EqualTo(total));
            Assert.That(exercise.Scenarios.Select(s => s.Hint), Is.All.Not.Empty, "a failing student reads a hint");
        });
    }

    [Test]
    public void Parse_Minimal_ReadsFlowAndDefaults()
    {
        var exercise = ExerciseReader.Parse(Minimal, "x", "/x");

        var flow = exercise.Scenarios.Single().Flows.Single();
        Assert.Multiple(() =>
        {
            Assert.That(exercise.Module, Is.EqualTo(new ExerciseModule("udp", null)));
            Assert.That(exercise.Scenarios.Single().Points, Is.EqualTo(1));
            Assert.That(flow.Expect, Is.EqualTo(new CountRange(0, 0)));
            Assert.That(flow.Source, Is.Null);
        });
    }

    [TestCase("""{ "title": "t", "module": { "filter": "udp" }, "scenarios": [] }""", "no scenarios")]
    [TestCase("""{ "title": "t", "module": { "filter": "icmp" }, "scenarios": [] }""", "module.filter")]
    [TestCase("""{ "module": { "filter": "udp" }, "scenarios": [] }""", "'title' is missing")]
    [TestCase("""{ "title": "t", "module": { "filter": "udp" }, "scenarios": [ { "name": "s" } ] }""", "flows or a ping")]
    [TestCase("""{ "title": "t", "module": { "filter": "udp" }, "scenarios": [ { "name": "s", "flows": [ { "port": 1, "packets": 1, "rate": 1, "expect": {} }, { "port": 1, "packets": 1, "rate": 1, "expect": {} } ] } ] }""", "port of its own")]
    [TestCase("""{ "title": "t", "module": { "filter": "udp" }, "scenarios": [ { "name": "s", "flows": [ { "port": 1, "packets": 1000000, "rate": 1, "expect": {} } ] } ] }""", "bounded")]
    [TestCase("""{ "title": "t", "module": { "filter": "udp" }, "scenarios": [ { "name": "s", "flows": [ { "port": 1, "packets": 1, "rate": 1, "expect": { "min": 5, "max": 1 } } ] } ] }""", "above expect.max")]
    [TestCase("""{ "title": "t", """, "is not an exercise")]
    public void Parse_Malformed_ThrowsNamingTheProblem(string json, string problem)
    {
        var e = Assert.Throws<ExerciseException>(() => ExerciseReader.Parse(json, "broken", "/broken"));

        Assert.That(e!.Message, Does.Contain(problem).And.StartWith("broken"));
    }

    [Test]
    public void FindExercise_UnknownName_ListsTheKnownExercises()
    {
        var e = Assert.Throws<ExerciseException>(() => Grader.FindExercise("nat", Grader.ExercisesDirectory));

        Assert.That(e!.Message, Does.Contain("firewall, icmp-responder, rate-limiter"));
    }

    [TestCase(0, 0, 0, true)]
    [TestCase(0, 0, 1, false)]
    [TestCase(30, 150, 29, false)]
    [TestCase(30, 150, 150, true)]
    public void CountRange_Contains_IncludesBothBounds(long min, long max, long count, bool inside) =>
        Assert.That(new CountRange(min, max).Contains(count), Is.EqualTo(inside));
}
