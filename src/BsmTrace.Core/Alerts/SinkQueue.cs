using System.Threading.Channels;
using BsmTrace.Matching;
using Microsoft.Extensions.Logging;

namespace BsmTrace.Alerts;

/// <summary>
/// One sink's queue and the task that writes it out. A write that fails is counted and said once
/// per outage (and every thousandth time after), the sink is tried again with the next alert, and
/// its recovery is said too: a full disk or a syslog daemon that is gone neither floods the log
/// nor goes unnoticed.
/// </summary>
internal sealed class SinkQueue
{
    private const int ReportEvery = 1000;

    private readonly Channel<Alert> _queue;
    private readonly ILogger _logger;
    private long _written;
    private long _failures;
    private long _dropped;
    private long _failingSince = -1; // the failure count when the current outage began; -1 while delivering

    public SinkQueue(AlertSink sink, int capacity, ILogger logger)
    {
        Sink = sink;
        _logger = logger;
        _queue = Channel.CreateBounded<Alert>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        Drained = Task.Run(PumpAsync);
    }

    public AlertSink Sink { get; }

    /// <summary>Completes when the queue is completed and everything in it has been written (or has failed).</summary>
    public Task Drained { get; }

    public SinkCounts Counts => new(Sink.Name, Interlocked.Read(ref _written), Interlocked.Read(ref _failures), Interlocked.Read(ref _dropped));

    public bool TryEnqueue(Alert alert) => _queue.Writer.TryWrite(alert);

    /// <summary>Waits for room in the queue, however long the sink takes.</summary>
    public ValueTask EnqueueAsync(Alert alert) => _queue.Writer.WriteAsync(alert);

    /// <summary>An alert the queue had no room for, let go because the source cannot wait.</summary>
    public void Drop()
    {
        long n = Interlocked.Increment(ref _dropped);
        if (n == 1 || n % 10_000 == 0)
        {
            _logger.LogWarning("Alert sink {Sink} is behind and the audit pipe cannot wait for it: {Dropped} alerts let go so far (bsmtrace_alerts_dropped_total)",
                Sink.Name, n);
        }
    }

    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>Closes the sink; closing flushes, and a flush can fail like a write.</summary>
    public void Close()
    {
        try
        {
            Sink.Dispose();
        }
        catch (Exception e) when (IsOutputFailure(e))
        {
            Failed(e);
        }
    }

    private async Task PumpAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var alert))
            {
                try
                {
                    Sink.Write(alert);
                    Interlocked.Increment(ref _written);
                    Delivered();
                }
                catch (Exception e) when (IsOutputFailure(e))
                {
                    Failed(e);
                }
            }

            try
            {
                Sink.Flush();
            }
            catch (Exception e) when (IsOutputFailure(e))
            {
                Failed(e);
            }
        }
    }

    private static bool IsOutputFailure(Exception e) =>
        e is IOException or UnauthorizedAccessException or InvalidOperationException or ObjectDisposedException or System.Net.Sockets.SocketException;

    private void Failed(Exception e)
    {
        long n = Interlocked.Increment(ref _failures);
        if (_failingSince < 0)
        {
            _failingSince = n - 1;
            _logger.LogError("Alert sink {Sink} cannot write: {Reason}; each alert it misses is counted (bsmtrace_sink_failures_total), and it is tried again with the next",
                Sink.Name, e.Message);
        }
        else if ((n - _failingSince) % ReportEvery == 0)
        {
            _logger.LogError("Alert sink {Sink} still cannot write: {Failures} alerts missed since it failed: {Reason}", Sink.Name, n - _failingSince, e.Message);
        }
    }

    private void Delivered()
    {
        if (_failingSince < 0)
            return;
        _logger.LogWarning("Alert sink {Sink} writes again, after {Failures} alerts it could not write", Sink.Name, Interlocked.Read(ref _failures) - _failingSince);
        _failingSince = -1;
    }
}
