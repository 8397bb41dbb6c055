using BsmTrace.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace BsmTrace.Sources;

/// <summary>
/// The audit pipe's side of a run: its preselection and queue limit at open, and a watch on its
/// drop counter that logs new drops, counts them, and doubles the queue limit up to the kernel's
/// maximum, as the original did.
/// </summary>
public sealed class AuditPipeMonitor : IDisposable
{
    private readonly SafeFileHandle _pipe;
    private readonly ILogger _logger;
    private readonly Timer _timer;
    private readonly Lock _lock = new();
    private ulong _drops;
    private ulong _reads;

    private AuditPipeMonitor(SafeFileHandle pipe, ILogger logger)
    {
        _pipe = pipe;
        _logger = logger;
        _timer = new Timer(_ => Check(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    /// <summary>Records the kernel dropped from the pipe (its queue was full) since it was opened.</summary>
    public long Drops
    {
        get
        {
            lock (_lock)
                return (long)_drops;
        }
    }

    /// <summary>Sets the pipe's preselection and queue limit, then watches its drops.</summary>
    public static AuditPipeMonitor Start(SafeFileHandle pipe, AuditPipeSettings settings, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var classes = AuditClassTable.LoadDefault(string.IsNullOrEmpty(settings.ClassFile) ? null : settings.ClassFile);
        if (string.Equals(settings.Mode, "trail", StringComparison.OrdinalIgnoreCase))
        {
            AuditPipe.SetMode(pipe, AuditPipe.ModeTrail);
        }
        else
        {
            AuditPipe.SetMode(pipe, AuditPipe.ModeLocal);
            AuditPipe.SetFlags(pipe, Masks(settings.Flags, classes), Masks(settings.NonAttributableFlags, classes));
        }

        uint max = AuditPipe.QueueLimitMax(pipe);
        uint limit = settings.QueueLimit > 0 ? Math.Min((uint)settings.QueueLimit, max) : max;
        AuditPipe.SetQueue(pipe, limit);
        logger.LogInformation("Audit pipe: {Mode} preselection, queue limit {Limit} of at most {Max}", settings.Mode, limit, max);
        return new AuditPipeMonitor(pipe, logger);
    }

    /// <summary>audit_control flags: "lo,+fc,-fr" — a plain class for success and failure, '+' success only, '-' failure only.</summary>
    public static (uint Success, uint Failure) Masks(string flags, AuditClassTable classes)
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(classes);
        uint success = 0, failure = 0;
        foreach (var flag in flags.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string name = flag.TrimStart('+', '-');
            if (!classes.TryGetByName(name, out var c))
                throw new IOException($"audit pipe flags: unknown audit class '{name}'");
            if (flag[0] != '-')
                success |= c.Mask;
            if (flag[0] != '+')
                failure |= c.Mask;
        }

        return (success, failure);
    }

    private void Check()
    {
        lock (_lock)
        {
            try
            {
                _reads = AuditPipe.Reads(_pipe);
                ulong drops = AuditPipe.Drops(_pipe);
                if (drops <= _drops)
                    return;
                _logger.LogWarning("The audit pipe dropped {New} records ({Total} in all): bsmtrace is not keeping up", drops - _drops, drops);
                _drops = drops;
                uint limit = AuditPipe.QueueLimit(_pipe), max = AuditPipe.QueueLimitMax(_pipe);
                if (limit < max)
                {
                    uint doubled = (uint)Math.Min((ulong)limit * 2, max);
                    AuditPipe.SetQueue(_pipe, doubled);
                    _logger.LogWarning("Audit pipe queue limit raised from {Old} to {New}", limit, doubled);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                _logger.LogDebug("Audit pipe statistics unavailable: {Reason}", e.Message);
            }
        }
    }

    /// <summary>The pipe's read and drop counts, as the original printed them on SIGINT (the last ones seen, if the pipe is closed already).</summary>
    public void Report()
    {
        Check();
        lock (_lock)
            _logger.LogInformation("Audit pipe: {Reads} records read, {Drops} dropped", _reads, _drops);
    }

    public void Dispose() => _timer.Dispose();
}
