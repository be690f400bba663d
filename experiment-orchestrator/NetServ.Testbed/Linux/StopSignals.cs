using System.Runtime.InteropServices;

namespace NetServ.Testbed.Linux;

/// <summary>
/// Turns Ctrl-C (SIGINT), SIGTERM and SIGHUP into a cancellation, so a run stops at its next check and
/// its finally blocks still remove what it made (namespaces, rules, processes, a testbed): the default
/// handling would end the process before that cleanup finished. The process is kept; the program
/// exits by itself once it has cleaned up.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly string _program;
    private readonly string _stopping;
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration[] _registrations;

    /// <summary>Handles the signals until disposed.</summary>
    /// <param name="program">The program's name, which begins the line it writes on standard error for a signal.</param>
    /// <param name="stopping">What the program does once stopped, for that line: "stopping; releasing the testbed".</param>
    /// <param name="outer">A cancellation that stops the run as a signal does, without the line.</param>
    public StopSignals(string program, string stopping, CancellationToken outer = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentException.ThrowIfNullOrEmpty(stopping);
        _program = program;
        _stopping = stopping;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal),
        ];
    }

    /// <summary>Cancelled by the first signal, or by the outer cancellation.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>The first signal received ("Ctrl-C", "SIGTERM", "SIGHUP"), so the run can say why it ended; null when none was.</summary>
    public string? Reason { get; private set; }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the process: the run cleans up and exits by itself.
        context.Cancel = true;
        var reason = context.Signal == PosixSignal.SIGINT ? "Ctrl-C" : context.Signal.ToString();
        Reason ??= reason;
        Console.Error.WriteLine($"{_program}: {reason}: {_stopping}");
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
