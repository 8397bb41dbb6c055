using BsmTrace.Events;
using BsmTrace.Sources;
using Microsoft.Win32.SafeHandles;

namespace BsmTrace.Service.Hosting;

/// <summary>
/// The audit pipe's side of the service: its preselection and queue limit at
/// open, and a watch on its drop counter that logs new drops, exports them,
/// and doubles the queue limit up to the kernel's maximum, as the original did.
/// </summary>
internal sealed class AuditPipeWatch : IDisposable
{
    private readonly SafeFileHandle _pipe;
    private readonly BsmTraceMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Timer _timer;
    private ulong _drops;
    private ulong _reads;

    public AuditPipeWatch(SafeFileHandle pipe, BsmTraceMetrics metrics, ILogger logger)
    {
        _pipe = pipe;
        _metrics = metrics;
        _logger = logger;
        _timer = new Timer(_ => Check(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    public static void Configure(SafeFileHandle pipe, AuditPipeOptions options, string? classFile, ILogger logger)
    {
        var classes = AuditClassTable.LoadDefault(string.IsNullOrEmpty(classFile) ? null : classFile);
        if (string.Equals(options.Mode, "trail", StringComparison.OrdinalIgnoreCase))
        {
            AuditPipe.SetMode(pipe, AuditPipe.ModeTrail);
        }
        else
        {
            AuditPipe.SetMode(pipe, AuditPipe.ModeLocal);
            AuditPipe.SetFlags(pipe, Masks(options.Flags, classes), Masks(options.NonAttributableFlags, classes));
        }

        uint max = AuditPipe.QueueLimitMax(pipe);
        uint limit = options.QueueLimit > 0 ? Math.Min((uint)options.QueueLimit, max) : max;
        AuditPipe.SetQueue(pipe, limit);
        logger.LogInformation("Audit pipe: {Mode} preselection, queue limit {Limit} of at most {Max}", options.Mode, limit, max);
    }

    /// <summary>audit_control flags: "lo,+fc,-fr" — a plain class for success and failure, '+' success only, '-' failure only.</summary>
    internal static (uint Success, uint Failure) Masks(string flags, AuditClassTable classes)
    {
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
        try
        {
            _reads = AuditPipe.Reads(_pipe);
            ulong drops = AuditPipe.Drops(_pipe);
            if (drops <= _drops)
                return;
            _metrics.PipeDrops((long)(drops - _drops));
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

    /// <summary>The pipe's read and drop counts, as the original printed them on SIGINT (the last ones seen, if the pipe is closed already).</summary>
    public void Report()
    {
        Check();
        _logger.LogInformation("Audit pipe: {Reads} records read, {Drops} dropped", _reads, _drops);
    }

    public void Dispose() => _timer.Dispose();
}
