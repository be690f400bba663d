using System.Diagnostics;
using System.Text;
using NetServ.RSpec;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Local;

/// <summary>What an <c>execute</c> service did on a node of the local testbed.</summary>
/// <param name="NodeClientId">The node it ran on.</param>
/// <param name="Service">The service, as the request gives it.</param>
/// <param name="ExitCode">The shell's exit code, or <see langword="null"/> when it was killed at the timeout.</param>
/// <param name="TimedOut">Whether it ran past <see cref="LocalTestbedOptions.ExecuteTimeout"/> and was killed.</param>
/// <param name="StandardOutput">What it printed on standard output (cut at <see cref="LocalTestbedOptions.OutputLimit"/>).</param>
/// <param name="StandardError">What it printed on standard error (cut likewise).</param>
/// <param name="Duration">How long it ran.</param>
public sealed record ExecuteServiceResult(
    string NodeClientId,
    ExecuteService Service,
    int? ExitCode,
    bool TimedOut,
    string StandardOutput,
    string StandardError,
    TimeSpan Duration)
{
    /// <summary>Whether the command finished in time and exited with 0.</summary>
    public bool Succeeded => ExitCode == 0 && !TimedOut;
}

/// <summary>
/// Runs an <c>execute</c> service inside a node's namespace: <c>shell -c command</c>, with standard
/// input closed, its output captured, killed (with its children) at the timeout or when the caller
/// cancels. What the command leaves running in the background lives in the namespace and goes with it.
/// </summary>
internal static class ExecuteServiceRunner
{
    // A command that leaves a child holding its output open must not hold realisation up: after
    // the shell exits, output is what arrived within this time.
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="service"/> in <paramref name="ns"/> and waits for it (or the timeout).</summary>
    /// <exception cref="OperationCanceledException">The caller cancelled; the command was killed.</exception>
    public static async Task<ExecuteServiceResult> RunAsync(
        NetworkNamespace ns, string node, ExecuteService service, LocalTestbedOptions options, CancellationToken cancellationToken)
    {
        // A request may name the shell by path (/bin/bash); this machine's is found on the PATH.
        var shell = LocalTestbedPlan.ShellToRun(service.Shell) ?? throw new ArgumentException($"the local testbed does not run shell '{service.Shell}'", nameof(service));
        var info = new ProcessStartInfo(shell)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(service.Command);

        var watch = Stopwatch.StartNew();
        using var process = ns.Start(info);
        process.StandardInput.Close();
        var output = new BoundedText(options.OutputLimit);
        var error = new BoundedText(options.OutputLimit);
        var reading = Task.WhenAll(CopyAsync(process.StandardOutput, output), CopyAsync(process.StandardError, error));

        var timedOut = false;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(options.ExecuteTimeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await KillAsync(process).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                timedOut = true;
            }
        }

        await Task.WhenAny(reading, Task.Delay(OutputGrace, CancellationToken.None)).ConfigureAwait(false);
        return new ExecuteServiceResult(
            node, service, timedOut ? null : process.ExitCode, timedOut, output.ToString(), error.ToString(), watch.Elapsed);
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
            // Whatever survived lives in the namespace and is killed when the namespace goes.
        }
    }

    private static async Task CopyAsync(StreamReader reader, BoundedText text)
    {
        var buffer = new char[4096];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false)) > 0)
            {
                text.Append(buffer.AsSpan(0, read));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The process was disposed while a child it left still held the pipe.
        }
    }

    /// <summary>Text kept up to a limit, written by one reader and read by another thread.</summary>
    private sealed class BoundedText(int limit)
    {
        private readonly Lock _lock = new();
        private readonly StringBuilder _text = new();
        private bool _cut;

        public void Append(ReadOnlySpan<char> chunk)
        {
            lock (_lock)
            {
                var room = limit - _text.Length;
                _text.Append(chunk[..Math.Min(room, chunk.Length)]);
                _cut |= chunk.Length > room;
            }
        }

        public override string ToString()
        {
            lock (_lock)
            {
                return _cut ? $"{_text}\n[cut at {limit} characters]" : _text.ToString();
            }
        }
    }
}
