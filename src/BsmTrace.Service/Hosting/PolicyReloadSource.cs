using System.Runtime.InteropServices;
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
    private readonly PosixSignalRegistration? _hangup;
    private readonly Timer _timer;
    private readonly List<FileSystemWatcher> _watchers = [];
    private CancellationTokenSource _current = new();

    public PolicyReloadSource(ILogger<PolicyReloadSource> logger)
    {
        _logger = logger;
        _timer = new Timer(_ => Fire());
        if (!OperatingSystem.IsWindows())
        {
            _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true; // SIGHUP means reload, not exit
                Request("SIGHUP");
            });
        }
    }

    public string? Name => Options.DefaultName;

    public IChangeToken GetChangeToken()
    {
        lock (_lock)
            return new CancellationChangeToken(_current.Token);
    }

    /// <summary>Asks for a reload; it happens once things have been quiet for a moment.</summary>
    public void Request(string why)
    {
        _logger.LogDebug("Policy reload requested ({Reason})", why);
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
                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
            }
        }
    }

    private void Fire()
    {
        CancellationTokenSource previous;
        lock (_lock)
        {
            previous = _current;
            _current = new CancellationTokenSource();
        }

        previous.Cancel();
        previous.Dispose();
    }

    public void Dispose()
    {
        _hangup?.Dispose();
        _timer.Dispose();
        lock (_lock)
        {
            foreach (var w in _watchers)
                w.Dispose();
            _current.Dispose();
        }
    }
}
