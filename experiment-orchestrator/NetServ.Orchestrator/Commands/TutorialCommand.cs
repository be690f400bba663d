using System.CommandLine;
using System.Diagnostics;
using NetServ.Orchestrator.Tutorial;
using NetServ.Testbed.Nodes;

namespace NetServ.Orchestrator.Commands;

/// <summary>
/// <c>netserv-lab tutorial [--check] [LAB]</c>: lists the labs of <c>tutorial/</c> with their command blocks, or,
/// with <c>--check</c>, runs every lab's marked blocks (or LAB's) in order on this machine and fails naming the lab,
/// the block's line, the command and the output (a diff for a stable output that changed). Exit 0 when every block
/// passed, 1 when one did not, 2 for an unknown lab or a lab whose markdown cannot be read as a doc test.
/// </summary>
internal static class TutorialCommand
{
    /// <summary>The file of a lab folder that holds its steps.</summary>
    public const string LabFile = "README.md";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var lab = new Argument<string?>("lab") { Description = "one lab: its folder's name, or its start (lab1)", Arity = ArgumentArity.ZeroOrOne };
        var check = new Option<bool>("--check") { Description = "run the labs' marked command blocks and compare their stable output" };
        var directory = new Option<string>("--dir") { Description = "the tutorial folder (default: the checkout's tutorial/)", DefaultValueFactory = _ => Path.Combine(BuildOutputs.RepositoryRoot, "tutorial") };
        var command = new Command("tutorial", "List the tutorial's labs, or check them (--check): run their marked command blocks as the labs show them") { lab, check, directory };
        command.SetAction((result, cancellationToken) =>
            RunAsync(result.GetValue(directory)!, result.GetValue(lab), result.GetValue(check), output, error, cancellationToken));
        return command;
    }

    /// <summary>The lab folders under <paramref name="tutorial"/> (those named lab… with a README.md), in name order.</summary>
    public static IReadOnlyList<string> FindLabs(string tutorial, string? only)
    {
        var labs = Directory.EnumerateDirectories(tutorial, "lab*")
            .Where(d => File.Exists(Path.Combine(d, LabFile)))
            .Order(StringComparer.Ordinal)
            .ToList();
        return only is null ? labs : labs.Where(d => IsNamed(Path.GetFileName(d), only)).ToList();
    }

    /// <summary>Whether a lab folder is the one <paramref name="name"/> names: its whole name, or the part before the first '-'.</summary>
    public static bool IsNamed(string folder, string name) =>
        folder == name || folder.Split('-')[0] == name;

    /// <summary>What a failed block says: where, what, and why, with the output or its diff.</summary>
    public static string DescribeFailure(string lab, BlockResult result)
    {
        var where = $"{lab}/{LabFile}:{result.Block.Line}";
        var command = result.Block.Command.Trim().Replace("\n", "\n    ", StringComparison.Ordinal);
        var why = result.Outcome switch
        {
            BlockOutcome.Failed => $"exited with {result.ExitCode}; its output:\n{Indent(result.Output)}",
            BlockOutcome.TimedOut => $"ran past {result.Block.Timeout.TotalSeconds:F0} s and was killed; its output:\n{Indent(result.Output)}",
            BlockOutcome.OutputChanged => $"printed other than its stable output (- shown in the lab, + printed now):\n{result.Block.Expected!.Diff(result.Output)}",
            _ => "passed",
        };
        return $"{where}: the block\n    {command}\n{why}";
    }

    private static async Task<int> RunAsync(string tutorial, string? only, bool check, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(tutorial))
        {
            await error.WriteLineAsync($"no tutorial folder {tutorial}").ConfigureAwait(false);
            return 2;
        }

        var labs = FindLabs(tutorial, only);
        if (labs.Count == 0)
        {
            await error.WriteLineAsync(only is null ? $"no lab in {tutorial}" : $"no lab '{only}' in {tutorial} (labs: {string.Join(", ", FindLabs(tutorial, null).Select(Path.GetFileName))})").ConfigureAwait(false);
            return 2;
        }

        var documents = new List<(string Directory, LabDocument Document)>();
        foreach (var directory in labs)
        {
            try
            {
                documents.Add((directory, LabDocumentParser.Parse(await File.ReadAllTextAsync(Path.Combine(directory, LabFile), cancellationToken).ConfigureAwait(false))));
            }
            catch (LabDocumentException e)
            {
                await error.WriteLineAsync($"{Path.GetFileName(directory)}/{LabFile}:{e.Line}: {e.Message}").ConfigureAwait(false);
                return 2;
            }
        }

        if (!check)
        {
            foreach (var (directory, document) in documents)
            {
                await output.WriteLineAsync($"{Path.GetFileName(directory)}: {document.Blocks.Count} command blocks, {document.Blocks.Count(b => b.Expected is not null)} with stable output").ConfigureAwait(false);
            }

            return 0;
        }

        var runner = new LabCheck(Path.GetDirectoryName(Path.GetFullPath(tutorial))!);
        var failed = 0;
        foreach (var (directory, document) in documents)
        {
            var lab = Path.GetFileName(directory);
            await output.WriteLineAsync($"{lab}: {document.Blocks.Count} command blocks").ConfigureAwait(false);
            var stopwatch = Stopwatch.StartNew();
            var results = await runner.RunAsync(directory, document, r => output.WriteLine(
                $"  {(r.Outcome == BlockOutcome.Passed ? "ok  " : "FAIL")} line {r.Block.Line,-4} {FirstLine(r.Block.Command)} ({r.Elapsed.TotalSeconds:F1} s)"), cancellationToken).ConfigureAwait(false);
            if (results.FirstOrDefault(r => r.Outcome != BlockOutcome.Passed) is { } failure)
            {
                failed++;
                await error.WriteLineAsync(DescribeFailure(lab, failure)).ConfigureAwait(false);
                await output.WriteLineAsync($"{lab}: failed after {stopwatch.Elapsed.TotalSeconds:F0} s").ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"{lab}: {results.Count} blocks passed in {stopwatch.Elapsed.TotalSeconds:F0} s").ConfigureAwait(false);
            }
        }

        await output.WriteLineAsync($"tutorial check: {documents.Count - failed} labs passed, {failed} failed").ConfigureAwait(false);
        return failed == 0 ? 0 : 1;
    }

    private static string FirstLine(string command)
    {
        var lines = command.Trim().Split('\n');
        return lines.Length == 1 ? lines[0] : $"{lines[0]} …";
    }

    private static string Indent(string text) =>
        string.Join('\n', ExpectedOutput.Normalise(text).Select(l => "    " + l));
}
