using System.Diagnostics;
using System.Globalization;
using BsmTrace.Running;

namespace BsmTrace.Service.Cli;

/// <summary>
/// How far a long trail run has got, on one line of a terminal redrawn every second: records,
/// MB/s, alerts. Shown only where stderr is a terminal that does not carry the alerts themselves;
/// the line is cleared when the run ends.
/// </summary>
internal sealed class ProgressLine : IDisposable
{
    private readonly TextWriter _stderr;
    private readonly DetectorRun _run;
    private readonly Stopwatch _started;
    private readonly Timer _timer;
    private readonly Lock _lock = new();
    private bool _shown;
    private bool _disposed;

    public ProgressLine(TextWriter stderr, DetectorRun run, Stopwatch started)
    {
        _stderr = stderr;
        _run = run;
        _started = started;
        _timer = new Timer(_ => Draw(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private void Draw()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            double seconds = Math.Max(_started.Elapsed.TotalSeconds, 0.001);
            _stderr.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r\u001b[K{_run.Records:N0} records, {_run.Bytes / 1048576.0 / seconds:F1} MB/s, {_run.AlertsRaised:N0} alerts"));
            _stderr.Flush();
            _shown = true;
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            if (_shown)
            {
                _stderr.Write("\r\u001b[K");
                _stderr.Flush();
            }
        }
    }
}
