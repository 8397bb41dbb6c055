using System.Net.Http;
using System.Text.RegularExpressions;
using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Hosting;

/// <summary>bsmtrace as a service: the real executable, a FIFO, real signals, a real scrape on 127.0.0.1.</summary>
public sealed class ServiceTests : IDisposable
{
    private const long T = Trails.Epoch;

    private const string PairPolicy = """
        sequence pair {
            subject any;
            state { event <auditevent> { AUE_EXECVE; }; status any; };
            state { event <auditevent> { AUE_OPEN_R; }; status any; };
        };
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Metrics_are_scraped_over_http_and_sigterm_stops_cleanly()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", PairPolicy);
        var pid = _dir.Path("bsmtrace.pid");
        int port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", fifo, "-p", pid, "--metrics-listen", $"127.0.0.1:{port}"]);

        await Fifo.WriteAsync(fifo, Make(Execve, T, auid: 5), Make(OpenRead, T + 1, auid: 5, path: "/x"), Make(Execve, T + 2, auid: 6));
        await service.WaitForAlertsAsync(1);
        Assert.True(File.Exists(pid));

        using var http = new HttpClient();
        string metrics = "";
        await service.WaitUntilAsync(() =>
        {
            metrics = http.GetStringAsync($"http://127.0.0.1:{port}/metrics").GetAwaiter().GetResult();
            return metrics.Contains("bsmtrace_records_total{otel_scope_name=\"BsmTrace\"} 3", StringComparison.Ordinal);
        }, "the records counted in the metrics");
        Assert.Matches(@"bsmtrace_alerts_total\{[^}]*sequence=""pair""[^}]*\} 1", metrics);
        Assert.Matches(@"bsmtrace_instances_active\{[^}]*\} 1", metrics);
        Assert.Contains("bsmtrace_bytes_total", metrics, StringComparison.Ordinal);
        Assert.Contains("bsmtrace_records_malformed_total", metrics, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_collections_total", metrics, StringComparison.Ordinal);

        Assert.Equal(0, await service.StopAsync());
        Assert.False(File.Exists(pid));
        Assert.Contains(service.Lines, l => l.Contains("bsmtrace stopped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sighup_reloads_the_policy_and_keeps_the_instances_of_unchanged_sequences()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", PairPolicy);
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", fifo, "--metrics-listen", ""]);

        await Fifo.WriteAsync(fifo, Make(Execve, T, auid: 7)); // starts an instance of pair
        await service.WaitForLineAsync(l => l.Contains("started", StringComparison.Ordinal));

        _dir.Write("p.conf", PairPolicy + "\nsequence opens { subject any; state { event <auditevent> { AUE_OPEN_R; }; status any; }; };\n");
        await service.SignalAsync("HUP");
        await service.WaitForLineAsync(l => l.Contains("loaded", StringComparison.Ordinal) && l.Contains("\"Sequences\":2", StringComparison.Ordinal));

        await Fifo.WriteAsync(fifo, Make(OpenRead, T + 30, auid: 7, path: "/x"));
        await service.WaitForAlertsAsync(2);

        var alerts = service.Lines.Where(l => l.Contains("state machine:", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
        [
            "1700000030.0 state machine: opens subject: auid 7 completed: duration 0 seconds priority: 0 source: pipe",
            "1700000030.0 state machine: pair subject: auid 7 completed: duration 30 seconds priority: 0 source: pipe",
        ], alerts);
        Assert.Contains(service.Lines, l => l.Contains("\"Kept\":1", StringComparison.Ordinal));
        Assert.Equal(0, await service.StopAsync());
    }

    [Fact]
    public async Task A_policy_that_fails_to_reload_is_reported_and_the_running_one_stays()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", PairPolicy);
        int port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", fifo, "--metrics-listen", $"127.0.0.1:{port}"]);
        await Fifo.WriteAsync(fifo, Make(Execve, T, auid: 8));
        await service.WaitForLineAsync(l => l.Contains("started", StringComparison.Ordinal));

        _dir.Write("p.conf", "sequence broken { subject $nowhere; state { event any; status any; }; };\n");
        await service.SignalAsync("HUP");
        var error = await service.WaitForLineAsync(l => l.Contains("Policy reload failed", StringComparison.Ordinal));
        Assert.Contains($"{policy}:1:27: error: unknown set $nowhere", Regex.Unescape(error), StringComparison.Ordinal);

        await Fifo.WriteAsync(fifo, Make(OpenRead, T + 1, auid: 8, path: "/x"));
        await service.WaitForAlertsAsync(1);
        Assert.Contains(service.Lines, l => l.Contains("state machine: pair subject: auid 8", StringComparison.Ordinal));

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        Assert.Matches(@"bsmtrace_policy_reloads_total\{[^}]*result=""failure""[^}]*\} 1", metrics);
        Assert.Equal(0, await service.StopAsync());
    }

    [Fact]
    public async Task Follow_reads_a_growing_trail_across_a_rotation_without_losing_or_repeating_a_record()
    {
        var policy = _dir.Write("p.conf", "sequence each { subject any; state { event any; status any; }; };");
        var first = _dir.Path("20261126000000.not_terminated");
        var current = _dir.Path("current");
        await File.WriteAllBytesAsync(first, Trails.Concat(Make(Execve, T), Make(Execve, T + 1)));
        File.CreateSymbolicLink(current, first);
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", current, "--metrics-listen", ""]);
        await service.WaitForAlertsAsync(2);

        // auditd appends, then rotates: the trail is renamed, a new one started, the link moved.
        await using (var append = new FileStream(first, FileMode.Append))
            await append.WriteAsync(Make(Execve, T + 2));
        var closed = _dir.Path("20261126000000.20261126000100");
        File.Move(first, closed);
        var second = _dir.Path("20261126000100.not_terminated");
        await File.WriteAllBytesAsync(second, Make(Execve, T + 3));
        File.Delete(current);
        File.CreateSymbolicLink(current, second);
        await using (var append = new FileStream(second, FileMode.Append))
            await append.WriteAsync(Make(Execve, T + 4));

        await service.WaitForAlertsAsync(5);
        await Task.Delay(1000); // a repeat would show up by now
        var seconds = service.Lines.Where(l => l.Contains("state machine:", StringComparison.Ordinal)).Select(l => l.Split('.')[0]).ToArray();
        Assert.Equal(["1700000000", "1700000001", "1700000002", "1700000003", "1700000004"], seconds);
        Assert.Equal(0, await service.StopAsync());
    }

    [Fact]
    public async Task Settings_come_from_the_environment_when_no_flag_is_given()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", "sequence each { subject any; state { event any; status any; }; };");
        await using var service = ServiceProcess.Start(["-F", "-a", fifo], new Dictionary<string, string>
        {
            ["BsmTrace__Policy"] = policy,
            ["BsmTrace__MetricsListen"] = "",
        });

        await Fifo.WriteAsync(fifo, Make(Execve, T));
        Assert.Equal(0, await service.WaitForExitAsync());
        Assert.Equal(1, service.AlertCount);
    }

    [Fact]
    public async Task A_bad_setting_is_one_line_and_exit_1()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", PairPolicy);
        var result = await BsmTraceProcess.RunAsync(["-F", "-f", policy, "-a", fifo, "--metrics-listen", "not-an-address"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("bsmtrace: BsmTrace:MetricsListen must be HOST:PORT, such as 127.0.0.1:9464\n", result.StandardError);
    }
}
