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

/// <summary>A command exited with a non-zero code.</summary>
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

    /// <summary>The failed command, when known.</summary>
    public CommandResult? Result { get; }
}

/// <summary>Runs system commands (ip, iptables, sysctl) with a deadline, capturing their output.</summary>
public static class CommandRunner
{
    /// <summary>The default deadline for one command.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

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

    private static string Display(string file, IEnumerable<string> arguments) =>
        string.Join(' ', new[] { file }.Concat(arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a)));
}
