using System.Text.Json;
using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Alerts;

/// <summary>Where alerts go: the log directory, logfile, evidence files, log channels, and a sink that fails.</summary>
public sealed class AlertOutputTests : IDisposable
{
    private const long T = Trails.Epoch;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Trail(params byte[][] records) => _dir.Write("t.bsm", Trails.Concat(records));

    [Fact]
    public async Task Log_directory_gets_bsmtrace_log_and_the_logfile_of_later_sequences()
    {
        var policy = _dir.Write("p.conf", """
            sequence first { subject any; state { event <auditevent> { AUE_EXECVE; }; status any; }; };
            logfile "web.log";
            sequence second { subject any; state { event <auditevent> { AUE_OPEN_R; }; status any; }; };
            """);
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        var result = await BsmTraceProcess.RunAsync(["-F", "-l", logs, "-f", policy, "-a", Trail(Make(Execve, T), Make(OpenRead, T + 1, path: "/x"))]);

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("state machine:", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(["1700000000.0 state machine: first subject: auid 1001 completed: duration 0 seconds priority: 0 source: t.bsm"],
            await File.ReadAllLinesAsync(Path.Combine(logs, "bsmtrace.log")));
        Assert.Equal(["1700000001.0 state machine: second subject: auid 1001 completed: duration 0 seconds priority: 0 source: t.bsm"],
            await File.ReadAllLinesAsync(Path.Combine(logs, "web.log")));
    }

    [Fact]
    public async Task A_log_left_ending_inside_a_line_gets_a_newline_before_the_next_alert()
    {
        // What a SIGKILL in the middle of a line leaves: the next run must not write onto it.
        var policy = _dir.Write("p.conf", "sequence first { subject any; state { event <auditevent> { AUE_EXECVE; }; status any; }; };");
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        await File.WriteAllTextAsync(Path.Combine(logs, "bsmtrace.log"), "1699999999.0 state machine: first subject: auid 1001");

        var result = await BsmTraceProcess.RunAsync(["-F", "-l", logs, "-f", policy, "-a", Trail(Make(Execve, T))]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            ["1699999999.0 state machine: first subject: auid 1001",
             "1700000000.0 state machine: first subject: auid 1001 completed: duration 0 seconds priority: 0 source: t.bsm"],
            await File.ReadAllLinesAsync(Path.Combine(logs, "bsmtrace.log")));
    }

    [Fact]
    public async Task Evidence_files_hold_the_matched_records_readable_by_print_and_only_by_the_owner()
    {
        var policy = _dir.Write("p.conf", """
            sequence pair {
                subject any;
                state { event <auditevent> { AUE_EXECVE; }; status any; };
                state { event <auditevent> { AUE_OPEN_R; }; status any; };
            };
            """);
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        var exec = Make(Execve, T, path: "/bin/sh");
        var open = Make(OpenRead, T + 2, path: "/etc/master.passwd", msec: 250);
        var result = await BsmTraceProcess.RunAsync(["-F", "-B", "-l", logs, "-f", policy, "-a", Trail(exec, Make(Fchmod, T + 1), open)]);

        Assert.Equal(0, result.ExitCode);
        var sequenceDirectory = Path.Combine(logs, "pair");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(sequenceDirectory));
        var evidence = Assert.Single(Directory.GetFiles(sequenceDirectory));
        Assert.Matches(@"/1700000002\.250\.[0-9a-f]{32}$", evidence); // named by the alert's id
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(evidence));
        Assert.Equal(Trails.Concat(exec, open), await File.ReadAllBytesAsync(evidence));

        var printed = await BsmTraceProcess.RunAsync(["print", "-n", evidence]);
        Assert.Equal(0, printed.ExitCode);
        Assert.Equal(Print.Text(Trails.Concat(exec, open)), printed.StandardOutput);
    }

    [Fact]
    public async Task Json_alerts_keep_the_exact_bytes_of_objects_that_are_not_utf8()
    {
        var json = _dir.Path("alerts.json");
        var policy = _dir.Write("p.conf", $$"""
            log-channel $j json { path "{{json}}"; };
            sequence any_exec { subject any; log $j; state { event <auditevent> { AUE_EXECVE; }; status any; }; };
            """);
        // Two names that differ only in bytes that are not UTF-8: as text alone they would be one file.
        byte[] first = [.. "/tmp/caf"u8, 0xe9];
        byte[] second = [.. "/tmp/caf"u8, 0xff];
        var result = await BsmTraceProcess.RunAsync(["-F", "-f", policy, "-a", Trail(Make(Execve, T, pathBytes: first), Make(Execve, T + 1, pathBytes: second))]);

        Assert.Equal(0, result.ExitCode);
        var alerts = (await File.ReadAllLinesAsync(json)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([first, second], alerts.Select(a => Convert.FromHexString(a.GetProperty("object_hex").GetString()!)));
        Assert.All(alerts, a => Assert.Equal("/tmp/caf\ufffd", a.GetProperty("object").GetString()));
    }

    [Fact]
    public async Task Json_channel_writes_every_field_and_the_decoded_records()
    {
        var json = _dir.Path("alerts.json");
        var policy = _dir.Write("p.conf", $$"""
            log-channel $j json { path "{{json}}"; };
            sequence recon { subject any; priority 8; serial 77; log $j; state { event <auditevent> { AUE_EXECVE; }; status any; object <path> { /usr/bin/id; }; }; };
            """);
        var result = await BsmTraceProcess.RunAsync(["-F", "-f", policy, "-a", Trail(Make(Execve, T, auid: 0, euid: 0, path: "/usr/bin/id", zone: "www", msec: 5))]);

        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(Assert.Single(await File.ReadAllLinesAsync(json)));
        var alert = doc.RootElement;
        Assert.Equal("recon", alert.GetProperty("sequence").GetString());
        Assert.Equal(77, alert.GetProperty("serial").GetInt32());
        Assert.Equal(8, alert.GetProperty("priority").GetInt32());
        Assert.Equal("2023-11-14T22:13:20.005Z", alert.GetProperty("time").GetString());
        Assert.Equal("auid", alert.GetProperty("subject_field").GetString());
        Assert.Equal(0u, alert.GetProperty("subject").GetUInt32());
        Assert.Equal("root", alert.GetProperty("subject_name").GetString());
        Assert.Equal("www", alert.GetProperty("zone").GetString());
        Assert.Equal("/usr/bin/id", alert.GetProperty("object").GetString());
        Assert.Equal("t.bsm", alert.GetProperty("source").GetString());
        var tokens = alert.GetProperty("records")[0].GetProperty("tokens");
        Assert.Equal("AUE_EXECVE", tokens[0].GetProperty("event_name").GetString());
        Assert.Contains(tokens.EnumerateArray(), t => t.GetProperty("type").GetString() == "path" && t.GetProperty("path").GetString() == "/usr/bin/id");

        // The command line's stderr still has the alert: channels add destinations.
        Assert.Contains("state machine: recon", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_sink_is_reported_does_not_stop_the_others_and_fails_the_run()
    {
        var good = _dir.Path("good.log");
        var policy = _dir.Write("p.conf", $$"""
            log-channel $full file { path "/dev/full"; };
            log-channel $good file { path "{{good}}"; };
            sequence s { subject any; log $full, $good; state { event any; status any; }; };
            """);
        var result = await BsmTraceProcess.RunAsync(["-F", "-f", policy, "-a", Trail(Make(Execve, T), Make(Execve, T + 1), Make(Execve, T + 2))]);

        // The others have every alert; the failure is said, and the run, which could not keep every alert, exits 1.
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(3, (await File.ReadAllLinesAsync(good)).Length);
        Assert.Equal(3, result.StandardError.Split('\n').Count(l => l.Contains("state machine:", StringComparison.Ordinal)));
        Assert.Contains("bsmtrace: Alert sink $full cannot write", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("bsmtrace: Alert sink $full did not write 3 of 3 alerts", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
    }
}
