using System.Runtime.InteropServices;

namespace NetServ.Orchestrator.Commands;

/// <summary>
/// Turns Ctrl-C and SIGTERM into a cancellation, so a run stops at its next check and still releases
/// the testbed (the command line's own handling would end the process before teardown finished).
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignals(CancellationToken outer)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    public CancellationToken Token => _stop.Token;

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
        // Keep the process: the run releases the testbed and exits with 130 by itself.
        context.Cancel = true;
        Console.Error.WriteLine($"netserv-lab: {context.Signal}: stopping; releasing the testbed");
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
