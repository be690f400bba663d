using NetServ.RSpec;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed;

/// <summary>
/// Runs an <c>execute</c> service through a node's session, the same on every testbed: <c>shell -c command</c>
/// with standard input closed, bounded by a timeout, its output kept up to a limit. A service that exits
/// non-zero or runs past the timeout is a result (<see cref="ExecuteServiceResult.TimedOut"/>, killed, with what
/// it printed until then), not an exception. What the command leaves running in the background stays on the
/// node, and goes with it.
/// </summary>
internal static class ExecuteServiceRunner
{
    /// <summary>
    /// Runs <paramref name="service"/> on <paramref name="session"/>'s node with <paramref name="shell"/> (the shell
    /// as the node names it) and waits for it, at most <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="NodeUnreachableException">The node cannot be reached.</exception>
    /// <exception cref="CommandFailedException">The shell could not be started.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled; the command was killed.</exception>
    public static async Task<ExecuteServiceResult> RunAsync(
        INodeSession session,
        string node,
        ExecuteService service,
        string shell,
        TimeSpan timeout,
        int outputLimit,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentException.ThrowIfNullOrEmpty(shell);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputLimit);
        ArgumentNullException.ThrowIfNull(time);
        var started = time.GetTimestamp();
        CommandResult result;
        var timedOut = false;
        try
        {
            // An empty standard input: the command finds it closed rather than waiting on it.
            result = await session.RunAsync(shell, ["-c", service.Command], timeout, standardInput: string.Empty, cancellationToken).ConfigureAwait(false);
        }
        catch (CommandFailedException e) when (e.IsTimeout && e.Result is not null)
        {
            result = e.Result!;
            timedOut = true;
        }

        return new ExecuteServiceResult(
            node,
            service,
            timedOut ? null : result.ExitCode,
            timedOut,
            CapturedText.Cut(result.StandardOutput, outputLimit),
            CapturedText.Cut(result.StandardError, outputLimit),
            time.GetElapsedTime(started));
    }
}
