using BsmTrace.Matching;

namespace BsmTrace.Alerts;

/// <summary>
/// Somewhere alerts go. Each sink is fed by its own queue and thread (see
/// <see cref="AlertDispatcher"/>), so a slow or failing sink holds up neither
/// matching nor the other sinks. Write may throw; the dispatcher counts and
/// reports it.
/// </summary>
public abstract class AlertSink : IDisposable
{
    /// <summary>A short name for logs and metrics: "stderr", "logdir", "syslog", "evidence", "json", or a log channel's name.</summary>
    public abstract string Name { get; }

    public abstract void Write(Alert alert);

    /// <summary>Called when the sink's queue runs empty: push buffered output out.</summary>
    public virtual void Flush()
    {
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
