using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace BsmTrace.Tests.Support;

/// <summary>The real executable running as a service: its stderr lines as they come, signals, and its end.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _newLine = new(0);
    private readonly Task _readingErr;
    private readonly Task _readingOut;
    private string? _stateDirectory;

    private ServiceProcess(Process process)
    {
        _process = process;
        _readingErr = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                _lines.Enqueue(line);
                _newLine.Release();
            }
        });
        _readingOut = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
    }

    /// <param name="hangupAtStart">
    /// Start it with a SIGHUP already sent: blocked, as a launcher may block it, and pending across
    /// the exec, so that it arrives the moment bsmtrace unblocks it (perl's POSIX module blocks it,
    /// sends it to itself, and execs).
    /// </param>
    public static ServiceProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null, bool hangupAtStart = false)
    {
        var command = BsmTraceExecutable.Command;
        var start = new ProcessStartInfo(hangupAtStart ? "perl" : command[0])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        if (hangupAtStart)
        {
            start.ArgumentList.Add("-MPOSIX");
            start.ArgumentList.Add("-e");
            start.ArgumentList.Add("sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGHUP)) or die; kill 'HUP', $$; exec @ARGV or die");
            start.ArgumentList.Add(command[0]);
        }

        foreach (var word in command.Skip(1))
            start.ArgumentList.Add(word);
        foreach (var a in args)
            start.ArgumentList.Add(a);
        start.Environment["TZ"] = "UTC";
        // A state directory of its own, not the system's (a test that restarts the service gives --state-dir).
        string state = Directory.CreateTempSubdirectory("bsmtrace-state-").FullName;
        start.Environment["BsmTrace__StateDirectory"] = state;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
            start.Environment[k] = v;
        return new ServiceProcess(Process.Start(start) ?? throw new InvalidOperationException("bsmtrace did not start")) { _stateDirectory = state };
    }

    public int Pid => _process.Id;

    public IReadOnlyCollection<string> Lines => _lines;

    public int AlertCount => _lines.Count(l => l.Contains("state machine:", StringComparison.Ordinal));

    /// <summary>Waits until a stderr line satisfies <paramref name="match"/>; fails the test with what was seen after the timeout.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (_lines.FirstOrDefault(match) is { } line)
                return line;
            if (_process.HasExited && _lines.FirstOrDefault(match) is null)
                break;
            await _newLine.WaitAsync(TimeSpan.FromMilliseconds(200));
        }

        throw new TimeoutException("expected line not seen; stderr was:\n" + string.Join("\n", _lines.TakeLast(30)));
    }

    public Task WaitForAlertsAsync(int count, int seconds = 30) =>
        WaitUntilAsync(() => AlertCount >= count, $"{count} alerts", seconds);

    public async Task WaitUntilAsync(Func<bool> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
                throw new TimeoutException($"waited for {what}; stderr was:\n" + string.Join("\n", _lines.TakeLast(60)));
            await _newLine.WaitAsync(TimeSpan.FromMilliseconds(200));
        }
    }

    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM and waits for the exit status.</summary>
    public async Task<int> StopAsync()
    {
        await SignalAsync("TERM");
        return await WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM and asserts a clean stop (exit 0), with what it printed when it was not.</summary>
    public async Task StopCleanlyAsync()
    {
        int code = await StopAsync();
        Assert.True(code == 0, $"exit status {code} after SIGTERM; stderr was:\n" + string.Join("\n", _lines.TakeLast(30)));
    }

    public async Task<int> WaitForExitAsync(int seconds = 60)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        await _process.WaitForExitAsync(timeout.Token);
        await _readingErr;
        await _readingOut;
        return _process.ExitCode;
    }

    /// <summary>A TCP port on loopback that nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _newLine.Dispose();
        if (_stateDirectory is not null)
            Directory.Delete(_stateDirectory, recursive: true);
    }
}
