using System.Net.Http;
using System.Text.RegularExpressions;
using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Hosting;

/// <summary>bsmtrace as a service: the real executable, a FIFO, real signals, a real scrape on 127.0.0.1.</summary>
public sealed class ServiceTests : IDisposable
{
    private const long T = Trails.Epoch;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Metrics_are_scraped_over_http_and_sigterm_stops_cleanly()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", Policies.Pair);
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
            return MetricsScrape.Value(metrics, "bsmtrace_records_total") == 3;
        }, "the records counted in the metrics");
        Assert.Matches(@"bsmtrace_alerts_total\{[^}]*sequence=""pair""[^}]*\} 1", metrics);
        Assert.Matches(@"bsmtrace_instances_active\{[^}]*\} 1", metrics);
        Assert.Contains("bsmtrace_bytes_total", metrics, StringComparison.Ordinal);
        Assert.Contains("bsmtrace_records_malformed_total", metrics, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_collections_total", metrics, StringComparison.Ordinal);
        // The memory budgets, and what each part holds now.
        Assert.Matches(@"bsmtrace_memory_budget_bytes\{[^}]*part=""evidence""[^}]*\} 134217728\b", metrics);
        Assert.Matches(@"bsmtrace_memory_budget_bytes\{[^}]*part=""remembered_paths""[^}]*\} 33554432\b", metrics);
        Assert.Matches(@"bsmtrace_memory_budget_bytes\{[^}]*part=""sink_queues""[^}]*\} 33554432\b", metrics);
        Assert.Matches(@"bsmtrace_memory_bytes\{[^}]*part=""evidence""[^}]*\} \d+", metrics);

        await service.StopCleanlyAsync();
        Assert.False(File.Exists(pid));
        Assert.Contains(service.Lines, l => l.Contains("bsmtrace stopped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pattern_that_gives_up_is_counted_by_sequence_and_logged_with_the_records_offset()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", """
            define set $scripts <pcre> { "(\\w+\\.?)+\\.sh$"; };
            sequence script { subject any; state { event any; status any; object $scripts; }; };
            """);
        int port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", fifo, "--metrics-listen", $"127.0.0.1:{port}"]);

        var ordinary = Make(Execve, T, auid: 5, path: "/tmp/run.py");
        var crafted = Make(Execve, T + 1, auid: 5, path: "/tmp/" + new string('a', 4000) + "!/evil.sh");
        await Fifo.WriteAsync(fifo, ordinary, crafted, crafted);

        await MetricsScrape.WaitForAsync(service, port, "bsmtrace_pattern_errors_total", v => v == 2, "sequence=script");
        await service.WaitForAlertsAsync(2);
        // Said once (rate-limited), naming the pattern, the sequence and the first crafted record's place.
        var said = service.Lines.Where(l => l.Contains("gave up on the path", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(said);
        Assert.Contains($"\"Offset\":{ordinary.Length},", line, StringComparison.Ordinal);
        Assert.Contains("script", line, StringComparison.Ordinal);
        await service.StopCleanlyAsync();
    }

    [Fact]
    public async Task Sighup_reloads_the_policy_and_keeps_the_instances_of_unchanged_sequences()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", Policies.Pair);
        int port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", fifo, "--metrics-listen", $"127.0.0.1:{port}"]);

        await Fifo.WriteAsync(fifo, Make(Execve, T, auid: 7)); // starts an instance of pair
        await MetricsScrape.WaitForAsync(service, port, "bsmtrace_instances_active", v => v == 1); // matched, not merely read

        _dir.Write("p.conf", Policies.Pair + "\nsequence opens { subject any; state { event <auditevent> { AUE_OPEN_R; }; status any; }; };\n");
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
        await service.StopCleanlyAsync();
    }

    [Fact]
    public async Task A_policy_that_fails_to_reload_is_reported_and_the_running_one_stays()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", Policies.Pair);
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
        await service.StopCleanlyAsync();
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
        // A last record: alerts come out in the order records are read, so a repeat would be before its alert.
        await using (var append = new FileStream(second, FileMode.Append))
            await append.WriteAsync(Make(Execve, T + 5));
        await service.WaitForAlertsAsync(6);
        var seconds = service.Lines.Where(l => l.Contains("state machine:", StringComparison.Ordinal)).Select(l => l.Split('.')[0]).ToArray();
        Assert.Equal(["1700000000", "1700000001", "1700000002", "1700000003", "1700000004", "1700000005"], seconds);
        await service.StopCleanlyAsync();
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
        var policy = _dir.Write("p.conf", Policies.Pair);
        var result = await BsmTraceProcess.RunAsync(["-F", "-f", policy, "-a", fifo, "--metrics-listen", "not-an-address"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("bsmtrace: --metrics-listen (BsmTrace:MetricsListen) must be HOST:PORT, such as 127.0.0.1:9464, or empty for none, not 'not-an-address'\n",
            result.StandardError);
    }

    [Fact]
    public async Task A_reload_is_announced_to_systemd()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", Policies.Pair);
        var socketPath = _dir.Path("notify");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", fifo, "--metrics-listen", ""],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath });
        await service.WaitForLineAsync(l => l.Contains("started", StringComparison.Ordinal));

        await service.SignalAsync("HUP");
        var received = new List<string>();
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!received.Contains("READY=1"))
        {
            int n = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, timeout.Token);
            received.Add(System.Text.Encoding.UTF8.GetString(buffer, 0, n));
        }

        Assert.Equal(["RELOADING=1", "READY=1"], received.Where(m => m is "RELOADING=1" or "READY=1"));
        await service.StopCleanlyAsync();
    }

    [Fact]
    public async Task The_service_end_to_end_log_directory_metrics_reload_broken_reload_and_stop()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        var pid = _dir.Path("bsmtrace.pid");
        var policy = _dir.Write("p.conf", "sequence execs { subject any; state { event <auditevent> { AUE_EXECVE; }; status any; }; };\n");
        int port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(["--follow", "-f", policy, "-a", fifo, "-l", logs, "-p", pid, "--metrics-listen", $"127.0.0.1:{port}"]);
        using var http = new HttpClient();
        var log = Path.Combine(logs, "bsmtrace.log");
        string[] LogLines() => File.Exists(log) ? File.ReadAllLines(log) : [];
        async Task<string> Metrics() => await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");

        // Alerts for records written into the FIFO appear in bsmtrace.log; /metrics counts exactly the records written.
        await Fifo.WriteAsync(fifo, Make(Execve, T, auid: 1), Make(OpenRead, T + 1, auid: 1, path: "/etc/x"), Make(Execve, T + 2, auid: 2));
        await service.WaitUntilAsync(() => LogLines().Length == 2, "two alerts in bsmtrace.log");
        Assert.All(LogLines(), l => Assert.Contains("state machine: execs", l, StringComparison.Ordinal));
        await service.WaitUntilAsync(() => MetricsScrape.Value(Metrics().GetAwaiter().GetResult(), "bsmtrace_records_total") == 3, "3 records in /metrics");

        // The policy file replaced and SIGHUP sent: the next records are matched by the new policy.
        _dir.Write("p.conf", "sequence opens { subject any; state { event <auditevent> { AUE_OPEN_R; }; status any; }; };\n");
        await service.SignalAsync("HUP");
        await service.WaitForLineAsync(l => l.Contains("loaded", StringComparison.Ordinal) && l.Contains("p.conf", StringComparison.Ordinal));
        await Fifo.WriteAsync(fifo, Make(Execve, T + 3, auid: 3), Make(OpenRead, T + 4, auid: 3, path: "/etc/y"));
        await service.WaitUntilAsync(() => LogLines().Length == 3, "the new policy's alert");
        Assert.Contains("state machine: opens subject: auid 3", LogLines()[2], StringComparison.Ordinal);

        // A broken policy and SIGHUP: the process lives on with the old policy, and the failure is counted.
        _dir.Write("p.conf", "sequence opens { subject any; state { event $missing; status any; }; };\n");
        await service.SignalAsync("HUP");
        await service.WaitForLineAsync(l => l.Contains("Policy reload failed", StringComparison.Ordinal));
        await Fifo.WriteAsync(fifo, Make(OpenRead, T + 5, auid: 4, path: "/etc/z"));
        await service.WaitUntilAsync(() => LogLines().Length == 4, "the old policy still matching");
        Assert.Contains("state machine: opens subject: auid 4", LogLines()[3], StringComparison.Ordinal);
        var metrics = await Metrics();
        Assert.Matches(@"bsmtrace_policy_reloads_total\{[^}]*result=""failure""[^}]*\} 1", metrics);
        Assert.Matches(@"bsmtrace_policy_reloads_total\{[^}]*result=""success""[^}]*\} 1", metrics);

        // SIGTERM: exit 0 and no pidfile left.
        Assert.True(File.Exists(pid));
        await service.StopCleanlyAsync();
        Assert.False(File.Exists(pid));
    }

    [Fact]
    public async Task Reloading_while_records_stream_in_loses_none_and_matches_none_twice()
    {
        const int count = 4000;
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        const string each = "sequence each { subject any; state { event any; status any; }; };\n";
        var policy = _dir.Write("p.conf", each);
        int port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", fifo, "--metrics-listen", $"127.0.0.1:{port}"]);

        var writing = Task.Run(async () =>
        {
            await using var writer = await Fifo.OpenAsync(fifo);
            for (int i = 0; i < count; i++)
            {
                await writer.WriteAsync(Make(Execve, T + i, auid: (uint)(i % 50)));
                if (i % 200 == 0)
                    await writer.FlushAsync();
            }
        });

        // Reload again and again while the records stream: the unchanged sequence keeps matching every record once.
        await service.WaitForLineAsync(l => l.Contains("started", StringComparison.Ordinal));
        for (int r = 0; !writing.IsCompleted; r++)
        {
            _dir.Write("p.conf", each + $"sequence extra{r % 3} {{ subject any; state {{ event <auditevent> {{ AUE_OPEN_R; }}; status any; }}; }};\n");
            await service.SignalAsync("HUP");
            await Task.Delay(40);
        }

        await writing;
        await service.WaitForAlertsAsync(count, seconds: 60);
        // A last record, alerting last: a repeat of any before it would be out by then.
        await Fifo.WriteAsync(fifo, Make(Execve, T + count, auid: 99));
        await service.WaitForLineAsync(l => l.Contains("state machine: each subject: auid 99 ", StringComparison.Ordinal));
        var times = service.Lines.Where(l => l.Contains("state machine: each", StringComparison.Ordinal) && !l.Contains("auid 99 ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[0]).ToList();
        Assert.Equal(count, times.Count);
        Assert.Equal(count, times.Distinct().Count());
        await service.StopCleanlyAsync();
    }
}
