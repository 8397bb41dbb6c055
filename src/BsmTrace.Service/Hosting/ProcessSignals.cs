using System.Runtime.InteropServices;

namespace BsmTrace.Service.Hosting;

/// <summary>
/// The signals that steer bsmtrace, taken from the first instant of the program's own code:
/// SIGHUP (reload) and SIGTERM or SIGINT (stop), whose default actions would end the process on
/// the spot, a pidfile left behind and alerts in flight lost. A stop asked for while bsmtrace
/// starts is kept (<see cref="Stopping"/>) and honoured as soon as there is a run to stop; a
/// reload is kept until something listens (the policy's reload source, once the service takes
/// reloads). A launcher that starts bsmtrace with SIGHUP blocked closes the last gap, the
/// runtime's own start: the signal waits, pending, until it is unblocked here.
/// </summary>
public sealed class ProcessSignals : IDisposable
{
    private readonly PosixSignalRegistration _hangup;
    private readonly PosixSignalRegistration _terminate;
    private readonly PosixSignalRegistration _interrupt;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private Action<string>? _onHangup;
    private int _pendingHangups;

    public ProcessSignals()
    {
        _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnHangup);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStop);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStop);
        Unix.HangupMask.Unblock();
    }

    /// <summary>Cancelled by the first SIGTERM or SIGINT, whenever it came.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>From now on each SIGHUP calls <paramref name="listener"/>; one that came before is passed on at once.</summary>
    public void OnHangup(Action<string> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        int pending;
        lock (_lock)
        {
            _onHangup = listener;
            pending = _pendingHangups;
            _pendingHangups = 0;
        }

        if (pending > 0)
            listener("SIGHUP while starting");
    }

    private void OnHangup(PosixSignalContext context)
    {
        context.Cancel = true; // SIGHUP means reload, not exit
        Action<string>? listener;
        lock (_lock)
        {
            listener = _onHangup;
            if (listener is null)
                _pendingHangups++;
        }

        listener?.Invoke("SIGHUP");
    }

    private void OnStop(PosixSignalContext context)
    {
        context.Cancel = true; // a clean stop: the run ends, its outputs drain, the pidfile goes
        _stopping.Cancel();
    }

    public void Dispose()
    {
        _hangup.Dispose();
        _terminate.Dispose();
        _interrupt.Dispose();
        _stopping.Dispose();
    }
}
