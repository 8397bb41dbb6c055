using BsmTrace.Alerts;
using BsmTrace.Matching;
using BsmTrace.Policy;
using BsmTrace.Sources;
using BsmTrace.Triggers;
using BsmTrace.Unix;
using Microsoft.Extensions.Logging;

namespace BsmTrace.Running;

/// <summary>
/// One run of the detector, and the one owner of everything it uses: the source (and, for the
/// audit pipe, its settings and drop watch), the pipeline with its reader, batcher, zone and inode
/// memories and engine, and the outputs (alert sinks, triggers, the raw dump). It is built in one
/// place (<see cref="Open"/>) and torn down in one place (<see cref="DisposeAsync"/>), for the
/// trail command and the service alike. A new policy comes through <see cref="TryApply"/>, which
/// opens the policy's outputs before anything changes and swaps it in between batches.
/// </summary>
public sealed class DetectorRun : IMatchConsumer, IAsyncDisposable
{
    private readonly RunSettings _settings;
    private readonly ILogger _logger;
    private readonly AlertSinkFactory _sinks;
    private readonly IReadOnlyList<AlertSink> _defaultSinks;
    private readonly AlertDispatcher _alerts;
    private readonly TriggerRunner _triggers;
    private readonly Stream? _rawDump;
    private readonly MatchPipeline _pipeline;
    private readonly AlertDelivery _delivery;
    private readonly Lock _stageLock = new();
    private CompiledPolicy _policy;
    private StagedPolicy? _staged;
    private bool _disposed;
    private AuditPipeMonitor? _pipe;
    private long _pipeDropsBefore;

    private DetectorRun(RunSettings settings, CompiledPolicy policy, AlertSinkFactory sinks, List<AlertSink> defaults,
        Dictionary<string, AlertSink> channels, UserDatabase users, ILogger logger)
    {
        _settings = settings;
        _logger = logger;
        _sinks = sinks;
        _defaultSinks = defaults;
        _policy = policy;
        _delivery = settings.SourceCannotWait ? AlertDelivery.DropWhenFull : AlertDelivery.Wait;
        _alerts = new AlertDispatcher(defaults, _delivery, logger);
        _alerts.SetChannels(policy, channels);
        _triggers = new TriggerRunner(settings.Triggers, logger);
        _rawDump = settings.RawDump ? Console.OpenStandardOutput() : null;
        _pipeline = new MatchPipeline(new MatchEngine(policy, settings.Engine, users), this, logger);
    }

    /// <summary>
    /// Makes a run of <paramref name="policy"/> (which it then owns) and opens every output the
    /// settings and the policy name.
    /// </summary>
    /// <exception cref="IOException">An output cannot be opened: one line naming it and the path.</exception>
    public static DetectorRun Open(RunSettings settings, CompiledPolicy policy, UserDatabase users, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(policy);
        var sinks = new AlertSinkFactory(settings.Outputs, users);
        var defaults = sinks.DefaultSinks();
        try
        {
            foreach (var sink in defaults)
                sink.Prepare(policy);
            var channels = sinks.ChannelSinks(policy);
            return new DetectorRun(settings, policy, sinks, defaults, channels, users, logger);
        }
        catch
        {
            foreach (var sink in defaults)
                sink.Dispose();
            throw;
        }
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

    public long AlertsRaised => _alerts.PublishedCount;

    /// <summary>What became of the alerts given to each sink.</summary>
    public IReadOnlyList<SinkCounts> SinkCounts => _alerts.Counts;

    /// <summary>Alerts some output failed to write or let go.</summary>
    public long AlertsUndelivered => _alerts.Undelivered;

    public TriggerCounts Triggers => new(_triggers.Succeeded, _triggers.Failed, _triggers.TimedOut, _triggers.Dropped);

    /// <summary>Records the kernel dropped from the audit pipe, over every time it was opened.</summary>
    public long PipeDrops => _pipeDropsBefore + (Volatile.Read(ref _pipe)?.Drops ?? 0);

    /// <summary>Whether the classic line of <paramref name="alert"/> is written to standard error (so a log event there would repeat it).</summary>
    public bool ReachesStderr(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return _alerts.ReachesStderr(alert.Sequence);
    }

    /// <summary>
    /// Reads the source and matches every record until the source ends (with <c>--follow</c>,
    /// only when stopped: a FIFO is opened again for its next writer, a trail followed across
    /// rotations) or <paramref name="stop"/> is cancelled. Whatever was read is matched and handed
    /// to the outputs before this returns.
    /// </summary>
    public async Task<RunEnd> RunAsync(CancellationToken stop)
    {
        string name = TrailSource.DisplayName(_settings.Source);
        do
        {
            Stream input;
            try
            {
                input = await OpenSourceAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return RunEnd.Stopped; // stopped while waiting for a FIFO's writer
            }
            catch (IOException e)
            {
                _logger.LogError("{Reason}", e.Message);
                return RunEnd.Failed;
            }

            try
            {
                await using (input.ConfigureAwait(false))
                    await _pipeline.RunAsync(input, name, PipelineOptions(input), stop).ConfigureAwait(false);
            }
            catch (IOException e) when (!stop.IsCancellationRequested)
            {
                _logger.LogError("{Source}: {Reason}", name, e.Message);
                return RunEnd.Failed;
            }
            finally
            {
                ClosePipe();
            }
        }
        while (_settings.Follow && !stop.IsCancellationRequested);

        return stop.IsCancellationRequested ? RunEnd.Stopped : RunEnd.EndOfInput;
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

    ValueTask IMatchConsumer.ConsumeAsync(BatchResult result, RecordBatch batch, string source)
    {
        if (_rawDump is not null && result.MatchedRecords.Count > 0)
        {
            foreach (int i in result.MatchedRecords)
                _rawDump.Write(batch.Records[i].Raw.Span);
            _rawDump.Flush();
        }

        for (int a = 0; a < result.Alerts.Count; a++)
        {
            var alert = result.Alerts[a];
            AlertRaised?.Invoke(alert);
            var published = _alerts.PublishAsync(alert);
            if (!published.IsCompletedSuccessfully)
                return DeliverRestAsync(published, result, a);
        }

        return QueueTriggersAsync(result, 0);
    }

    // The slow path, when an output's queue is full and the source can wait: the rest of the batch's findings after it.
    private async ValueTask DeliverRestAsync(ValueTask waiting, BatchResult result, int alert)
    {
        await waiting.ConfigureAwait(false);
        for (int a = alert + 1; a < result.Alerts.Count; a++)
        {
            AlertRaised?.Invoke(result.Alerts[a]);
            await _alerts.PublishAsync(result.Alerts[a]).ConfigureAwait(false);
        }

        await QueueTriggersAsync(result, 0).ConfigureAwait(false);
    }

    private ValueTask QueueTriggersAsync(BatchResult result, int from)
    {
        for (int t = from; t < result.Triggers.Count; t++)
        {
            var trigger = result.Triggers[t];
            if (_triggers.TryEnqueue(trigger))
                continue;
            if (_delivery == AlertDelivery.DropWhenFull)
                _triggers.Drop(trigger);
            else
                return WaitForTriggerRoomAsync(result, t);
        }

        return ValueTask.CompletedTask;
    }

    private async ValueTask WaitForTriggerRoomAsync(BatchResult result, int t)
    {
        await _triggers.EnqueueAsync(result.Triggers[t]).ConfigureAwait(false);
        await QueueTriggersAsync(result, t + 1).ConfigureAwait(false);
    }

    private MatchPipelineOptions PipelineOptions(Stream input)
    {
        // A file read to its end goes in large batches, two in flight: its reader simply waits.
        // Anything live (a pipe, FIFO, device, stdin, a followed trail) hands a batch on as soon
        // as no record waits behind it, with slack for bursts.
        bool readToEnd = input.CanSeek && !_settings.Follow;
        return readToEnd
            ? new MatchPipelineOptions { BatchSize = MatchPipelineOptions.FileBatchSize }
            : new MatchPipelineOptions { Live = true, QueuedBatches = _settings.QueuedBatches, DropWhenBehind = _settings.SourceCannotWait };
    }

    private async Task<Stream> OpenSourceAsync(CancellationToken stop)
    {
        string source = _settings.Source;
        if (_settings.Follow && source != "-" && FileKind.IsRegularFile(source))
            return new FollowingFileStream(source, _logger, _settings.FollowPoll, stop);

        var stream = await TrailSource.OpenAsync(source, stop).ConfigureAwait(false);
        if (AuditPipe.IsAuditPipe(source) && stream is InterruptibleStream device)
        {
            if (AuditPipe.IsSupported)
            {
                try
                {
                    Volatile.Write(ref _pipe, AuditPipeMonitor.Start(device.SafeFileHandle, _settings.AuditPipe, _logger));
                }
                catch
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }
            else
            {
                _logger.LogWarning("{Source}: audit pipe settings (preselection, queue limit, drop counts) are not available on this system; reading it as it is", source);
            }
        }

        return stream;
    }

    private void ClosePipe()
    {
        if (Volatile.Read(ref _pipe) is not { } pipe)
            return;
        pipe.Report();
        _pipeDropsBefore += pipe.Drops;
        Volatile.Write(ref _pipe, null);
        pipe.Dispose();
    }

    /// <summary>Lets every output drain (every alert raised is written or counted), waits for every trigger, and closes all.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_stageLock)
            _disposed = true;
        Interlocked.Exchange(ref _staged, null)?.Discard();
        await _alerts.DisposeAsync().ConfigureAwait(false);
        await _triggers.DisposeAsync().ConfigureAwait(false);
        _rawDump?.Dispose();
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
