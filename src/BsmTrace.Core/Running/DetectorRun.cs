using BsmTrace.Alerts;
using BsmTrace.Matching;
using BsmTrace.Policy;
using BsmTrace.Sources;
using BsmTrace.State;
using BsmTrace.Triggers;
using BsmTrace.Unix;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace BsmTrace.Running;

/// <summary>
/// One run of the detector, and the one owner of everything it uses: the source, the pipeline
/// with its reader, batcher, zone and inode memories and engine, the outputs (alert sinks,
/// triggers, the raw dump) and, with a state directory, its checkpoints. It is built in one place
/// (<see cref="Open"/>, which takes a checkpoint back) and torn down in one place
/// (<see cref="DisposeAsync"/>, which writes the last one), for the trail command and the service
/// alike. A new policy comes through <see cref="TryApply"/>, which opens the policy's outputs
/// before anything changes and swaps it in between batches.
/// </summary>
public sealed class DetectorRun : IMatchConsumer, IAsyncDisposable
{
    private readonly RunSettings _settings;
    private readonly ILogger _logger;
    private readonly AlertSinkFactory _sinks;
    private readonly IReadOnlyList<AlertSink> _defaultSinks;
    private readonly AlertDispatcher _alerts;
    private readonly TriggerRunner _triggers;
    private readonly PatternFailureCounts _patternFailures;
    private bool _droppedPrivileges;
    private int _reading;
    private readonly Stream? _rawDump;
    private readonly MatchPipeline _pipeline;
    private readonly AlertDelivery _delivery;
    private readonly Lock _stageLock = new();
    private readonly StateDirectory? _state;
    private readonly Checkpointer? _checkpointer;
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private CompiledPolicy _policy;
    private StagedPolicy? _staged;
    private bool _disposed;
    private AuditSource? _source;
    private SourcePosition? _resume;
    private RunEnd? _end;

    // Between checkpoints, how far matching went (written to the progress file), and what an unclean stop makes it read again.
    private SafeFileHandle? _progressFile;
    private SourcePosition? _progress;
    private SourcePosition? _progressWritten;
    private Timer? _progressTimer;
    private Timer? _checkpointTimer;
    private SourcePosition? _rereadBefore;
    private long _reread;
    private long? _gapSince;
    private long _recordsAtCheckpoint;

    private DetectorRun(RunSettings settings, CompiledPolicy policy, AlertSinkFactory sinks, List<AlertSink> defaults,
        Dictionary<string, AlertSink> channels, UserDatabase users, StateDirectory? state, ILogger logger)
    {
        _settings = settings;
        _logger = logger;
        _sinks = sinks;
        _defaultSinks = defaults;
        _policy = policy;
        _delivery = settings.SourceCannotWait ? AlertDelivery.DropWhenFull : AlertDelivery.Wait;
        _alerts = new AlertDispatcher(defaults, _delivery, logger, queueBytes: settings.Outputs.QueueBudgetBytes);
        _alerts.SetChannels(policy, channels);
        _triggers = new TriggerRunner(settings.Triggers, logger);
        _patternFailures = new PatternFailureCounts(logger, settings.Source);
        _rawDump = settings.RawDump ? Console.OpenStandardOutput() : null;
        _pipeline = new MatchPipeline(new MatchEngine(policy, settings.Engine, users), this, logger);
        _state = state;
        if (state is not null)
        {
            _checkpointer = new Checkpointer(state, settings.Source, logger);
            _pipeline.TakesMarks = true;
        }
    }

    /// <summary>
    /// Makes a run of <paramref name="policy"/> (which it then owns), opens every output the
    /// settings and the policy name, and, with a state directory, takes back the checkpoint of the
    /// source: its instances, inode memory and zone names now, its position when the run reads.
    /// </summary>
    /// <exception cref="IOException">An output or the state directory cannot be opened: one line naming it.</exception>
    public static DetectorRun Open(RunSettings settings, CompiledPolicy policy, UserDatabase users, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(policy);
        var state = string.IsNullOrEmpty(settings.StateDirectory) ? null : StateDirectory.Open(settings.StateDirectory, settings.Account);
        var sinks = new AlertSinkFactory(settings.Outputs, users);
        var defaults = sinks.DefaultSinks();
        DetectorRun run;
        try
        {
            foreach (var sink in defaults)
                sink.Prepare(policy);
            var channels = sinks.ChannelSinks(policy);
            run = new DetectorRun(settings, policy, sinks, defaults, channels, users, state, logger);
        }
        catch
        {
            foreach (var sink in defaults)
                sink.Dispose();
            throw;
        }

        if (state is not null)
            run.Restore(state);
        return run;
    }

    /// <summary>Raised on the matcher's thread for every alert, before it is handed to its outputs (log events, metrics).</summary>
    public event Action<Alert>? AlertRaised;

    /// <summary>Raised on the matcher's thread when a policy taken by <see cref="TryApply"/> replaces the running one.</summary>
    public event Action<PolicyApplied>? PolicyApplied;

    /// <summary>The policy matching now.</summary>
    public CompiledPolicy Policy => Volatile.Read(ref _policy);

    public int Workers => _pipeline.Engine.Workers;

    /// <summary>Whether alerts wait for slow outputs (a source that can wait) or are let go and counted (the audit pipe).</summary>
    public AlertDelivery Delivery => _delivery;

    public long Records => _pipeline.Records;

    public long Bytes => _pipeline.Bytes;

    /// <summary>Pieces of damaged input skipped, for the life of the run.</summary>
    public long Damaged => _pipeline.Damaged;

    /// <summary>Records of the audit pipe let go while the matchers were behind.</summary>
    public long RecordsDropped => _pipeline.Dropped;

    /// <summary>Batches waiting for the matchers.</summary>
    public int QueueDepth => _pipeline.QueueDepth;

    public int LiveInstances => _pipeline.Engine.LiveInstances;

    public long InstancesEvicted => _pipeline.Engine.InstancesEvicted;

    /// <summary>What the budgeted parts of memory hold now, and their budgets, in bytes: the metrics show both.</summary>
    public IReadOnlyList<MemoryUse> Memory =>
    [
        new("evidence", _pipeline.Engine.EvidenceBytes, _pipeline.Engine.Options.EvidenceBudgetBytes),
        new("remembered_paths", _pipeline.RememberedPathBytes, _pipeline.Engine.Options.RememberedPathBudgetBytes),
        new("sink_queues", _alerts.QueuedBytes, _settings.Outputs.QueueBudgetBytes),
    ];

    /// <summary>Records left out of evidence because its budget was spent.</summary>
    public long EvidenceRecordsRefused => _pipeline.Engine.EvidenceRecordsRefused;

    /// <summary>Entries of the inode memory let go to stay within its count and bytes.</summary>
    public long RememberedPathsEvicted => _pipeline.RememberedPathEvictions;

    public long AlertsRaised => _alerts.PublishedCount;

    /// <summary>What became of the alerts given to each sink.</summary>
    public IReadOnlyList<SinkCounts> SinkCounts => _alerts.Counts;

    /// <summary>Alerts some output failed to write or let go.</summary>
    public long AlertsUndelivered => _alerts.Undelivered;

    /// <summary>Records whose path a pattern gave up on (counted as matching), by sequence: bsmtrace_pattern_errors_total.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> PatternFailures => _patternFailures.Counts;

    public TriggerCounts Triggers => new(_triggers.Succeeded, _triggers.Failed, _triggers.TimedOut, _triggers.Dropped);

    /// <summary>Whether the run is reading its source and matching (what /healthz answers): from the source's opening to the run's end.</summary>
    public bool IsReading => Volatile.Read(ref _reading) != 0;

    /// <summary>Records the kernel dropped from the audit pipe, over every time it was opened.</summary>
    public long PipeDrops => Volatile.Read(ref _source)?.PipeDrops ?? 0;

    /// <summary>Whether checkpoints are kept (a state directory was given).</summary>
    public bool KeepsCheckpoints => _checkpointer is not null;

    /// <summary>Live instances a checkpoint brought back at the start, and those of sequences that changed since, left out.</summary>
    public int InstancesRestored { get; private set; }

    public int InstancesDroppedAtStart { get; private set; }

    /// <summary>Records matched again after an unclean stop: they lay between the last checkpoint and where the last run had got to.</summary>
    public long RecordsReread => Interlocked.Read(ref _reread);

    /// <summary>Checkpoints written, and those that could not be.</summary>
    public long CheckpointsWritten => _checkpointer?.Written ?? 0;

    public long CheckpointFailures => _checkpointer?.Failed ?? 0;

    /// <summary>How long the last checkpoint took to write, outputs' syncing included.</summary>
    public TimeSpan CheckpointWriteTime => _checkpointer?.LastWriteTime ?? TimeSpan.Zero;

    /// <summary>
    /// How long records have been read without a checkpoint that holds them: zero when none was
    /// read since the last one (an idle source changes nothing to keep).
    /// </summary>
    public TimeSpan CheckpointAge
    {
        get
        {
            if (_checkpointer is null || Records <= Interlocked.Read(ref _recordsAtCheckpoint))
                return TimeSpan.Zero;
            return DateTimeOffset.UtcNow - (_checkpointer.LastWritten ?? _started);
        }
    }

    /// <summary>Whether the classic line of <paramref name="alert"/> is written to standard error (so a log event there would repeat it).</summary>
    public bool ReachesStderr(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return _alerts.ReachesStderr(alert.Sequence);
    }

    /// <summary>
    /// Has every output open its files again by name (SIGHUP, after newsyslog has moved them
    /// aside): completes once each has, after writing what was queued for it before.
    /// </summary>
    public Task ReopenOutputsAsync() => _alerts.ReopenAsync();

    /// <summary>
    /// Reads the source and matches every record until the source ends (with <c>--follow</c>,
    /// only when stopped: a FIFO is opened again for its next writer, a trail followed across
    /// rotations) or <paramref name="stop"/> is cancelled. Whatever was read is matched and handed
    /// to the outputs before this returns.
    /// </summary>
    public async Task<RunEnd> RunAsync(CancellationToken stop)
    {
        var source = AuditSource.Open(
            new SourceOptions { Path = _settings.Source, Follow = _settings.Follow, Poll = _settings.FollowPoll, AuditPipe = _settings.AuditPipe },
            _resume, _logger);
        Volatile.Write(ref _source, source);
        Volatile.Write(ref _reading, 1);
        if (_checkpointer is not null)
        {
            _checkpointTimer = new Timer(_ => _pipeline.RequestMark(), null, _settings.CheckpointInterval, _settings.CheckpointInterval);
            _progressTimer = new Timer(_ => WriteProgress(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }

        await using (source.ConfigureAwait(false))
        {
            try
            {
                _end = await ReadAllAsync(source, stop).ConfigureAwait(false);
            }
            finally
            {
                Volatile.Write(ref _reading, 0);
            }

            return _end.Value;
        }
    }

    private async Task<RunEnd> ReadAllAsync(AuditSource source, CancellationToken stop)
    {
        while (true)
        {
            SourceSegment? segment;
            try
            {
                segment = await source.NextAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return RunEnd.Stopped; // stopped while waiting for a FIFO's writer or a trail's next file
            }
            catch (IOException e)
            {
                _logger.LogError("{Reason}", e.Message);
                return RunEnd.Failed;
            }

            if (segment is null)
                return RunEnd.EndOfInput;

            try
            {
                DropPrivilegesOnce();
            }
            catch (IOException e)
            {
                await segment.DisposeAsync().ConfigureAwait(false);
                _logger.LogError("{Reason}", e.Message);
                return RunEnd.Failed;
            }

            await using (segment.ConfigureAwait(false))
            {
                try
                {
                    await _pipeline.RunAsync(segment, source.DisplayName, PipelineOptions(segment, source.CanWait), stop).ConfigureAwait(false);
                }
                catch (IOException e) when (!stop.IsCancellationRequested)
                {
                    _logger.LogError("{Source}: {Reason}", source.DisplayName, e.Message);
                    return RunEnd.Failed;
                }
                finally
                {
                    // The segment is read and matched: the engine is idle, and reader and engine stand at its end.
                    CheckpointSegmentEnd();
                }
            }

            if (stop.IsCancellationRequested)
                return RunEnd.Stopped;
        }
    }

    /// <summary>
    /// Becomes the configured user once the source is open: everything that needs root is open by
    /// then, and from here on the run (and every trigger it starts) has that user's rights alone.
    /// </summary>
    private void DropPrivilegesOnce()
    {
        if (_settings.Account is not { } account || _droppedPrivileges)
            return;
        Privileges.DropTo(account);
        _droppedPrivileges = true;
        _logger.LogInformation("Running as {User} (uid {Uid}, gid {Gid}) from now on: the source, outputs and state directory are open", account.Name, account.Uid, account.Gid);
    }

    /// <summary>
    /// Offers a new policy (which the run then owns, taken or not). Its outputs are opened first;
    /// if one cannot be, the policy is refused and the running policy and its outputs stay.
    /// Otherwise it replaces the running policy before the next batch is matched, keeping the live
    /// instances of every sequence whose definition did not change. A policy offered before the
    /// last one was applied replaces it.
    /// </summary>
    public ReloadResult TryApply(CompiledPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Dictionary<string, AlertSink> channels;
        try
        {
            foreach (var sink in _defaultSinks)
                sink.Prepare(policy);
            channels = _sinks.ChannelSinks(policy);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            policy.Dispose();
            return ReloadResult.Refused(e.Message);
        }

        var staged = new StagedPolicy(policy, channels);
        lock (_stageLock)
        {
            if (_disposed)
            {
                staged.Discard();
                return ReloadResult.Refused("the run has ended");
            }

            Interlocked.Exchange(ref _staged, staged)?.Discard();
        }

        return ReloadResult.Taken;
    }

    void IMatchConsumer.BeforeBatch(MatchPipeline pipeline)
    {
        if (Interlocked.Exchange(ref _staged, null) is not { } staged)
            return;
        var next = pipeline.Engine.Reload(staged.Policy, out int kept, out int dropped);
        pipeline.Engine = next;
        _alerts.SetChannels(staged.Policy, staged.Channels);
        // Nothing uses the old policy's compiled patterns after the swap; a storm of reloads must not pile them up.
        var previous = Interlocked.Exchange(ref _policy, staged.Policy);
        previous.Dispose();
        PolicyApplied?.Invoke(new PolicyApplied(staged.Policy, kept, dropped));
    }

    async ValueTask IMatchConsumer.ConsumeAsync(BatchResult result, RecordBatch batch, string source)
    {
        if (_rawDump is not null && result.MatchedRecords.Count > 0)
        {
            foreach (int i in result.MatchedRecords)
                _rawDump.Write(batch.Records[i].Raw.Span);
            _rawDump.Flush();
        }

        foreach (var failure in result.PatternFailures)
            _patternFailures.Add(failure);

        foreach (var alert in result.Alerts)
        {
            AlertRaised?.Invoke(alert);
            await _alerts.PublishAsync(alert).ConfigureAwait(false);
        }

        foreach (var trigger in result.Triggers)
        {
            if (_triggers.TryEnqueue(trigger))
                continue;
            if (_delivery == AlertDelivery.DropWhenFull)
                _triggers.Drop(trigger);
            else
                await _triggers.EnqueueAsync(trigger).ConfigureAwait(false);
        }

        if (_checkpointer is not null)
            Matched(batch);
    }

    /// <summary>After a batch's findings are with the outputs: the progress, what was read again, a gap said, and a checkpoint when one was asked for.</summary>
    private void Matched(RecordBatch batch)
    {
        if (batch.Count > 0 && batch.Source is { } source)
        {
            ref readonly var last = ref batch.Records[batch.Count - 1];
            Volatile.Write(ref _progress, source with { Offset = last.Offset + last.Raw.Length });
            CountReread(batch, source);
            if (_gapSince is { } since)
            {
                _gapSince = null;
                _logger.LogWarning("{Source} cannot be read again: records between {Before} (the last matched before the stop) and {After} (the first after it) were not seen",
                    _settings.Source, Time(since), Time(batch.Records[0].Seconds));
            }
        }

        if (batch.Mark is { } mark)
            SubmitCheckpoint(mark);
    }

    private static string Time(long seconds) =>
        DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private void CountReread(RecordBatch batch, SourcePosition source)
    {
        if (_rereadBefore is not { } before || source.Identity.Device != before.Identity.Device || source.Identity.Inode != before.Identity.Inode
            || source.Generation != before.Generation)
        {
            return;
        }

        int again = 0;
        for (int i = 0; i < batch.Count && batch.Records[i].Offset < before.Offset; i++)
            again++;
        Interlocked.Add(ref _reread, again);
        if (again < batch.Count)
        {
            _rereadBefore = null;
            _logger.LogInformation("{Records} records, matched before an unclean stop after the last checkpoint, were matched again; their alerts kept their ids",
                RecordsReread);
        }
    }

    private void SubmitCheckpoint(ReaderMark mark)
    {
        Interlocked.Exchange(ref _recordsAtCheckpoint, Records);
        var draft = new Checkpoint(mark, _pipeline.Engine.SaveInstances(), Clean: false, DateTimeOffset.UtcNow);
        _checkpointer!.Submit(draft, Task.WhenAll(_alerts.SyncAsync(), _triggers.DispatchedAsync()));
    }

    /// <summary>At the end of each segment (a file rotated away, a FIFO's writer gone, the stop): the reader's state with the engine's.</summary>
    private void CheckpointSegmentEnd()
    {
        if (_checkpointer is not null && _pipeline.LastMark is { } mark)
        {
            Volatile.Write(ref _progress, mark.Position);
            SubmitCheckpoint(mark);
        }
    }

    private void WriteProgress()
    {
        if (_progressFile is null || Volatile.Read(ref _progress) is not { } progress || ReferenceEquals(progress, _progressWritten))
            return;
        try
        {
            StateDirectory.WriteProgress(_progressFile, progress);
            _progressWritten = progress;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _logger.LogDebug("Progress of {Source} not noted: {Reason}", _settings.Source, e.Message);
        }
    }

    /// <summary>Takes the source's checkpoint back, when there is one: instances, inode memory and zone names now, the position for the run.</summary>
    private void Restore(StateDirectory state)
    {
        var loaded = state.Load(_settings.Source, _logger);
        try
        {
            _progressFile = state.OpenProgress(_settings.Source);
        }
        catch (IOException e)
        {
            _logger.LogWarning("{Source}: the progress between checkpoints cannot be noted ({Reason}); records read again after an unclean stop will not be counted",
                _settings.Source, e.Message);
        }

        if (loaded is null)
            return;

        var checkpoint = loaded.Checkpoint;
        var position = checkpoint.Reader.Position;
        _resume = position;
        if (!loaded.PositionOnly)
        {
            _pipeline.Restore(checkpoint.Reader);
            _pipeline.Engine.Restore(checkpoint.Instances, out int restored, out int dropped);
            InstancesRestored = restored;
            InstancesDroppedAtStart = dropped;
        }

        if (!position.IsFile)
            _gapSince = checkpoint.Reader.LastRecordSeconds is > 0 and var last ? last : null;
        // Matching went further than the checkpoint before an unclean stop: what lies between is read again.
        if (position.IsFile && _progressFile is not null && StateDirectory.ReadProgress(_progressFile) is { } progress
            && progress.Device == position.Identity.Device && progress.Inode == position.Identity.Inode && progress.Generation == position.Generation
            && progress.Offset > position.Offset)
        {
            _rereadBefore = position with { Offset = progress.Offset };
        }

        string how = _rereadBefore is { } again
            ? $"the last run stopped uncleanly past it, at byte {again.Offset}: the records between are matched again, their alerts with the same ids"
            : checkpoint.Clean ? "written at a clean stop" : "written on the way by a run that did not stop cleanly: records it matched after it are matched again, their alerts with the same ids";
        _logger.LogInformation(
            "Reading {Source} on from its checkpoint of {Written} ({How}): {Path}{Where}; {Restored} live instances restored, {Dropped} of sequences changed since left out",
            _settings.Source, checkpoint.WrittenAt.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), how,
            position.Path, position.IsFile ? $" at byte {position.Offset}" : "", InstancesRestored, InstancesDroppedAtStart);
        if (InstancesDroppedAtStart > 0)
            _logger.LogWarning("{Dropped} live instances of sequences changed or removed since the checkpoint were left out", InstancesDroppedAtStart);
    }

    private MatchPipelineOptions PipelineOptions(SourceSegment segment, bool canWait) =>
        // A file read to its end goes in large batches, two in flight: its reader simply waits.
        // Anything live (a pipe, FIFO, device, stdin, a followed trail) hands a batch on as soon
        // as no record waits behind it, with slack for bursts.
        segment.ReadToEnd
            ? new MatchPipelineOptions { BatchSize = MatchPipelineOptions.FileBatchSize }
            : new MatchPipelineOptions { Live = true, QueuedBatches = _settings.QueuedBatches, DropWhenBehind = !canWait };

    /// <summary>
    /// Lets every output drain (every alert raised is written or counted), waits for every trigger,
    /// writes the last checkpoint (clean when the run stopped as asked or reached the end of its
    /// input) and closes all.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        lock (_stageLock)
            _disposed = true;
        Interlocked.Exchange(ref _staged, null)?.Discard();
        if (_checkpointTimer is not null)
            await _checkpointTimer.DisposeAsync().ConfigureAwait(false);
        if (_progressTimer is not null)
            await _progressTimer.DisposeAsync().ConfigureAwait(false);
        if (_checkpointer is not null)
        {
            // The outputs make every alert raised last before the checkpoint that says they were.
            try
            {
                await Task.WhenAll(_alerts.SyncAsync(), _triggers.DispatchedAsync()).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                _logger.LogError("The outputs could not be synced before the last checkpoint: {Reason}", e.Message);
            }

            await _checkpointer.CompleteAsync(clean: _end is RunEnd.Stopped or RunEnd.EndOfInput).ConfigureAwait(false);
            WriteProgress();
        }

        await _alerts.DisposeAsync().ConfigureAwait(false);
        await _triggers.DisposeAsync().ConfigureAwait(false);
        _rawDump?.Dispose();
        _progressFile?.Dispose();
        _policy.Dispose();
    }

    /// <summary>A policy taken by <see cref="TryApply"/> with its opened outputs, waiting for the next batch.</summary>
    private sealed record StagedPolicy(CompiledPolicy Policy, Dictionary<string, AlertSink> Channels)
    {
        /// <summary>Superseded before it was applied: its outputs close, its compiled patterns go.</summary>
        public void Discard()
        {
            foreach (var sink in Channels.Values)
            {
                try
                {
                    sink.Dispose();
                }
                catch (IOException)
                {
                    // Nothing was written to it: there is nothing to lose.
                }
            }

            Policy.Dispose();
        }
    }
}
