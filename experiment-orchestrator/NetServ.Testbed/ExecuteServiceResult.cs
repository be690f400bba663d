using NetServ.RSpec;

namespace NetServ.Testbed;

/// <summary>What an <c>execute</c> service did on a node of a testbed.</summary>
/// <param name="NodeClientId">The node it ran on.</param>
/// <param name="Service">The service, as the request gives it.</param>
/// <param name="ExitCode">The shell's exit code, or <see langword="null"/> when it was killed at the timeout.</param>
/// <param name="TimedOut">Whether it ran past the testbed's timeout for execute services and was killed.</param>
/// <param name="StandardOutput">What it printed on standard output (cut at the testbed's output limit).</param>
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
