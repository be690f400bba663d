using System.Runtime.InteropServices;

namespace NetServ.Evaluation.Hosting;

/// <summary>
/// Turns Ctrl-C, SIGTERM and SIGHUP into a cancellation, so a run stops at the next check and its
/// finally blocks remove namespaces, rules and processes and restore sysctls.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignals(CancellationToken outer = default)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(outer);
        Console.CancelKeyPress += OnCancelKeyPress;
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal),
        ];
    }

    public CancellationToken Token => _stop.Token;

    /// <summary>Written when a stop was requested, so the run can say why it ended.</summary>
    public string? Reason { get; private set; }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        // Keep the process: the run cleans up and exits by itself.
        e.Cancel = true;
        Request("Ctrl-C");
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        Request(context.Signal.ToString());
    }

    private void Request(string reason)
    {
        Reason ??= reason;
        Console.Error.WriteLine($"netserv-eval: {reason}: stopping and cleaning up (namespaces, rules, processes, sysctls)");
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
