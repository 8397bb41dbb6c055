using System.Threading.Channels;
using BsmTrace.Bsm;
using BsmTrace.Sources;
using Microsoft.Extensions.Logging;

namespace BsmTrace.Matching;

/// <summary>
/// Reading and matching for the life of a run: for each source in turn (a FIFO's writers, a
/// followed trail's files), a reader thread frames records into batches and hands them through a
/// bounded channel to the matcher, which runs the engine and gives what it found to the
/// <see cref="IMatchConsumer"/>. What must be known in stream order (the inode memory, zone ids)
/// and the counts outlive each source. Batches go back to a pool, so the steady state allocates
/// nothing per record; when the matcher falls behind, the reader waits for a free batch
/// (backpressure), or for the audit pipe lets records go and counts them.
/// </summary>
public sealed class MatchPipeline
{
    private MatchEngine _engine;
    private readonly IMatchConsumer _consumer;
    private readonly ILogger _logger;
    private readonly RecordBatcher _batcher;
    private MatchPipelineOptions _options = new();
    private long _records;
    private long _bytes;
    private long _damaged;
    private long _dropped;
    private long _pendingRecords;
    private long _pendingBytes;
    private int _queued;
    private int _batchesToMake; // the reader's alone
    private int _markWanted;

    public MatchPipeline(MatchEngine engine, IMatchConsumer consumer, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _consumer = consumer;
        _logger = logger;
        _batcher = new RecordBatcher(engine.Options.MaxRememberedPaths, engine.Options.RememberedPathBudgetBytes);
    }

    public long Records => Interlocked.Read(ref _records);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Pieces of damage the reader reported (malformed, truncated or skipped input).</summary>
    public long Damaged => Interlocked.Read(ref _damaged);

    /// <summary>Records a live source delivered while every batch was taken (the matchers were behind), not kept.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Batches waiting for the matchers.</summary>
    public int QueueDepth => Volatile.Read(ref _queued);

    /// <summary>
    /// The engine matching now. Set it only from <see cref="IMatchConsumer.BeforeBatch"/>, on the
    /// matcher's thread, between batches (a policy reload).
    /// </summary>
    public MatchEngine Engine
    {
        get => Volatile.Read(ref _engine);
        set => Volatile.Write(ref _engine, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Zone names by id, for the whole run: instance keys and the plan's zone cache hold these ids.</summary>
    public ZoneInterner Zones => _batcher.Zones;

    /// <summary>Bytes the inode memory takes (any thread).</summary>
    public long RememberedPathBytes => _batcher.RememberedPathBytes;

    /// <summary>Entries the inode memory let go (any thread).</summary>
    public long RememberedPathEvictions => _batcher.RememberedPathEvictions;

    /// <summary>
    /// Whether checkpoints are taken: the reader then marks its state when asked (<see cref="RequestMark"/>)
    /// and at the end of each segment (<see cref="LastMark"/>).
    /// </summary>
    public bool TakesMarks { get; set; }

    /// <summary>The reader's state at the end of the last segment read (when <see cref="TakesMarks"/>).</summary>
    public ReaderMark? LastMark { get; private set; }

    /// <summary>
    /// Asks the reader to mark its state on the next batch it hands on (<see cref="RecordBatch.Mark"/>):
    /// once that batch is matched, engine and reader are at the same point of the stream.
    /// </summary>
    public void RequestMark() => Volatile.Write(ref _markWanted, 1);

    /// <summary>Takes a checkpoint's reader-side state back (record count, zone names, inode memory). Call before the first segment.</summary>
    public void Restore(ReaderMark mark) => _batcher.Restore(mark);

    /// <summary>
    /// Reads <paramref name="segment"/> to its end (or until cancelled) and matches every record.
    /// Segments are read one after another, never two at once; when this returns, every record
    /// read has been matched and handed to the consumer, and <see cref="SourceSegment.ReadTo"/>
    /// says where the next record not read begins.
    /// </summary>
    public async Task RunAsync(SourceSegment segment, string sourceName, MatchPipelineOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(segment);
        _options = options ?? throw new ArgumentNullException(nameof(options));
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

        // The source sees the token itself: a stream that can wait for data (a FIFO, a device, a
        // followed trail) ends a waiting read when it is cancelled.
        var reading = Task.Factory.StartNew(() => Read(segment, sourceName, free.Reader, full.Writer, cancellationToken),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        try
        {
            await foreach (var batch in full.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                Interlocked.Decrement(ref _queued);
                _consumer.BeforeBatch(this);
                var result = Engine.Process(batch, sourceName);
                await _consumer.ConsumeAsync(result, batch, sourceName).ConfigureAwait(false);
                batch.Clear();
                free.Writer.TryWrite(batch);
            }
        }
        finally
        {
            // Whatever ended matching (an output that failed for good), the reader must not wait forever for a batch.
            free.Writer.TryComplete();
            await reading.ConfigureAwait(false);
        }
    }

    private void Read(SourceSegment segment, string sourceName, ChannelReader<RecordBatch> free, ChannelWriter<RecordBatch> full, CancellationToken cancellationToken)
    {
        var batcher = _batcher;
        batcher.RememberPaths = Engine.UsesObjects;
        var start = segment.Start;
        // Just past the last frame read: where the next record not yet read begins (damage after it is read again).
        long readTo = start.Offset;
        try
        {
            using var reader = new BsmRecordReader(segment.Stream, _options.Reader, leaveOpen: true, startOffset: start.Offset);
            reader.Damaged += damage =>
            {
                Interlocked.Increment(ref _damaged);
                _logger.LogWarning("{Source}: {Damage}", sourceName, damage.ToString());
            };

            RecordBatch? batch = Take(free, start, cancellationToken);
            while (!cancellationToken.IsCancellationRequested && reader.TryReadFrame(out var frame))
            {
                if (frame.Kind != BsmFrameKind.Record)
                {
                    readTo = reader.Position;
                    continue;
                }

                // Counted on this thread alone; published for the metrics at each hand-off.
                int length = frame.Bytes.Length;
                _pendingRecords++;
                _pendingBytes += length;
                if (batch is not null && !batch.HasRoomFor(length))
                {
                    Hand(full, batch, readTo, cancellationToken);
                    batch = Take(free, start, cancellationToken);
                }

                if (batch is null)
                {
                    // The audit pipe is never made to wait (the kernel would drop instead, and
                    // blame no one): while the matchers are behind, records are counted and let go.
                    long dropped = Interlocked.Increment(ref _dropped);
                    if (dropped == 1 || dropped % 10_000 == 0)
                        _logger.LogWarning("{Source}: the matchers are behind; {Dropped} records let go so far", sourceName, dropped);
                    readTo = reader.Position;
                    batch = Take(free, start, cancellationToken);
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

                readTo = reader.Position;
                if (batch.Count > 0 && (batch.IsFull || (_options.Live && !reader.HasBufferedFrame)))
                {
                    Hand(full, batch, readTo, cancellationToken);
                    batch = Take(free, start, cancellationToken);
                }
            }

            if (batch is { Count: > 0 })
                Hand(full, batch, readTo, CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
            // Stopping: what was handed on is still matched.
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException && cancellationToken.IsCancellationRequested)
        {
            // The stream was closed to stop a blocked read.
        }
        catch (ChannelClosedException)
        {
            // Matching ended first; its exception is the one the run reports.
        }
        finally
        {
            Publish();
            segment.ReadTo = readTo;
            LastMark = TakesMarks ? batcher.Mark(start with { Offset = readTo }) : null;
            full.TryComplete();
        }
    }

    /// <summary>A free batch for records of <paramref name="source"/>: a file or FIFO waits for one (backpressure); the audit pipe (DropWhenBehind) takes one only if there is one.</summary>
    private RecordBatch? Take(ChannelReader<RecordBatch> free, SourcePosition source, CancellationToken cancellationToken)
    {
        if (!free.TryRead(out var batch))
        {
            if (_batchesToMake > 0)
            {
                _batchesToMake--;
                batch = NewBatch();
            }
            else if (!_options.DropWhenBehind)
            {
                batch = free.ReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
            }
        }

        if (batch is not null)
            batch.Source = source;
        return batch;
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

    private void Hand(ChannelWriter<RecordBatch> full, RecordBatch batch, long readTo, CancellationToken cancellationToken)
    {
        Publish();
        if (TakesMarks && Interlocked.Exchange(ref _markWanted, 0) == 1)
            batch.Mark = _batcher.Mark(batch.Source! with { Offset = readTo });
        Interlocked.Increment(ref _queued);
        full.WriteAsync(batch, cancellationToken).AsTask().GetAwaiter().GetResult();
    }
}
