using System.Diagnostics;
using System.Threading.Channels;
using BsmTrace.State;
using Microsoft.Extensions.Logging;

namespace BsmTrace.Running;

/// <summary>
/// Writes a run's checkpoints, in the background and in order, each only once what it stands on
/// is safe: every alert raised before its position written by every output (and made to last),
/// every trigger asked for before it started. A checkpoint whose outputs or file write failed is
/// counted and said; the one before it stays, and the next one tries again.
/// </summary>
internal sealed class Checkpointer
{
    private readonly StateDirectory _state;
    private readonly string _source;
    private readonly ILogger _logger;
    private readonly Channel<(Checkpoint Draft, Task Ready)> _queue =
        Channel.CreateUnbounded<(Checkpoint, Task)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writing;
    private readonly Lock _lock = new();
    private Checkpoint? _latest;
    private long _lastWrittenTicks;
    private long _lastWriteMicroseconds;
    private long _written;
    private long _failed;

    public Checkpointer(StateDirectory state, string source, ILogger logger)
    {
        _state = state;
        _source = source;
        _logger = logger;
        _writing = Task.Run(WriteAllAsync);
    }

    /// <summary>When the last checkpoint was written, or null before the first.</summary>
    public DateTimeOffset? LastWritten
    {
        get
        {
            long ticks = Interlocked.Read(ref _lastWrittenTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>How long the last checkpoint took, from asking the outputs to the rename on disk.</summary>
    public TimeSpan LastWriteTime => TimeSpan.FromMicroseconds(Interlocked.Read(ref _lastWriteMicroseconds));

    public long Written => Interlocked.Read(ref _written);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>
    /// A checkpoint to write once <paramref name="ready"/> completes: the outputs' and triggers'
    /// word that what came before the checkpoint's position is safe, asked for by the caller just
    /// before.
    /// </summary>
    public void Submit(Checkpoint draft, Task ready)
    {
        lock (_lock)
            _latest = draft;
        _queue.Writer.TryWrite((draft, ready));
    }

    /// <summary>Writes what is queued, then the latest checkpoint again, marked clean when the run stopped as asked.</summary>
    public async Task CompleteAsync(bool clean)
    {
        _queue.Writer.TryComplete();
        await _writing.ConfigureAwait(false);
        Checkpoint? latest;
        lock (_lock)
            latest = _latest;
        if (clean && latest is not null)
            await WriteAsync(latest with { Clean = true, WrittenAt = DateTimeOffset.UtcNow }, Task.CompletedTask).ConfigureAwait(false);
    }

    private async Task WriteAllAsync()
    {
        await foreach (var (draft, ready) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            await WriteAsync(draft, ready).ConfigureAwait(false);
    }

    private async Task WriteAsync(Checkpoint draft, Task ready)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await ready.ConfigureAwait(false);
            _state.Write(_source, draft with { WrittenAt = DateTimeOffset.UtcNow });
            Interlocked.Exchange(ref _lastWrittenTicks, DateTimeOffset.UtcNow.UtcTicks);
            Interlocked.Exchange(ref _lastWriteMicroseconds, (long)clock.Elapsed.TotalMicroseconds);
            Interlocked.Increment(ref _written);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            long failed = Interlocked.Increment(ref _failed);
            if (failed == 1 || failed % 100 == 0)
                _logger.LogError("Checkpoint of {Source} not written ({Failures} so far): {Reason}; the one before it stays", _source, failed, e.Message);
        }
    }
}
