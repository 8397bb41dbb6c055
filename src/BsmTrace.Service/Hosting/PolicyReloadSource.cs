using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace BsmTrace.Service.Hosting;

/// <summary>
/// Says when the policy must be loaded again: on SIGHUP, and when the policy
/// file or a file it includes changes. Requests within a short interval are
/// coalesced into one load, so a storm of signals loads the policy a few times
/// and the last request always wins.
/// </summary>
public sealed class PolicyReloadSource : IOptionsChangeTokenSource<PolicyOptions>, IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(150);

    private readonly ILogger<PolicyReloadSource> _logger;
    private readonly Lock _lock = new();
    private readonly Lock _firing = new();
    private readonly Timer _timer;
    private readonly List<FileSystemWatcher> _watchers = [];
    private CancellationTokenSource _current = new();
    private readonly List<string> _asked = [];

    private readonly ProcessSignals _signals;

    public PolicyReloadSource(ProcessSignals signals, ILogger<PolicyReloadSource> logger)
    {
        ArgumentNullException.ThrowIfNull(signals);
        _signals = signals;
        _logger = logger;
        _timer = new Timer(_ => Fire());
    }

    /// <summary>
    /// Takes SIGHUP from now on (one sent while bsmtrace started is passed on now): call once
    /// whatever applies a reload listens, or the reload would find no one and be lost.
    /// </summary>
    public void Start() => _signals.OnHangup(why =>
    {
        Hangup?.Invoke();
        Request(why);
    });

    /// <summary>SIGHUP came: besides a reload, output files are opened again (newsyslog sends it after moving them).</summary>
    public event Action? Hangup;

    public string? Name => Options.DefaultName;

    public IChangeToken GetChangeToken()
    {
        lock (_lock)
            return new CancellationChangeToken(_current.Token);
    }

    /// <summary>What asked for the reload that is happening now ("SIGHUP", "/usr/local/etc/bsmtrace.conf changed"), each once.</summary>
    public string Reason { get; private set; } = "";

    /// <summary>Asks for a reload; it happens once things have been quiet for a moment.</summary>
    public void Request(string why)
    {
        _logger.LogDebug("Policy reload requested ({Reason})", why);
        lock (_lock)
        {
            if (!_asked.Contains(why))
                _asked.Add(why);
        }

        _timer.Change(Settle, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Watches these files (a policy and its includes) for changes.</summary>
    public void Watch(IEnumerable<string> files)
    {
        lock (_lock)
        {
            foreach (var w in _watchers)
                w.Dispose();
            _watchers.Clear();
            foreach (var group in files.Select(Path.GetFullPath).GroupBy(Path.GetDirectoryName))
            {
                if (group.Key is null || !Directory.Exists(group.Key))
                    continue;
                var names = group.Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
                var watcher = new FileSystemWatcher(group.Key) { NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size };
                void OnChange(object _, FileSystemEventArgs e)
                {
                    if (names.Contains(e.Name))
                        Request($"{e.FullPath} changed");
                }

                watcher.Changed += OnChange;
                watcher.Created += OnChange;
                watcher.Renamed += (s, e) => OnChange(s, e);
                try
                {
                    watcher.EnableRaisingEvents = true;
                    _watchers.Add(watcher);
                }
                catch (IOException e)
                {
                    // Out of inotify instances, say: SIGHUP still reloads, and the policy that runs is unharmed.
                    watcher.Dispose();
                    _logger.LogWarning("Changes to the policy's files in {Directory} will not be noticed ({Reason}); SIGHUP still reloads it", group.Key, e.Message);
                }
            }
        }
    }

    private void Fire()
    {
        // One reload at a time, in order: cancelling runs the load and its listeners on this thread,
        // and the options monitor asks for the next token only when they are done. A second Fire in
        // between would cancel a token no one listens to yet, and that reload, the latest, would be lost.
        lock (_firing)
        {
            CancellationTokenSource previous;
            lock (_lock)
            {
                previous = _current;
                _current = new CancellationTokenSource();
                Reason = string.Join(", ", _asked);
                _asked.Clear();
            }

            previous.Cancel();
            previous.Dispose();
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_lock)
        {
            foreach (var w in _watchers)
                w.Dispose();
            _current.Dispose();
        }
    }
}
