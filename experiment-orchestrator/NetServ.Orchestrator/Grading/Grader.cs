using System.Diagnostics;
using Microsoft.Extensions.Logging;
using NetServ.Orchestrator.Experiments;
using NetServ.RSpec;
using NetServ.Sdk.Packaging;
using NetServ.Testbed.Nodes;

namespace NetServ.Orchestrator.Grading;

/// <summary>What a grading run uses besides the exercise and the submission.</summary>
internal sealed record GradeOptions
{
    /// <summary>The sender — router — receiver rspec the submission runs on (the router is the NetServ node).</summary>
    public string RSpec { get; init; } = Path.Combine(BuildOutputs.RepositoryRoot, "rspecs", "evaluation.rspec.xml");

    /// <summary>How long the whole grading may take; the testbed is released when it runs out.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Where the run's logs and summary go; null for artifacts/grades/&lt;time&gt;-&lt;testbed id&gt;.</summary>
    public string? ResultsDirectory { get; init; }

    /// <summary>The sending and receiving nodes of <see cref="RSpec"/>.</summary>
    public string Sender { get; init; } = "sender";

    public string Receiver { get; init; } = "receiver";
}

/// <summary>
/// Grades a student's module package on an exercise: inspects the package, realises the local testbed, installs the
/// package through signaling as the exercise says (a SETUP from the sender toward the receiver), runs the exercise's
/// scenarios and releases the testbed. A package that is no module, that the node refuses, that throws, hangs or
/// exhausts its memory gets its score and feedback saying so; it never takes the grader down.
/// </summary>
internal static class Grader
{
    /// <summary>The exercises the repository ships: tutorial/exercises.</summary>
    public static string ExercisesDirectory => Path.Combine(BuildOutputs.RepositoryRoot, "tutorial", "exercises");

    /// <summary>The exercise <paramref name="nameOrFolder"/>: a folder, or the name of one of <paramref name="exercises"/>.</summary>
    /// <exception cref="ExerciseException">There is no such exercise; the message lists the known ones.</exception>
    public static Exercise FindExercise(string nameOrFolder, string exercises)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrFolder);
        if (Directory.Exists(nameOrFolder) && File.Exists(Path.Combine(nameOrFolder, ExerciseReader.FileName)))
        {
            return ExerciseReader.Read(nameOrFolder);
        }

        var folder = Path.Combine(exercises, nameOrFolder);
        if (File.Exists(Path.Combine(folder, ExerciseReader.FileName)))
        {
            return ExerciseReader.Read(folder);
        }

        IEnumerable<string?> known = Directory.Exists(exercises)
            ? Directory.EnumerateDirectories(exercises).Where(d => File.Exists(Path.Combine(d, ExerciseReader.FileName))).Select(Path.GetFileName).Order(StringComparer.Ordinal)
            : [];
        throw new ExerciseException($"no exercise '{nameOrFolder}' in {exercises} (the exercises: {string.Join(", ", known)})");
    }

    public static async Task<GradeReport> GradeAsync(Exercise exercise, string submission, GradeOptions options, IExperimentProgress progress, ILogger<ExperimentRunner> logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exercise);
        ArgumentNullException.ThrowIfNull(options);
        var watch = Stopwatch.StartNew();
        try
        {
            var info = ModulePackage.Inspect(submission);
            progress.Detail($"{Path.GetFileName(submission)}: {info.ModuleName}, entry type {info.EntryType}");
        }
        catch (Exception e) when (e is ModulePackageException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return NotRun(exercise, submission, $"your package does not load as a NetServ module: {e.Message}", watch.Elapsed);
        }

        var request = RSpecFile.Read(options.RSpec);
        var user = new ExperimentOptions().User;
        var workload = new ScenarioWorkload(exercise, user, options.Sender, options.Receiver);
        var experiment = new ExperimentOptions
        {
            User = user,
            AllowedPorts = [],
            Modules = [new ModuleStep(Path.GetFullPath(submission), options.Sender, options.Receiver) { Filter = exercise.Module.Filter, Properties = exercise.Module.Properties }],
            Workload = workload,
            ResultsDirectory = options.ResultsDirectory ?? Path.Combine(BuildOutputs.RepositoryRoot, "artifacts", "grades", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{exercise.Name}-{Guid.NewGuid().ToString("N")[..8]}"),
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        await using var runner = new ExperimentRunner(experiment, progress, TimeProvider.System, logger);
        var result = await runner.RunAsync(request, options.RSpec, timeout.Token).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var problems = new List<string>(workload.Problems);
        if (result.Phases.FirstOrDefault(p => p.Phase == ExperimentPhase.Release && p.Outcome != PhaseOutcome.Ok) is { } release)
        {
            problems.Add($"the grader's testbed was not released cleanly: {release.Error}");
        }

        var failed = result.Phases.FirstOrDefault(p => p.Outcome is PhaseOutcome.Failed or PhaseOutcome.Stopped && p.Phase != ExperimentPhase.Release);
        if (failed is not null)
        {
            var why = failed.Outcome == PhaseOutcome.Stopped ? $"the grading ran out of its {options.Timeout.TotalSeconds:0} s (does your module hang?)" : failed.Error;
            problems.Insert(0, failed.Phase == ExperimentPhase.Configure
                ? $"the node did not install your module: {why}"
                : $"the grading's {ExperimentResult.NameOf(failed.Phase)} phase failed: {why}");
        }

        var scenarios = exercise.Scenarios.Select((s, i) => i < workload.Results.Count
            ? workload.Results[i]
            : new ScenarioResult(s.Name, s.Points, 0, [], "not run: " + (problems.FirstOrDefault() ?? "the grading stopped before it"))).ToArray();
        return new GradeReport(exercise.Name, submission, scenarios, problems, watch.Elapsed);
    }

    private static GradeReport NotRun(Exercise exercise, string submission, string problem, TimeSpan elapsed) =>
        new(exercise.Name, submission, [.. exercise.Scenarios.Select(s => new ScenarioResult(s.Name, s.Points, 0, [], "not run: " + problem))], [problem], elapsed);
}
