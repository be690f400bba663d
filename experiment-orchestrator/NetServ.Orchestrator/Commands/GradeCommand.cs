using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Orchestrator.Experiments;
using NetServ.Orchestrator.Grading;
using NetServ.Testbed.Linux;

namespace NetServ.Orchestrator.Commands;

/// <summary>
/// <c>netserv-grade EXERCISE SUBMISSION.nupkg</c> (<c>netserv-lab grade</c>): grades a student's module package on
/// one of tutorial/exercises on the local testbed and prints the score with feedback per scenario, or with
/// <c>--json</c> the report alone for a learning-management system. Exit 0 once graded (whatever the score),
/// 2 for an unknown exercise or bad arguments, 130 when stopped.
/// </summary>
internal static class GradeCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var exercise = new Argument<string>("exercise") { Description = "an exercise of tutorial/exercises (firewall, icmp-responder, rate-limiter) or a folder holding an exercise.json" };
        var submission = new Argument<string>("submission") { Description = "the student's module package (.nupkg, made with netserv module pack or dotnet pack)" };
        var exercises = new Option<string>("--exercises") { Description = "where the exercises are", DefaultValueFactory = _ => Grader.ExercisesDirectory };
        var timeout = new Option<double>("--timeout") { Description = "seconds the whole grading may take", DefaultValueFactory = _ => 180 };
        var results = new Option<string?>("--results") { Description = "folder for the run's logs and summary (default artifacts/grades/<time>-<exercise>)" };
        var json = new Option<bool>("--json") { Description = "print only the report as JSON (for a learning-management system)" };
        var command = new Command("grade", "Grade a module package on an exercise: install it through signaling on the local testbed, run the exercise's scenarios, print the score")
        {
            exercise, submission, exercises, timeout, results, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            Exercise found;
            try
            {
                found = Grader.FindExercise(result.GetValue(exercise)!, result.GetValue(exercises)!);
            }
            catch (ExerciseException e)
            {
                await error.WriteLineAsync($"netserv-grade: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            var seconds = result.GetValue(timeout);
            if (seconds is <= 0 or > 3600)
            {
                await error.WriteLineAsync("netserv-grade: --timeout is 1 to 3600 seconds").ConfigureAwait(false);
                return 2;
            }

            var console = CommandConsole.Create(output);
            var asJson = result.GetValue(json);
            var progress = asJson ? null : new ConsoleProgress(console);
            using var stop = new StopSignals("netserv-grade", "stopping; releasing the testbed", cancellationToken);
            var options = new GradeOptions { Timeout = TimeSpan.FromSeconds(seconds), ResultsDirectory = result.GetValue(results) };
            var path = result.GetValue(submission)!;
            var grading = () => Grader.GradeAsync(found, path, options, (IExperimentProgress?)progress ?? new SilentProgress(), NullLogger<ExperimentRunner>.Instance, stop.Token);
            GradeReport report;
            try
            {
                report = progress is null ? await grading().ConfigureAwait(false) : await progress.LiveAsync(grading).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
            {
                await error.WriteLineAsync("netserv-grade: stopped; the testbed was released").ConfigureAwait(false);
                return 130;
            }

            if (asJson)
            {
                await output.WriteLineAsync(report.ToJson()).ConfigureAwait(false);
            }
            else
            {
                report.Write(console);
            }

            return 0;
        });
        return command;
    }
}
