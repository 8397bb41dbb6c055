using System.Threading.Channels;
using BsmTrace.Alerts;
using BsmTrace.Bsm;
using BsmTrace.Triggers;
using Microsoft.Extensions.Logging;

namespace BsmTrace.Matching;

/// <summary>
/// One source's run: a reader thread frames records into batches and hands
/// them through a bounded channel to the matcher, which runs the engine and
/// passes its findings on (alerts to the dispatcher, triggers to the runner,
/// matching records to the raw dump). Batches go back to a pool, so the steady
/// state allocates nothing per record; when the matcher falls behind, the
/// reader waits for a free batch (backpressure).
/// </summary>
public sealed class MatchPipeline
{
    private MatchEngine _engine;
    private MatchEngine? _pending;
    private readonly AlertDispatcher _alerts;
    private readonly TriggerRunner? _triggers;
    private readonly Stream? _rawDump;
    private readonly ILogger _logger;
    private readonly MatchPipelineOptions _options;
    private long _records;
    private long _bytes;
    private long _damaged;
    private long _dropped;
    private long _pendingRecords;
    private long _pendingBytes;
    private int _queued;
    private int _batchesToMake; // the reader's alone

    public MatchPipeline(MatchEngine engine, AlertDispatcher alerts, TriggerRunner? triggers, Stream? rawDump, ILogger logger, MatchPipelineOptions? options = null)
    {
        _engine = engine;
        _alerts = alerts;
        _triggers = triggers;
        _rawDump = rawDump;
        _logger = logger;
        _options = options ?? new MatchPipelineOptions();
    }

    public long Records => Interlocked.Read(ref _records);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Pieces of damage the reader reported (malformed, truncated or skipped input).</summary>
    public long Damaged => Interlocked.Read(ref _damaged);

    /// <summary>Records a live source delivered while every batch was taken (the matchers were behind), not kept.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Batches waiting for the matchers.</summary>
    public int QueueDepth => Volatile.Read(ref _queued);

    /// <summary>The engine matching now.</summary>
    public MatchEngine Engine => Volatile.Read(ref _engine);

    /// <summary>Raised on the matcher's thread before each batch: the place to swap what matching uses.</summary>
    public event Action? BetweenBatches;

    /// <summary>Has the matcher use <paramref name="engine"/> from the next batch on (a policy reload).</summary>
    public void Replace(MatchEngine engine) => Volatile.Write(ref _pending, engine);

    /// <summary>Reads <paramref name="input"/> to its end (or until cancelled) and matches every record.</summary>
    public async Task RunAsync(Stream input, string sourceName, CancellationToken cancellationToken = default)
    {
        // The pool of batches bounds what is in flight; the hand-off channel can hold them all, so the
        // reader waits (or, for the audit pipe, lets records go) only for a free batch, in one place.
        // A file's batches are made as the reader first needs them (a few megabytes each, untouched
        // memory until then): a matcher that keeps up never causes more than three to exist.
        int batches = _options.QueuedBatches + 2;
        _batchesToMake = batches;
        var free = Channel.CreateBounded<RecordBatch>(batches);
        var full = Channel.CreateBounded<RecordBatch>(new BoundedChannelOptions(batches) { SingleReader = true, SingleWriter = true });
        if (_options.Live)
        {
            // A live source makes them all now: a batch made mid-stream is megabytes allocated on the
            // large object heap while a record waits (p99.9 from 8 to 22-28 ms in the latency benchmark).
            for (; _batchesToMake > 0; _batchesToMake--)
                free.Writer.TryWrite(NewBatch());
        }

        // A read from a pipe or device blocks in the kernel and does not see the token:
        // closing the stream is what wakes it when the service stops.
        using var closeOnCancel = cancellationToken.Register(input.Dispose);
        var reading = Task.Factory.StartNew(() => Read(input, sourceName, free.Reader, full.Writer, cancellationToken),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        await foreach (var batch in full.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            Interlocked.Decrement(ref _queued);
            BetweenBatches?.Invoke();
            if (Interlocked.Exchange(ref _pending, null) is { } next)
                Volatile.Write(ref _engine, next);
            Match(batch, sourceName);
            batch.Clear();
            free.Writer.TryWrite(batch);
        }

        await reading.ConfigureAwait(false);
    }

    private void Read(Stream input, string sourceName, ChannelReader<RecordBatch> free, ChannelWriter<RecordBatch> full, CancellationToken cancellationToken)
    {
        var batcher = new RecordBatcher(_engine.Options.MaxRememberedPaths) { RememberPaths = _engine.UsesObjects };
        try
        {
            using var reader = new BsmRecordReader(input, _options.Reader, leaveOpen: true);
            reader.Damaged += damage =>
            {
                Interlocked.Increment(ref _damaged);
                _logger.LogWarning("{Source}: {Damage}", sourceName, damage.ToString());
            };

            RecordBatch? batch = Take(free, cancellationToken);
            while (!cancellationToken.IsCancellationRequested && reader.TryReadFrame(out var frame))
            {
                if (frame.Kind != BsmFrameKind.Record)
                    continue;

                // Counted on this thread alone; published for the metrics at each hand-off.
                int length = frame.Bytes.Length;
                _pendingRecords++;
                _pendingBytes += length;
                if (batch is not null && !batch.HasRoomFor(length))
                {
                    Hand(full, batch, cancellationToken);
                    batch = Take(free, cancellationToken);
                }

                if (batch is null)
                {
                    // The audit pipe is never made to wait (the kernel would drop instead, and
                    // blame no one): while the matchers are behind, records are counted and let go.
                    long dropped = Interlocked.Increment(ref _dropped);
                    if (dropped == 1 || dropped % 10_000 == 0)
                        _logger.LogWarning("{Source}: the matchers are behind; {Dropped} records let go so far", sourceName, dropped);
                    batch = Take(free, cancellationToken);
                    continue;
                }

                if (batch.Count == 0)
                    batcher.RememberPaths = Engine.UsesObjects; // a reload may have brought object rules

                // Decoded once, straight into the batch's slot (not into a record that is then copied).
                if (!batcher.TryAdd(batch, frame, out var problem))
                {
                    _pendingRecords--;
                    _pendingBytes -= length;
                    reader.ReportUndecodable(frame, problem);
                }

                if (batch.Count > 0 && (batch.IsFull || (_options.Live && !reader.HasBufferedFrame)))
                {
                    Hand(full, batch, cancellationToken);
                    batch = Take(free, cancellationToken);
                }
            }

            if (batch is { Count: > 0 })
                Hand(full, batch, CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
            // Stopping: what was handed on is still matched.
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException && cancellationToken.IsCancellationRequested)
        {
            // The stream was closed to stop a blocked read.
        }
        finally
        {
            Publish();
            full.TryComplete();
        }
    }

    /// <summary>A free batch: a file or FIFO waits for one (backpressure); the audit pipe (DropWhenBehind) takes one only if there is one.</summary>
    private RecordBatch? Take(ChannelReader<RecordBatch> free, CancellationToken cancellationToken)
    {
        if (free.TryRead(out var batch))
            return batch;
        if (_batchesToMake > 0)
        {
            _batchesToMake--;
            return NewBatch();
        }

        return _options.DropWhenBehind ? null : free.ReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
    }

    // Room for records of 256 bytes on average; a batch of longer ones is handed on when its arena fills.
    private RecordBatch NewBatch() => new(_options.BatchSize, _options.BatchSize * 256);

    private void Publish()
    {
        Interlocked.Add(ref _records, _pendingRecords);
        Interlocked.Add(ref _bytes, _pendingBytes);
        _pendingRecords = 0;
        _pendingBytes = 0;
    }

    private void Hand(ChannelWriter<RecordBatch> full, RecordBatch batch, CancellationToken cancellationToken)
    {
        Publish();
        Interlocked.Increment(ref _queued);
        full.WriteAsync(batch, cancellationToken).AsTask().GetAwaiter().GetResult();
    }

    private void Match(RecordBatch batch, string sourceName)
    {
        var result = _engine.Process(batch, sourceName);
        foreach (var alert in result.Alerts)
            _alerts.Publish(alert);
        if (_triggers is not null)
        {
            foreach (var trigger in result.Triggers)
                _triggers.Enqueue(trigger);
        }

        if (_rawDump is not null && result.MatchedRecords.Count > 0)
        {
            foreach (int i in result.MatchedRecords)
                _rawDump.Write(batch.Records[i].Raw.Span);
            _rawDump.Flush();
        }
    }
}
