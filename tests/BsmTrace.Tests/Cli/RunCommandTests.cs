using System.Diagnostics;
using BsmTrace.Bsm;
using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Cli;

/// <summary>A trail run of the real executable: <c>bsmtrace -F -f POLICY -a TRAIL</c> and the original's other letters.</summary>
public sealed class RunCommandTests : IDisposable
{
    private const long T = Trails.Epoch;

    private const string ExecPolicy = """
        define set $ids <path> { /usr/bin/id; };
        sequence recon { subject any; priority 3; state { event <auditevent> { AUE_EXECVE; }; status any; object $ids; }; };
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Policy(string text = ExecPolicy) => _dir.Write("p.conf", text);

    private static string[] AlertLines(string stderr) => stderr.Split('\n').Where(l => l.Contains("state machine:", StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task A_trail_run_prints_classic_alerts_on_stderr_and_exits_0_at_the_end()
    {
        var trail = _dir.Write("t.bsm", Trails.Concat(Make(Execve, T, auid: 1001, path: "/usr/bin/id", msec: 7), Make(Execve, T + 1, path: "/bin/ls")));
        var result = await BsmTraceProcess.RunAsync(["-F", "-f", Policy(), "-a", trail]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["1700000000.7 state machine: recon subject: auid 1001 completed: duration 0 seconds priority: 3 source: t.bsm"], AlertLines(result.StandardError));
    }

    [Fact]
    public async Task Standard_input_is_read_with_a_dash_and_named_stdin()
    {
        var result = await BsmTraceProcess.RunAsync(["-F", "-f", Policy(), "-a", "-"], stdin: Make(Execve, T, path: "/usr/bin/id"));
        Assert.Equal(0, result.ExitCode);
        Assert.EndsWith("source: stdin", Assert.Single(AlertLines(result.StandardError)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fifo_is_read_until_its_writer_closes_it()
    {
        var fifo = _dir.Path("pipe");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
            await mkfifo.WaitForExitAsync();

        var run = BsmTraceProcess.RunAsync(["-F", "-f", Policy(), "-a", fifo, "--metrics-listen", ""]);
        await using (var writer = await Fifo.OpenAsync(fifo))
        {
            writer.Write(Make(Execve, T, path: "/usr/bin/id"));
            await writer.FlushAsync();
            writer.Write(Make(Execve, T + 1, path: "/usr/bin/id"));
        }

        var result = await run;
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, AlertLines(result.StandardError).Length);
    }

    [Fact]
    public async Task A_damaged_trail_keeps_what_is_intact_reports_the_offset_and_exits_1()
    {
        var first = Make(Execve, T, path: "/usr/bin/id");
        var broken = Make(Execve, T + 1, path: "/usr/bin/id");
        broken[^5] ^= 0xff;
        var trail = _dir.Write("d.bsm", Trails.Concat(first, broken, Make(Execve, T + 2, path: "/usr/bin/id")));
        var result = await BsmTraceProcess.RunAsync(["-F", "-f", Policy(), "-a", trail]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(2, AlertLines(result.StandardError).Length);
        Assert.Contains($"bsmtrace: d.bsm: byte {first.Length}: ", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_that_frames_but_does_not_decode_is_skipped_and_reported_with_its_offset()
    {
        var first = Make(Execve, T, path: "/usr/bin/id");
        // Header and trailer agree, so the record frames; its second token is of no known type.
        var unknown = new BsmRecordBuilder(Execve, T + 1).Subject32(9, 9, 9, 9, 9, 9, 9).Raw([0xee, 1, 2, 3]).Build();
        var trail = _dir.Write("u.bsm", Trails.Concat(first, unknown, Make(Execve, T + 2, auid: 1002, path: "/usr/bin/id")));
        var result = await BsmTraceProcess.RunAsync(["-F", "-f", Policy(), "-a", trail]);

        Assert.Equal(1, result.ExitCode);
        var alerts = AlertLines(result.StandardError);
        Assert.Equal(2, alerts.Length);
        Assert.Contains("1002", alerts[1], StringComparison.Ordinal); // the record after the bad one
        int tokenAt = first.Length + unknown.Length - 7 - 4; // the unknown token: before the trailer
        Assert.Contains($"bsmtrace: u.bsm: byte {tokenAt}: unknown token type 0xee in the record at byte {first.Length}", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_d_the_run_ends_with_what_it_read_found_and_cost()
    {
        var trail = _dir.Write("t.bsm", Trails.Concat(Make(Execve, T, path: "/usr/bin/id"), Make(Execve, T + 1, path: "/bin/ls")));
        var result = await BsmTraceProcess.RunAsync(["-F", "-d", "-f", Policy(), "-a", trail]);

        Assert.Equal(0, result.ExitCode);
        var lines = result.StandardError.Split('\n');
        Assert.Single(lines, l => l.StartsWith($"bsmtrace: {trail}: 2 records, 1 alert, 0 pieces of damage, 0 instances evicted, in ", StringComparison.Ordinal));
        Assert.Single(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"\d+ bytes read, 0 instances live at the end; \d+ MB allocated, \d+ collections, \d+ ms paused for them"));
    }

    [Fact]
    public async Task A_missing_trail_is_one_line_and_exit_1()
    {
        var missing = _dir.Path("missing.bsm");
        var result = await BsmTraceProcess.RunAsync(["-F", "-f", Policy(), "-a", missing]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"bsmtrace: {missing}: no such file or directory\n", result.StandardError);
    }

    [Fact]
    public async Task A_broken_policy_stops_the_run_with_its_errors()
    {
        var policy = _dir.Write("bad.conf", "sequence s { subject any; state { event $nope; status any; }; };\n");
        var result = await BsmTraceProcess.RunAsync(["-F", "-f", policy, "-a", "-"], stdin: []);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"{policy}:1:41: error: unknown set $nope\n", result.StandardError);
    }

    [Fact]
    public async Task Evidence_needs_a_log_directory()
    {
        var result = await BsmTraceProcess.RunAsync(["-F", "-B", "-f", Policy(), "-a", "-"], stdin: []);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("bsmtrace: -B (BsmTrace:Evidence) needs a log directory (-l DIR) to keep the evidence in\n", result.StandardError);
    }

    [Fact]
    public async Task The_pidfile_holds_the_pid_while_running_is_removed_at_exit_and_a_stale_one_is_taken_over()
    {
        var pid = _dir.Path("bsmtrace.pid");
        var fifo = _dir.Path("pipe");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
            await mkfifo.WaitForExitAsync();

        var run = BsmTraceProcess.RunAsync(["-F", "-p", pid, "-f", Policy(), "-a", fifo, "--metrics-listen", ""]);
        await using (var writer = await Fifo.OpenAsync(fifo))
        {
            // The service is running (it opened the FIFO): its pidfile is there.
            for (int i = 0; i < 100 && !File.Exists(pid); i++)
                await Task.Delay(50);
            Assert.True(File.Exists(pid), "the pidfile was not written");
            Assert.Matches(@"^\d+\n$", await File.ReadAllTextAsync(pid));
        }

        Assert.Equal(0, (await run).ExitCode);
        Assert.False(File.Exists(pid));

        // Left by a process that is gone (no lock on it): taken over, then removed at exit.
        await File.WriteAllTextAsync(pid, "1\n");
        var second = await BsmTraceProcess.RunAsync(["-F", "-p", pid, "-f", Policy(), "-a", "-"], stdin: []);
        Assert.Equal(0, second.ExitCode);
        Assert.False(File.Exists(pid));

        // A planted link is not followed: its target is left as it was.
        var target = _dir.Write("target", "precious\n");
        File.CreateSymbolicLink(pid, target);
        var third = await BsmTraceProcess.RunAsync(["-F", "-p", pid, "-f", Policy(), "-a", "-"], stdin: []);
        Assert.Equal(1, third.ExitCode);
        Assert.Contains("symbolic link", third.StandardError, StringComparison.Ordinal);
        Assert.Equal("precious\n", await File.ReadAllTextAsync(target));
    }

    [Fact]
    public async Task Dash_v_prints_the_version()
    {
        var result = await BsmTraceProcess.RunAsync(["-v"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^bsmtrace \d+\.\d+\.\d+ \(commit \S+\)\n$", result.StandardOutput);
    }

    [Fact]
    public async Task Dash_b_writes_the_raw_records_that_matched_a_state()
    {
        var hit = Make(Execve, T, path: "/usr/bin/id");
        var trail = _dir.Write("t.bsm", Trails.Concat(Make(Execve, T, path: "/bin/ls"), hit));
        var result = await BsmTraceProcess.RunAsync(["-F", "-b", "-f", Policy(), "-a", trail]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(hit, result.StandardOutputBytes);
    }

    [Theory]
    [InlineData("--workers", "-1", "--workers (BsmTrace:Workers) must be 0 (one per processor) or more, not -1")]
    [InlineData("--max-instances", "0", "--max-instances (BsmTrace:MaxInstances) must be at least 1, not 0")]
    public async Task Bad_numbers_are_refused_in_one_line(string option, string value, string message)
    {
        var result = await BsmTraceProcess.RunAsync([option, value]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"bsmtrace: {message}\n", result.StandardError);
    }

    [Fact]
    public async Task Unknown_letters_are_refused_in_one_line()
    {
        var result = await BsmTraceProcess.RunAsync(["-Z"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("-Z", result.StandardError, StringComparison.Ordinal);
    }
}
