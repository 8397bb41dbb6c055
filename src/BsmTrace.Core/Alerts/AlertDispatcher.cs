using System.Threading.Channels;
using BsmTrace.Matching;
using Microsoft.Extensions.Logging;

namespace BsmTrace.Alerts;

/// <summary>
/// Hands each alert to its sinks: the ones the command line or settings chose
/// get every alert, and a sequence's log channels get its own. Each sink has
/// a bounded queue and a task of its own, so a sink that blocks (a full disk,
/// a syslog that does not answer) or fails holds up neither matching nor the
/// other sinks: its failures are logged and counted, and what does not fit
/// in its queue is dropped and counted.
/// </summary>
public sealed class AlertDispatcher : IAsyncDisposable
{
    public const int DefaultQueueCapacity = 10_000;

    private readonly List<SinkQueue> _defaults;
    private Dictionary<string, SinkQueue> _channels;
    private readonly int _queueCapacity;
    private readonly List<SinkQueue> _retired = [];
    private readonly ILogger _logger;
    private long _published;

    public AlertDispatcher(IEnumerable<AlertSink> defaults, IReadOnlyDictionary<string, AlertSink> channels, ILogger logger,
        int queueCapacity = DefaultQueueCapacity)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(channels);
        _logger = logger;
        _queueCapacity = queueCapacity;
        _defaults = defaults.Select(s => new SinkQueue(s, queueCapacity, logger)).ToList();
        _channels = channels.ToDictionary(c => c.Key, c => new SinkQueue(c.Value, queueCapacity, logger), StringComparer.Ordinal);
    }

    /// <summary>Raised for every alert, on the publishing thread (structured logs, metrics).</summary>
    public event Action<Alert>? Published;

    public long PublishedCount => Interlocked.Read(ref _published);

    /// <summary>Failures and drops per sink name, for metrics.</summary>
    public IEnumerable<(string Sink, long Failures, long Dropped)> SinkStatistics =>
        _defaults.Concat(_channels.Values).Select(q => (q.Sink.Name, q.Failures, q.Dropped));

    public void Publish(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        Interlocked.Increment(ref _published);
        Published?.Invoke(alert);
        foreach (var q in _defaults)
            q.Enqueue(alert);
        foreach (var channel in alert.Sequence.LogChannels)
        {
            if (_channels.TryGetValue(channel.Name, out var q))
                q.Enqueue(alert);
        }
    }

    /// <summary>
    /// Replaces the log channels' sinks (a reloaded policy); the old ones drain
    /// and close in the background. Call from the publishing thread.
    /// </summary>
    public void ReplaceChannels(IReadOnlyDictionary<string, AlertSink> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        var old = _channels;
        _channels = channels.ToDictionary(c => c.Key, c => new SinkQueue(c.Value, _queueCapacity, _logger), StringComparer.Ordinal);
        foreach (var q in old.Values)
        {
            q.Complete();
            _retired.Add(q);
        }
    }

    /// <summary>Lets every queue drain, flushes and closes the sinks.</summary>
    public async ValueTask DisposeAsync()
    {
        var all = _defaults.Concat(_channels.Values).Concat(_retired).ToList();
        foreach (var q in all)
            q.Complete();
        foreach (var q in all)
        {
            await q.Drained.ConfigureAwait(false);
            q.Close();
        }

        foreach (var q in all.Where(q => q.Dropped > 0))
            _logger.LogWarning("Alert sink {Sink} dropped {Dropped} alerts it could not keep up with", q.Sink.Name, q.Dropped);
    }

    private sealed class SinkQueue
    {
        private readonly Channel<Alert> _queue;
        private readonly ILogger _logger;
        private long _failures;
        private long _dropped;

        public SinkQueue(AlertSink sink, int capacity, ILogger logger)
        {
            Sink = sink;
            _logger = logger;
            _queue = Channel.CreateBounded<Alert>(
                new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
                _ => Interlocked.Increment(ref _dropped));
            Drained = Task.Run(PumpAsync);
        }

        public AlertSink Sink { get; }

        public Task Drained { get; }

        public long Failures => Interlocked.Read(ref _failures);

        public long Dropped => Interlocked.Read(ref _dropped);

        public void Enqueue(Alert alert) => _queue.Writer.TryWrite(alert);

        public void Complete() => _queue.Writer.TryComplete();

        /// <summary>Closes the sink; closing flushes, and a flush can fail like a write.</summary>
        public void Close()
        {
            try
            {
                Sink.Dispose();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ObjectDisposedException)
            {
                Fail(e);
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
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ObjectDisposedException)
                    {
                        Fail(e);
                    }
                }

                try
                {
                    Sink.Flush();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ObjectDisposedException)
                {
                    Fail(e);
                }
            }
        }

        private void Fail(Exception e)
        {
            long n = Interlocked.Increment(ref _failures);
            // The first failure, then one in a thousand: a full disk must not flood the log too.
            if (n == 1 || n % 1000 == 0)
                _logger.LogError("Alert sink {Sink} failed ({Failures} failures so far): {Reason}", Sink.Name, n, e.Message);
        }
    }
}
