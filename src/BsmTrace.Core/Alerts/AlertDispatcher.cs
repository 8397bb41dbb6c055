using BsmTrace.Matching;
using BsmTrace.Policy;
using Microsoft.Extensions.Logging;

namespace BsmTrace.Alerts;

/// <summary>
/// Hands each alert to its outputs: the sinks the command line or settings chose get every alert,
/// and a sequence's log channels get its own; an alert goes once to each destination, however
/// many sinks name it (stderr under <c>-F</c> and a stderr channel are one stream). Each sink has
/// a bounded queue and a task of its own, so a sink that fails holds up neither matching nor the
/// other sinks. When a queue is full, publishing waits for it, or, for a source that cannot wait
/// (<see cref="AlertDelivery.DropWhenFull"/>), lets the alert go for that sink and counts it.
/// </summary>
/// <remarks>Publish and replace channels from one thread (the matcher's); counts may be read from any.</remarks>
public sealed class AlertDispatcher : IAsyncDisposable
{
    public const int DefaultQueueCapacity = 10_000;

    /// <summary>Bytes of alerts each output's queue may hold: with the evidence budget, what keeps a stalled output from taking the machine's memory.</summary>
    public const long DefaultQueueBytes = 32L << 20;

    private readonly List<SinkQueue> _defaults;
    private readonly AlertDelivery _delivery;
    private readonly int _queueCapacity;
    private readonly long _queueBytes;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly List<SinkQueue> _retiring = [];
    private readonly List<Task> _closing = [];
    private readonly Dictionary<string, SinkCounts> _retired = new(StringComparer.Ordinal);
    private List<SinkQueue> _channels = [];
    private Dictionary<SequenceDefinition, Route> _routes = new(ReferenceEqualityComparer.Instance);
    private long _published;

    public AlertDispatcher(IEnumerable<AlertSink> defaults, AlertDelivery delivery, ILogger logger, int queueCapacity = DefaultQueueCapacity, long queueBytes = DefaultQueueBytes)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        _delivery = delivery;
        _logger = logger;
        _queueCapacity = queueCapacity;
        _queueBytes = queueBytes;
        _defaults = defaults.Select(s => new SinkQueue(s, queueCapacity, logger, queueBytes)).ToList();
    }

    /// <summary>Bytes of alerts waiting in the open outputs' queues (any thread).</summary>
    public long QueuedBytes
    {
        get
        {
            lock (_lock)
                return _defaults.Concat(_channels).Concat(_retiring).Sum(q => q.QueuedBytes);
        }
    }

    public long PublishedCount => Interlocked.Read(ref _published);

    /// <summary>What became of the alerts, per sink name, since the dispatcher was made: counters that only grow.</summary>
    public IReadOnlyList<SinkCounts> Counts
    {
        get
        {
            lock (_lock)
            {
                var all = new Dictionary<string, SinkCounts>(_retired, StringComparer.Ordinal);
                foreach (var q in _defaults.Concat(_channels).Concat(_retiring))
                {
                    var c = q.Counts;
                    all[c.Sink] = all.TryGetValue(c.Sink, out var before) ? before.Add(c) : c;
                }

                return [.. all.Values];
            }
        }
    }

    /// <summary>Alerts some sink failed to write or let go: not every output has every alert.</summary>
    public long Undelivered => Counts.Sum(c => c.Failures + c.Dropped);

    /// <summary>
    /// Takes the log channels' sinks of <paramref name="policy"/>, and routes its sequences' alerts
    /// from now on. The channels of the policy before drain and close in the background.
    /// </summary>
    public void SetChannels(CompiledPolicy policy, IReadOnlyDictionary<string, AlertSink> channels)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(channels);
        var queues = channels.ToDictionary(c => c.Key, c => new SinkQueue(c.Value, _queueCapacity, _logger, _queueBytes), StringComparer.Ordinal);
        var routes = new Dictionary<SequenceDefinition, Route>(ReferenceEqualityComparer.Instance);
        foreach (var sequence in policy.Sequences)
        {
            var destinations = new HashSet<string>(StringComparer.Ordinal);
            var route = new List<SinkQueue>();
            foreach (var q in _defaults.Concat(sequence.LogChannels.Select(c => queues[c.Name])))
            {
                if (destinations.Add(q.Sink.DestinationOf(sequence)))
                    route.Add(q);
            }

            routes.Add(sequence, new Route([.. route], destinations.Contains(ClassicLineSink.StderrDestination)));
        }

        List<SinkQueue> old;
        lock (_lock)
        {
            old = _channels;
            _channels = [.. queues.Values];
            _retiring.AddRange(old);
        }

        _routes = routes;
        foreach (var q in old)
            Retire(q);
    }

    /// <summary>
    /// Completes when every alert published before the call has been written (or counted as
    /// missed) by every output, and the outputs have made it last (<see cref="AlertSink.Sync"/>).
    /// Call from the publishing thread; it never waits itself.
    /// </summary>
    public Task SyncAsync()
    {
        List<SinkQueue> open;
        lock (_lock)
            open = [.. _defaults, .. _channels];
        return Task.WhenAll(open.Select(q => q.SyncAsync()));
    }

    /// <summary>
    /// Has every output open its files again (SIGHUP, after newsyslog has moved them aside), each
    /// once it has written what was queued for it before: completes when all have. Any thread.
    /// </summary>
    public Task ReopenAsync()
    {
        List<SinkQueue> open;
        lock (_lock)
            open = [.. _defaults, .. _channels];
        return Task.WhenAll(open.Select(q => q.ReopenAsync()));
    }

    /// <summary>Whether the alerts of <paramref name="sequence"/> are written to standard error as classic lines.</summary>
    public bool ReachesStderr(SequenceDefinition sequence) => RouteOf(sequence).ToStderr;

    /// <summary>
    /// Queues <paramref name="alert"/> for each of its outputs. Completes at once unless an output's
    /// queue is full and the delivery is <see cref="AlertDelivery.Wait"/>: then when there is room.
    /// </summary>
    public ValueTask PublishAsync(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        Interlocked.Increment(ref _published);
        var queues = RouteOf(alert.Sequence).Queues;
        for (int i = 0; i < queues.Length; i++)
        {
            if (queues[i].TryEnqueue(alert))
                continue;
            if (_delivery == AlertDelivery.DropWhenFull)
                queues[i].Drop();
            else
                return WaitForRoomAsync(queues, i, alert);
        }

        return ValueTask.CompletedTask;
    }

    private static async ValueTask WaitForRoomAsync(SinkQueue[] queues, int from, Alert alert)
    {
        await queues[from].EnqueueAsync(alert).ConfigureAwait(false);
        for (int i = from + 1; i < queues.Length; i++)
        {
            if (!queues[i].TryEnqueue(alert))
                await queues[i].EnqueueAsync(alert).ConfigureAwait(false);
        }
    }

    // A sequence the routes do not know has only the default outputs (an engine made without SetChannels: tests).
    private Route RouteOf(SequenceDefinition sequence) =>
        _routes.TryGetValue(sequence, out var route) ? route : new Route([.. _defaults], _defaults.Any(q => q.Sink.DestinationOf(sequence) == ClassicLineSink.StderrDestination));

    private void Retire(SinkQueue queue)
    {
        queue.Complete();
        var closed = queue.Drained.ContinueWith(_ =>
        {
            queue.Close();
            lock (_lock)
            {
                _retiring.Remove(queue);
                var c = queue.Counts;
                _retired[c.Sink] = _retired.TryGetValue(c.Sink, out var before) ? before.Add(c) : c;
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        lock (_lock)
        {
            _closing.RemoveAll(t => t.IsCompleted);
            _closing.Add(closed);
        }
    }

    /// <summary>Lets every queue drain, flushes and closes the sinks, and says what could not be written.</summary>
    public async ValueTask DisposeAsync()
    {
        List<SinkQueue> open;
        List<Task> closing;
        lock (_lock)
        {
            open = [.. _defaults, .. _channels];
            closing = [.. _closing];
        }

        foreach (var q in open)
            q.Complete();
        foreach (var q in open)
        {
            await q.Drained.ConfigureAwait(false);
            q.Close();
        }

        await Task.WhenAll(closing).ConfigureAwait(false);

        foreach (var c in Counts.Where(c => c.Failures + c.Dropped > 0))
            _logger.LogWarning("Alert sink {Sink} did not write {Missed} of {Alerts} alerts ({Failures} failed, {Dropped} let go)",
                c.Sink, c.Failures + c.Dropped, c.Written + c.Failures + c.Dropped, c.Failures, c.Dropped);
    }

    private sealed record Route(SinkQueue[] Queues, bool ToStderr);
}
