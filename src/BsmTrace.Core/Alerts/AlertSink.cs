using BsmTrace.Matching;
using BsmTrace.Policy;

namespace BsmTrace.Alerts;

/// <summary>
/// Somewhere alerts go. Each sink is fed by its own queue and task (see
/// <see cref="AlertDispatcher"/>), so a failing sink holds up neither matching nor the other
/// sinks. Write may throw an <see cref="IOException"/>; the dispatcher counts it, says so, and
/// tries again with the next alert.
/// </summary>
public abstract class AlertSink : IDisposable
{
    /// <summary>A short name for logs and metrics: "stderr", "logdir", "syslog", "evidence", "json", or a log channel's name.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Where this sink writes the alerts of <paramref name="sequence"/>: a stream, a file, a
    /// directory. Two sinks with the same destination for a sequence are one output: its alerts
    /// are written there once.
    /// </summary>
    public virtual string DestinationOf(SequenceDefinition sequence) => "sink:" + Name;

    /// <summary>
    /// Opens, before <paramref name="policy"/> is used, whatever its sequences will write to
    /// (the files its <c>logfile</c> directives name): a reload whose outputs cannot open is
    /// refused. Called while the sink is in use by the running policy.
    /// </summary>
    public virtual void Prepare(CompiledPolicy policy)
    {
    }

    public abstract void Write(Alert alert);

    /// <summary>Called when the sink's queue runs empty: push buffered output out.</summary>
    public virtual void Flush()
    {
    }

    /// <summary>
    /// Makes what was written last, as far as the output can (fsync for files): a checkpoint is
    /// written only once the alerts before it have been. Flushes by default.
    /// </summary>
    public virtual void Sync() => Flush();

    /// <summary>
    /// Closes and opens again by name whatever files the sink appends to (SIGHUP): newsyslog has
    /// moved them aside, and alerts go on in new ones. Nothing to do by default.
    /// </summary>
    public virtual void Reopen()
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
