using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace NetServ.Testbed.Linux;

/// <summary>What a finished command printed and returned.</summary>
public sealed record CommandResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Whether the command exited with 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>Throws when the command failed, with its output in the message.</summary>
    public CommandResult EnsureSuccess() =>
        Succeeded ? this : throw new CommandFailedException(this);
}

/// <summary>
/// A command on a node failed: it exited with a non-zero code (<see cref="CommandResult.EnsureSuccess"/>), could not be
/// started, or ran past its timeout and was killed (<see cref="IsTimeout"/>).
/// </summary>
public sealed class CommandFailedException : Exception
{
    public CommandFailedException(CommandResult result)
        : base($"'{result.Command}' exited with {result.ExitCode}: {result.StandardError.Trim()} {result.StandardOutput.Trim()}".TrimEnd())
    {
        Result = result;
    }

    public CommandFailedException()
    {
    }

    public CommandFailedException(string message)
        : base(message)
    {
    }

    public CommandFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private CommandFailedException(CommandResult outputSoFar, TimeSpan timeout)
        : base($"'{outputSoFar.Command}' did not finish within {timeout.TotalSeconds:0} s")
    {
        Result = outputSoFar;
        TimedOutAfter = timeout;
    }

    /// <summary>
    /// The failed command, when known. For a command killed at its timeout, what it had printed until then
    /// (its exit code is the kill's, not the command's).
    /// </summary>
    public CommandResult? Result { get; }

    /// <summary>The timeout the command ran past and was killed at; <see langword="null"/> when it failed otherwise.</summary>
    public TimeSpan? TimedOutAfter { get; }

    /// <summary>Whether the command ran past its timeout and was killed.</summary>
    public bool IsTimeout => TimedOutAfter is not null;

    /// <summary>The failure of a command killed at <paramref name="timeout"/>, with what it printed until then in <paramref name="outputSoFar"/>.</summary>
    public static CommandFailedException TimedOut(CommandResult outputSoFar, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(outputSoFar);
        return new CommandFailedException(outputSoFar, timeout);
    }
}

/// <summary>Runs system commands (ip, iptables, sysctl) with a deadline, capturing their output.</summary>
public static class CommandRunner
{
    /// <summary>The default deadline for one command.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How many characters of each output stream <see cref="RunAsync"/> keeps; the rest is dropped, and the cut marked.</summary>
    internal const int MaxCapturedCharacters = 16 * 1024 * 1024;

    /// <summary>How long <see cref="RunAsync"/> waits for the rest of the output once the command has exited.</summary>
    internal static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(1);

    /// <summary>The exit code of a timed-out command's partial result: what a shell reports for a command killed by SIGKILL.</summary>
    internal const int KilledExitCode = 128 + 9;

    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="arguments"/> and waits for it; cancellation kills it
    /// (its children included) at once and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public static CommandResult Run(string file, IEnumerable<string> arguments, TimeSpan? timeout = null, string? standardInput = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var display = Display(file, info.ArgumentList);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new CommandFailedException($"'{display}' did not start");
        }
        catch (Win32Exception e)
        {
            throw new CommandFailedException($"'{display}' could not be started: {e.Message}", e);
        }

        using (process)
        {
            var output = new StringBuilder();
            var error = new StringBuilder();
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (error) { error.AppendLine(e.Data); } } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (standardInput is not null)
            {
                process.StandardInput.Write(standardInput);
                process.StandardInput.Close();
            }

            bool exited;
            using (cancellationToken.Register(static p => Kill((Process)p!), process))
            {
                exited = process.WaitForExit(timeout ?? DefaultTimeout);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                Kill(process);
                process.WaitForExit();
                throw new OperationCanceledException($"'{display}' was stopped: the run was cancelled", cancellationToken);
            }

            if (!exited)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }

                throw new CommandFailedException($"'{display}' did not finish within {(timeout ?? DefaultTimeout).TotalSeconds:0} s");
            }

            process.WaitForExit();
            lock (output)
            {
                lock (error)
                {
                    return new CommandResult(display, process.ExitCode, output.ToString(), error.ToString());
                }
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="arguments"/> (in <paramref name="workingDirectory"/>, or this
    /// process's own when null), started by <paramref name="start"/> (which may wrap it, as <see cref="NetworkNamespace.Start"/>
    /// does), and waits at most <paramref name="timeout"/> for it: how node sessions on this machine run commands.
    /// Output is read as it comes, in chunks (carriage returns kept), up to <see cref="MaxCapturedCharacters"/> per
    /// stream. Once the command has exited, output that a background child still holds open is waited for only
    /// <see cref="OutputGrace"/>. At the timeout the command and its children are killed and
    /// <see cref="CommandFailedException.TimedOut"/> is thrown with the output so far; cancellation kills them and
    /// throws <see cref="OperationCanceledException"/>.
    /// </summary>
    internal static async Task<CommandResult> RunAsync(
        string file,
        IReadOnlyList<string> arguments,
        string? workingDirectory,
        Func<ProcessStartInfo, Process> start,
        TimeSpan timeout,
        string? standardInput,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(start);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        var display = Display(info.FileName, info.ArgumentList);
        Process process;
        try
        {
            process = start(info);
        }
        catch (Win32Exception e)
        {
            throw new CommandFailedException($"'{display}' could not be started: {e.Message}", e);
        }

        using (process)
        {
            var output = new CapturedText(MaxCapturedCharacters);
            var error = new CapturedText(MaxCapturedCharacters);
            var reading = Task.WhenAll(output.AppendAllAsync(process.StandardOutput), error.AppendAllAsync(process.StandardError));
            if (standardInput is not null)
            {
                // Not awaited: a command that never reads its input must still meet its timeout.
                _ = WriteInputAsync(process.StandardInput, standardInput);
            }

            var timedOut = false;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                deadline.CancelAfter(timeout);
                try
                {
                    await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    await KillAsync(process).ConfigureAwait(false);
                    if (cancellationToken.IsCancellationRequested)
                    {
                        throw new OperationCanceledException($"'{display}' was stopped: the run was cancelled", cancellationToken);
                    }

                    timedOut = true;
                }
            }

            // A command that leaves a child holding its output open must not hold the caller up: after
            // it exits, output is what arrived within the grace.
            await Task.WhenAny(reading, Task.Delay(OutputGrace, CancellationToken.None)).ConfigureAwait(false);
            if (timedOut)
            {
                throw CommandFailedException.TimedOut(new CommandResult(display, KilledExitCode, output.ToString(), error.ToString()), timeout);
            }

            return new CommandResult(display, process.ExitCode, output.ToString(), error.ToString());
        }
    }

    private static async Task WriteInputAsync(StreamWriter writer, string input)
    {
        try
        {
            await writer.WriteAsync(input.AsMemory(), CancellationToken.None).ConfigureAwait(false);
            writer.Close();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The command exited, or closed its input, before it read all of it.
        }
    }

    private static async Task KillAsync(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(KillGrace).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // It had exited already.
        }
        catch (TimeoutException)
        {
            // Whatever survived is left to its namespace or machine; the caller is told of the timeout anyway.
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }
    }

    /// <summary>Runs a command and throws when it fails.</summary>
    public static CommandResult RunChecked(string file, params string[] arguments) => Run(file, arguments).EnsureSuccess();

    /// <summary>Whether <paramref name="file"/> is found on PATH (or is an existing path).</summary>
    public static bool IsAvailable(string file) => FindOnPath(file) is not null;

    /// <summary>The full path of <paramref name="file"/> on PATH, or <see langword="null"/>.</summary>
    public static string? FindOnPath(string file)
    {
        if (file.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(file) ? file : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin"]))
        {
            var candidate = Path.Combine(directory, file);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    internal static string Display(string file, IEnumerable<string> arguments) =>
        string.Join(' ', new[] { file }.Concat(arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a)));
}
