using System.Collections;
using System.Text;
using System.Threading.Channels;
using BsmTrace.Matching;
using BsmTrace.Unix;
using Microsoft.Extensions.Logging;

namespace BsmTrace.Triggers;

/// <summary>
/// Runs trigger commands: the program the policy named (resolved when it loaded), argv as the
/// policy's template made it, in exact bytes (no shell ever sees it), standard input empty,
/// output drained and only its start kept for the log, each in a process group of its own. A time
/// limit covers the whole run: at the limit the group is killed and the slot is free, whatever
/// the descendants do. A cap on how many run at once, and every child waited for, so none is
/// left a zombie. Results are counted by outcome; failures are logged.
/// </summary>
public sealed class TriggerRunner : IAsyncDisposable
{
    // Of a failing trigger's output, what is said in the log.
    private const int KeptOutputBytes = 200;

    private readonly TriggerRunnerOptions _options;
    private readonly byte[][] _environment;
    private readonly ILogger _logger;
    // Each trigger queued gets the next ticket: with several workers they start out of order, and a
    // checkpoint must wait for every one queued before it, not for as many as were queued.
    private readonly Channel<(long Ticket, TriggerRequest Request)> _queue;
    private readonly HashSet<long> _startedAhead = [];
    private long _startedUpTo;
    private readonly Task[] _workers;
    private long _succeeded;
    private long _failed;
    private long _timedOut;
    private long _dropped;
    private long _asked;
    private readonly Lock _waitersLock = new();
    private readonly List<(long Mark, TaskCompletionSource Done)> _waiters = [];

    public TriggerRunner(TriggerRunnerOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger;
        _environment = [.. Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Select(e => Encoding.UTF8.GetBytes($"{e.Key}={e.Value}"))];
        _queue = Channel.CreateBounded<(long, TriggerRequest)>(new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.Wait });
        _workers = Enumerable.Range(0, Math.Max(1, options.MaxConcurrent)).Select(_ => Task.Run(WorkAsync)).ToArray();
    }

    public long Succeeded => Interlocked.Read(ref _succeeded);

    /// <summary>Exited non-zero, or could not be started.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public long TimedOut => Interlocked.Read(ref _timedOut);

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues a trigger if there is room; false when every slot of the queue is taken. From one thread (the matcher's).</summary>
    public bool TryEnqueue(TriggerRequest request)
    {
        long ticket = Interlocked.Read(ref _asked) + 1;
        if (!_queue.Writer.TryWrite((ticket, request)))
            return false;
        Interlocked.Exchange(ref _asked, ticket);
        return true;
    }

    /// <summary>Queues a trigger, waiting for room: for a source that can wait, no trigger is let go. From one thread (the matcher's).</summary>
    public async ValueTask EnqueueAsync(TriggerRequest request)
    {
        long ticket = Interlocked.Read(ref _asked) + 1;
        await _queue.Writer.WriteAsync((ticket, request)).ConfigureAwait(false);
        Interlocked.Exchange(ref _asked, ticket);
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
            if (_startedUpTo >= mark)
                return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((mark, done));
            return done.Task;
        }
    }

    /// <summary>The trigger of <paramref name="ticket"/> has been started (or could not be): wakes those waiting for every one up to it.</summary>
    private void Dispatched(long ticket)
    {
        lock (_waitersLock)
        {
            _startedAhead.Add(ticket);
            while (_startedAhead.Remove(_startedUpTo + 1))
                _startedUpTo++;
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Mark <= _startedUpTo)
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
        await foreach (var (ticket, request) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            await RunAsync(ticket, request).ConfigureAwait(false);
    }

    private async Task RunAsync(long ticket, TriggerRequest request)
    {
        try
        {
            await RunChildAsync(ticket, request).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A worker that died would leave its slot, and every trigger after it, waiting for ever.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _failed);
            _logger.LogError("Trigger of sequence {Sequence} ({Program}) failed: {Reason}", request.Sequence, request.CommandLine, e.Message);
        }
    }

    private async Task RunChildAsync(long ticket, TriggerRequest request)
    {
        // The limit covers the whole run: the child, whatever it leaves holding its output, and
        // the draining of that output. When it passes the slot is free, whatever is left.
        var deadline = DateTime.UtcNow + _options.Timeout;
        SpawnedProcess child;
        try
        {
            if (request.Program is null)
                throw new IOException($"{request.CommandLine.Split(' ')[0]}: not found in the search path when the policy was loaded");
            // Checked when the policy loaded, and again now: the program, or a directory above it,
            // may have changed hands since.
            if (FileTrust.Of(request.Program) is { } problem)
                throw new IOException($"{problem}; not run");
            child = SpawnedProcess.Start(request.Program, request.Argv, _environment);
        }
        catch (IOException e)
        {
            Interlocked.Increment(ref _failed);
            _logger.LogError("Trigger of sequence {Sequence} could not start: {Reason}", request.Sequence, e.Message);
            return;
        }
        finally
        {
            Dispatched(ticket);
        }

        using (child)
        {
            // When the child ends, what it started in its process group ends with it.
            var exit = Task.Factory.StartNew(child.WaitForExitEndingGroup, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var output = Task.Factory.StartNew(() => child.DrainOutput(deadline, KeptOutputBytes), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            bool timedOut = false;
            try
            {
                var left = deadline - DateTime.UtcNow;
                await exit.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                timedOut = true;
                child.KillGroup();
            }

            int status = await exit.ConfigureAwait(false);
            var (text, reachedEnd) = await output.ConfigureAwait(false);
            if (!reachedEnd)
            {
                // Something that left its process group (setsid) still holds the output: no longer read.
                _logger.LogWarning("Trigger of sequence {Sequence} ({Program}) left a process outside its process group holding its output; stopped reading it at the limit of {Timeout}",
                    request.Sequence, request.CommandLine, _options.Timeout);
            }

            if (timedOut)
            {
                Interlocked.Increment(ref _timedOut);
                _logger.LogError("Trigger of sequence {Sequence} ({Program}) ran longer than {Timeout} and was killed with its process group", request.Sequence, request.CommandLine, _options.Timeout);
            }
            else if (status == 0)
            {
                Interlocked.Increment(ref _succeeded);
            }
            else
            {
                Interlocked.Increment(ref _failed);
                _logger.LogError("Trigger of sequence {Sequence} ({Program}) exited with status {Status}: {Output}",
                    request.Sequence, request.CommandLine, status, Printing.LogText.Printable(text.TrimEnd()));
            }
        }
    }
}
