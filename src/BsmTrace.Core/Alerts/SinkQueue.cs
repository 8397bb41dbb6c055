using System.Threading.Channels;
using BsmTrace.Matching;
using Microsoft.Extensions.Logging;

namespace BsmTrace.Alerts;

/// <summary>
/// One sink's queue and the task that writes it out. A write that fails is counted and said once
/// per outage (and every thousandth time after), the sink is tried again with the next alert, and
/// its recovery is said too: a full disk or a syslog daemon that is gone neither floods the log
/// nor goes unnoticed. The queue is bounded in alerts and in bytes (an alert weighs its records):
/// a blocked sink with thousands of alerts of large records must not hold gigabytes.
/// </summary>
internal sealed class SinkQueue
{
    private const int ReportEvery = 1000;

    /// <summary>What an alert weighs beside its records: the alert, its strings, its list.</summary>
    internal const int AlertOverhead = 512;

    private readonly Channel<Entry> _queue;
    private readonly ILogger _logger;
    private readonly long _byteBudget;
    private readonly Lock _bytesLock = new();
    private long _queuedBytes;
    private TaskCompletionSource? _roomWaiter;
    private long _written;
    private long _failures;
    private long _dropped;
    private long _syncFailures;
    private long _failingSince = -1; // the failure count when the current outage began; -1 while delivering

    public SinkQueue(AlertSink sink, int capacity, ILogger logger, long byteBudget = long.MaxValue)
    {
        Sink = sink;
        _logger = logger;
        _byteBudget = byteBudget;
        _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(capacity)
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

    /// <summary>Bytes the alerts waiting in the queue weigh (any thread).</summary>
    public long QueuedBytes
    {
        get
        {
            lock (_bytesLock)
                return _queuedBytes;
        }
    }

    /// <summary>Queues the alert if there is room, in alerts and in bytes; false when there is not.</summary>
    public bool TryEnqueue(Alert alert)
    {
        long weight = Weight(alert);
        if (!TryReserve(weight))
            return false;
        if (_queue.Writer.TryWrite(new Entry(alert, null, Marker.None, weight)))
            return true;
        Release(weight);
        return false;
    }

    /// <summary>Waits for room in the queue, in alerts and in bytes, however long the sink takes.</summary>
    public async ValueTask EnqueueAsync(Alert alert)
    {
        long weight = Weight(alert);
        while (!TryReserve(weight))
            await RoomAsync(weight).ConfigureAwait(false);
        try
        {
            await _queue.Writer.WriteAsync(new Entry(alert, null, Marker.None, weight)).ConfigureAwait(false);
        }
        catch
        {
            Release(weight);
            throw;
        }
    }

    /// <summary>An alert weighs its records and a little more; an empty queue always takes one, however heavy.</summary>
    private static long Weight(Alert alert)
    {
        long weight = AlertOverhead;
        foreach (var record in alert.Records)
            weight += record.Length;
        return weight;
    }

    private bool TryReserve(long weight)
    {
        lock (_bytesLock)
        {
            if (_queuedBytes > 0 && _queuedBytes + weight > _byteBudget)
                return false;
            _queuedBytes += weight;
            return true;
        }
    }

    private Task RoomAsync(long weight)
    {
        lock (_bytesLock)
        {
            if (_queuedBytes == 0 || _queuedBytes + weight <= _byteBudget)
                return Task.CompletedTask;
            _roomWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _roomWaiter.Task;
        }
    }

    private void Release(long weight)
    {
        TaskCompletionSource? waiter;
        lock (_bytesLock)
        {
            _queuedBytes -= weight;
            waiter = _roomWaiter;
            _roomWaiter = null;
        }

        waiter?.TrySetResult();
    }

    /// <summary>
    /// Completes when every alert queued before the call has been written (or has failed) and the
    /// sink has made what it wrote last (<see cref="AlertSink.Sync"/>). Never makes the caller wait
    /// for room: a full queue takes the request when it has room.
    /// </summary>
    public Task SyncAsync() => MarkAsync(Marker.Sync);

    /// <summary>
    /// Completes when every alert queued before the call has been written (or has failed) and the
    /// sink has opened its files again (<see cref="AlertSink.Reopen"/>): alerts queued after it go
    /// to the new files.
    /// </summary>
    public Task ReopenAsync() => MarkAsync(Marker.Reopen);

    private Task MarkAsync(Marker marker)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entry = new Entry(null, done, marker, 0);
        if (!_queue.Writer.TryWrite(entry))
        {
            _ = _queue.Writer.WriteAsync(entry).AsTask().ContinueWith(
                t => done.TrySetException(t.Exception?.InnerException ?? new InvalidOperationException("the queue is closed")),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        return done.Task;
    }

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
            while (reader.TryRead(out var entry))
            {
                if (entry.Marker == Marker.Sync)
                {
                    Sync(entry.Done!);
                    continue;
                }

                if (entry.Marker == Marker.Reopen)
                {
                    Reopen(entry.Done!);
                    continue;
                }

                try
                {
                    Sink.Write(entry.Alert!);
                    Interlocked.Increment(ref _written);
                    Delivered();
                }
                catch (Exception e) when (IsOutputFailure(e))
                {
                    Failed(e);
                }
                finally
                {
                    Release(entry.Weight);
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

    /// <summary>
    /// Makes what the sink wrote last, then says so. A sink that cannot sync is counted as failing,
    /// and the request completes all the same: a checkpoint is not held back for ever by an output
    /// that fails, whose misses are counted already.
    /// </summary>
    private void Sync(TaskCompletionSource synced)
    {
        try
        {
            Sink.Sync();
        }
        catch (Exception e) when (IsOutputFailure(e))
        {
            // What it wrote may not survive the machine's failure; each alert was counted as it was written.
            long n = Interlocked.Increment(ref _syncFailures);
            if (n == 1 || n % ReportEvery == 0)
                _logger.LogError("Alert sink {Sink} cannot make what it wrote last ({Failures} times so far): {Reason}", Sink.Name, n, e.Message);
        }

        synced.TrySetResult();
    }

    /// <summary>Opens the sink's files again; one that cannot be is said, and tried again at the next alert.</summary>
    private void Reopen(TaskCompletionSource reopened)
    {
        try
        {
            Sink.Reopen();
        }
        catch (Exception e) when (IsOutputFailure(e))
        {
            _logger.LogError("Alert sink {Sink} cannot open its files again: {Reason}; it writes on to the files it had open", Sink.Name, e.Message);
        }

        reopened.TrySetResult();
    }

    /// <summary>
    /// Whatever a sink throws is its failure, counted and said, never the end of its queue's task:
    /// a task that died would leave its queue full and everything publishing to it waiting for
    /// ever. (The runtime says some system errors in unexpected types: EFBIG, past a file size
    /// limit, is an ArgumentOutOfRangeException.) Only running out of memory is not the sink's.
    /// </summary>
    private static bool IsOutputFailure(Exception e) => e is not OutOfMemoryException;

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

    private enum Marker
    {
        None,
        Sync,
        Reopen,
    }

    /// <summary>An alert to write, or a request to sync (or reopen) once what was queued before it is written.</summary>
    private readonly record struct Entry(Alert? Alert, TaskCompletionSource? Done, Marker Marker, long Weight);

    private void Delivered()
    {
        if (_failingSince < 0)
            return;
        _logger.LogWarning("Alert sink {Sink} writes again, after {Failures} alerts it could not write", Sink.Name, Interlocked.Read(ref _failures) - _failingSince);
        _failingSince = -1;
    }
}
