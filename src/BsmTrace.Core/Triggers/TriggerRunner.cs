using System.ComponentModel;
using System.Diagnostics;
using System.Threading.Channels;
using BsmTrace.Matching;
using Microsoft.Extensions.Logging;

namespace BsmTrace.Triggers;

/// <summary>
/// Runs trigger commands: argv as the policy's template made it (no shell ever
/// sees it), standard input empty, output discarded, a time limit after which
/// the child and its descendants are killed, a cap on how many run at once,
/// and every child waited for, so none is left a zombie. Results are counted
/// by outcome; failures are logged.
/// </summary>
public sealed class TriggerRunner : IAsyncDisposable
{
    private readonly TriggerRunnerOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<TriggerRequest> _queue;
    private readonly Task[] _workers;
    private long _succeeded;
    private long _failed;
    private long _timedOut;
    private long _dropped;
    private long _asked;
    private long _dispatched;
    private readonly Lock _waitersLock = new();
    private readonly List<(long Mark, TaskCompletionSource Done)> _waiters = [];

    public TriggerRunner(TriggerRunnerOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger;
        _queue = Channel.CreateBounded<TriggerRequest>(new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.Wait });
        _workers = Enumerable.Range(0, Math.Max(1, options.MaxConcurrent)).Select(_ => Task.Run(WorkAsync)).ToArray();
    }

    public long Succeeded => Interlocked.Read(ref _succeeded);

    /// <summary>Exited non-zero, or could not be started.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public long TimedOut => Interlocked.Read(ref _timedOut);

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues a trigger if there is room; false when every slot of the queue is taken.</summary>
    public bool TryEnqueue(TriggerRequest request)
    {
        if (!_queue.Writer.TryWrite(request))
            return false;
        Interlocked.Increment(ref _asked);
        return true;
    }

    /// <summary>Queues a trigger, waiting for room: for a source that can wait, no trigger is let go.</summary>
    public async ValueTask EnqueueAsync(TriggerRequest request)
    {
        await _queue.Writer.WriteAsync(request).ConfigureAwait(false);
        Interlocked.Increment(ref _asked);
    }

    /// <summary>
    /// Completes when every trigger queued before the call has been started (or has failed to
    /// start): a checkpoint is written only once the triggers asked for before it are on their way.
    /// </summary>
    public Task DispatchedAsync()
    {
        long mark = Interlocked.Read(ref _asked);
        lock (_waitersLock)
        {
            if (Interlocked.Read(ref _dispatched) >= mark)
                return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((mark, done));
            return done.Task;
        }
    }

    /// <summary>A trigger taken from the queue has been started (or could not be): wakes those waiting for it.</summary>
    private void Dispatched()
    {
        long dispatched = Interlocked.Increment(ref _dispatched);
        lock (_waitersLock)
        {
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Mark <= dispatched)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>A trigger the queue had no room for, let go because the source cannot wait: counted, and said.</summary>
    public void Drop(TriggerRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        long n = Interlocked.Increment(ref _dropped);
        if (n == 1 || n % 1000 == 0)
            _logger.LogWarning("Triggers are behind and the audit pipe cannot wait for them: {Dropped} let go so far, the last of sequence {Sequence}", n, request.Sequence);
    }

    /// <summary>Runs what is queued, waits for every child, and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_workers).ConfigureAwait(false);
        if (Dropped > 0)
            _logger.LogWarning("{Dropped} triggers were dropped: more were asked for than could run", Dropped);
    }

    private async Task WorkAsync()
    {
        await foreach (var request in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            await RunAsync(request).ConfigureAwait(false);
    }

    private async Task RunAsync(TriggerRequest request)
    {
        var start = new ProcessStartInfo(request.Argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in request.Argv.Skip(1))
            start.ArgumentList.Add(arg);

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
        {
            Interlocked.Increment(ref _failed);
            _logger.LogError("Trigger of sequence {Sequence} could not start {Program}: {Reason}", request.Sequence, request.Argv[0], e.Message);
            return;
        }
        finally
        {
            Dispatched();
        }

        if (process is null)
        {
            Interlocked.Increment(ref _failed);
            return;
        }

        using (process)
        {
            process.StandardInput.Close();
            // Read and discard the output so that a chatty child never blocks on a full pipe.
            var drainOut = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            var drainErr = process.StandardError.ReadToEndAsync();

            using var timeout = new CancellationTokenSource(_options.Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
                Interlocked.Increment(ref _timedOut);
                _logger.LogError("Trigger of sequence {Sequence} ({Program}) ran longer than {Timeout} and was killed", request.Sequence, request.Argv[0], _options.Timeout);
                return;
            }

            await drainOut.ConfigureAwait(false);
            string errors = await drainErr.ConfigureAwait(false);
            if (process.ExitCode == 0)
            {
                Interlocked.Increment(ref _succeeded);
            }
            else
            {
                Interlocked.Increment(ref _failed);
                _logger.LogError("Trigger of sequence {Sequence} ({Program}) exited with status {Status}: {Output}",
                    request.Sequence, request.Argv[0], process.ExitCode, errors.Length > 200 ? errors[..200] : errors.TrimEnd());
            }
        }
    }
}
