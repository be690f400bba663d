using System.Diagnostics;
using System.Text;

namespace NetServ.Orchestrator.Tutorial;

/// <summary>How one command block of a lab went.</summary>
internal enum BlockOutcome
{
    /// <summary>It exited 0 and its stable output, if any, was as shown.</summary>
    Passed,

    /// <summary>It exited with another code.</summary>
    Failed,

    /// <summary>It exited 0 but its output was not the stable output shown.</summary>
    OutputChanged,

    /// <summary>It ran past its timeout and was killed.</summary>
    TimedOut,
}

/// <summary>A command block's run: its outcome, exit code, output (standard output and error as they came) and time.</summary>
internal sealed record BlockResult(LabBlock Block, BlockOutcome Outcome, int ExitCode, string Output, TimeSpan Elapsed);

/// <summary>
/// Runs a lab's command blocks in order, as a student would type them, in a fresh temporary copy of the lab's folder
/// (its rspecs), and stops at the first block that fails. dotnet gets a home and a NuGet package folder of the
/// run's own, with the machine's package folder as its only feed, so a check installs no template into the user's
/// cache and needs no network; everything is under one temporary folder, removed at the end. Each block runs in a
/// session of its own (setsid): what a block leaves running in the background (a held testbed, a module server) is
/// stopped with SIGTERM when the lab ends, so a held <c>netserv-lab run</c> releases its testbed, and killed when it
/// has not ended in <see cref="StopGrace"/>.
/// </summary>
internal sealed class LabCheck(string repositoryRoot)
{
    /// <summary>What the blocks may name to reach the checkout (lab 2's template package): <c>$NETSERV_HOME</c>.</summary>
    public const string HomeVariable = "NETSERV_HOME";

    /// <summary>How long what a lab left running has to end after SIGTERM (a held run releases its testbed).</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(60);

    public async Task<IReadOnlyList<BlockResult>> RunAsync(string labDirectory, LabDocument document, Action<BlockResult> report, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("netserv-tutorial-").FullName;
        try
        {
            var work = Path.Combine(root, "work");
            CopyDirectory(labDirectory, work);
            WriteNuGetConfig(root);
            var results = new List<BlockResult>();
            var sessions = new List<int>();
            try
            {
                foreach (var block in document.Blocks)
                {
                    var result = await RunBlockAsync(block, work, root, sessions, cancellationToken).ConfigureAwait(false);
                    results.Add(result);
                    report(result);
                    if (result.Outcome != BlockOutcome.Passed)
                    {
                        break;
                    }
                }
            }
            finally
            {
                await BlockSessions.StopAsync(sessions, StopGrace).ConfigureAwait(false);
            }

            return results;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private async Task<BlockResult> RunBlockAsync(LabBlock block, string work, string root, List<int> sessions, CancellationToken cancellationToken)
    {
        // setsid execs bash as the leader of a new session (a child of this process leads no group): its pid is the session's id.
        var info = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "bash", "-e", "-o", "pipefail", "-c", block.Command })
        {
            info.ArgumentList.Add(argument);
        }

        // What a test host's dotnet set for its own MSBuild must not steer the student's.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            info.Environment.Remove(name);
        }

        info.Environment[HomeVariable] = repositoryRoot;
        info.Environment["DOTNET_CLI_HOME"] = Path.Combine(root, "home");
        info.Environment["NUGET_PACKAGES"] = Path.Combine(root, "packages");
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // No build server outlives the block: nothing of the check keeps running after it.
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["UseSharedCompilation"] = "false";

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("bash could not be started");
        sessions.Add(process.Id);
        process.StandardInput.Close();
        var output = new StringBuilder();
        var reading = Task.WhenAll(AppendAsync(process.StandardOutput, output), AppendAsync(process.StandardError, output));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(block.Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            await reading.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // SIGKILL to the whole tree: a netserv-lab run among them leaves its record, which netserv-lab clean reaps.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return new BlockResult(block, BlockOutcome.TimedOut, -1, Text(output), stopwatch.Elapsed);
        }

        var text = Text(output);
        var outcome = process.ExitCode != 0 ? BlockOutcome.Failed
            : block.Expected is { } expected && !expected.Matches(text) ? BlockOutcome.OutputChanged
            : BlockOutcome.Passed;
        return new BlockResult(block, outcome, process.ExitCode, text, stopwatch.Elapsed);
    }

    private static void WriteNuGetConfig(string root)
    {
        var machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <!-- The tutorial check's: the machine's packages as the only feed; NetServ.* from the template's packages/. -->
            <configuration>
              <packageSources>
                <clear />
                <add key="machine-packages" value="{machinePackages}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="netserv-sdk"><package pattern="NetServ.*" /></packageSource>
                <packageSource key="machine-packages"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """);
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(source))
        {
            CopyDirectory(directory, Path.Combine(destination, Path.GetFileName(directory)));
        }
    }

    private static async Task AppendAsync(StreamReader reader, StringBuilder output)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
