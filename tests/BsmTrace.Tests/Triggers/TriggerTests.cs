using System.Globalization;
using BsmTrace.Matching;
using BsmTrace.Tests.Support;
using BsmTrace.Triggers;
using Microsoft.Extensions.Logging.Abstractions;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Triggers;

/// <summary>Trigger commands: one argument per variable whatever it holds, no shell, time limits, a cap, no zombies.</summary>
public sealed class TriggerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A script that writes its argument count and each argument, NUL-separated, to a file.</summary>
    /// <summary>A trigger program that writes its argument count and arguments, each ended by NUL, to
    /// <paramref name="output"/>; or, with <paramref name="perRun"/>, to OUTPUT.PID, one file per run, since
    /// triggers that run at once would interleave their writes to one file.</summary>
    private string ArgvRecorder(string output, bool perRun = false)
    {
        string target = perRun ? $"'{output}'.$$" : $"'{output}'";
        var script = _dir.Write("record-argv", $"#!/bin/sh\n{{ printf '%s\\0' \"$#\"; for a in \"$@\"; do printf '%s\\0' \"$a\"; done; }} >> {target}\n");
        File.SetUnixFileMode(script, (UnixFileMode)0x1c0); // 0700
        return script;
    }

    private static string[] ReadArgv(string path) => File.ReadAllText(path).Split('\0', StringSplitOptions.None)[..^1];

    [Theory]
    [InlineData("/tmp/a b; rm -rf ~")]
    [InlineData("/tmp/$(touch pwned)")]
    [InlineData("/tmp/`id`")]
    [InlineData("/tmp/it's \"quoted\"")]
    [InlineData("/tmp/new\nline")]
    [InlineData("-rf")]
    public async Task A_hostile_object_reaches_the_command_as_one_argument(string path)
    {
        var output = _dir.Path("argv");
        var script = ArgvRecorder(output);
        var policy = _dir.Write("p.conf", $$"""
            sequence s { subject any; state { event any; status any; trigger "{{script}} --path $object --user $subject"; }; };
            """);
        File.SetUnixFileMode(policy, (UnixFileMode)0x180); // 0600: triggers need a policy only its owner can write
        var trail = _dir.Write("t.bsm", Make(Execve, Trails.Epoch, auid: 0, path: path));

        var result = await BsmTraceProcess.RunAsync(["-F", "-f", policy, "-a", trail], workingDirectory: _dir.Root);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["4", "--path", path, "--user", "root"], ReadArgv(output));
        Assert.False(File.Exists(_dir.Path("pwned")));
    }

    [Fact]
    public async Task An_object_that_is_not_utf8_reaches_the_command_as_its_exact_bytes()
    {
        var output = _dir.Path("argv");
        var script = ArgvRecorder(output, perRun: true);
        var policy = _dir.Write("p.conf", $$"""
            sequence s { subject any; state { event any; status any; trigger "{{script}} $object"; }; };
            """);
        File.SetUnixFileMode(policy, (UnixFileMode)0x180);
        // Two files whose names differ only in bytes that are not UTF-8: as U+FFFD they would be one.
        byte[] latin1 = [.. "/tmp/caf"u8, 0xe9];
        byte[] broken = [.. "/tmp/caf"u8, 0xff, (byte)'\n', 0x80];
        var trail = _dir.Write("t.bsm", Trails.Concat(Make(Execve, Trails.Epoch, pathBytes: latin1), Make(Execve, Trails.Epoch + 1, pathBytes: broken)));

        var result = await BsmTraceProcess.RunAsync(["-F", "-f", policy, "-a", trail], workingDirectory: _dir.Root);

        Assert.Equal(0, result.ExitCode);
        // Two triggers run at once, each into a file of its own: "1\0ARG\0".
        var runs = new List<byte[]>();
        foreach (string file in Directory.GetFiles(_dir.Root, "argv.*"))
        {
            var written = await File.ReadAllBytesAsync(file);
            int count = Array.IndexOf(written, (byte)0);
            Assert.Equal("1"u8.ToArray(), written[..count]);
            Assert.Equal(written.Length - 1, Array.IndexOf(written, (byte)0, count + 1));
            runs.Add(written[(count + 1)..^1]);
        }

        Assert.Equal(2, runs.Count);
        Assert.Contains(runs, r => r.AsSpan().SequenceEqual(latin1));
        Assert.Contains(runs, r => r.AsSpan().SequenceEqual(broken));
    }

    [Fact]
    public async Task A_policy_with_triggers_that_others_can_write_is_refused_alike_by_check_n_and_the_run()
    {
        var policy = _dir.Write("p.conf", "sequence s { subject any; state { event any; status any; trigger \"/bin/true\"; }; };");
        File.SetUnixFileMode(policy, (UnixFileMode)0x1b6); // 0666
        string expected = $"{policy}: error: {policy} is writable by every user, and this policy runs trigger commands as bsmtrace's user; only root and that user may be able to change it";

        foreach (string[] args in new[] { ["check", policy], ["-n", "-f", policy], new[] { "-F", "-f", policy, "-a", "-" } })
        {
            var result = await BsmTraceProcess.RunAsync(args, stdin: []);
            Assert.True(result.ExitCode == 1, $"bsmtrace {string.Join(' ', args)} exited {result.ExitCode}: {result.StandardError}");
            Assert.Contains(expected, result.StandardError, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task A_reload_refuses_a_policy_whose_directory_has_become_another_users()
    {
        OtherUser.RequireRoot();
        var conf = Directory.CreateDirectory(_dir.Path("conf")).FullName;
        File.SetUnixFileMode(_dir.Root, (UnixFileMode)0x1ed);
        var output = _dir.Path("ran");
        var policy = _dir.Write("conf/p.conf", $"sequence s {{ subject any; state {{ event any; status any; trigger \"/usr/bin/touch {output}\"; }}; }};");
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        int port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", fifo, "--metrics-listen", $"127.0.0.1:{port}"]);
        await MetricsScrape.WaitForAsync(service, port, "bsmtrace_instances_active", v => v == 0);

        OtherUser.Give(conf);
        await service.SignalAsync("HUP");
        await MetricsScrape.WaitForAsync(service, port, "bsmtrace_policy_reloads_total", v => v == 1, "result=failure");
        Assert.Contains(service.Lines, l => l.Contains($"{conf}, above {policy}, belongs to user {OtherUser.Id}", StringComparison.Ordinal));
        await service.StopCleanlyAsync();
    }

    private static TriggerRequest Request(params string[] argv) => new("s", argv[0], [.. argv.Select(System.Text.Encoding.UTF8.GetBytes)], 0);

    [Fact]
    public async Task A_trigger_that_runs_too_long_is_killed_and_counted()
    {
        var runner = new TriggerRunner(new TriggerRunnerOptions { Timeout = TimeSpan.FromMilliseconds(300) }, NullLogger.Instance);
        var started = DateTime.UtcNow;
        await runner.EnqueueAsync(Request("/bin/sleep", "30"));
        await runner.DisposeAsync();

        Assert.Equal(1, runner.TimedOut);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "the child was not killed");
    }

    [Fact]
    public async Task Failures_are_counted_by_kind()
    {
        var runner = new TriggerRunner(new TriggerRunnerOptions(), NullLogger.Instance);
        await runner.EnqueueAsync(Request("/bin/true"));
        await runner.EnqueueAsync(Request("/bin/false"));
        await runner.EnqueueAsync(Request("/no/such/program"));
        await runner.DisposeAsync();

        Assert.Equal(1, runner.Succeeded);
        Assert.Equal(2, runner.Failed);
    }

    [Fact]
    public async Task No_more_than_the_cap_run_at_once()
    {
        var slots = Directory.CreateDirectory(_dir.Path("slots")).FullName;
        var seen = _dir.Path("seen");
        var script = _dir.Write("slot", $"#!/bin/sh\ntouch '{slots}/'$$\nsleep 0.3\nls '{slots}' | wc -l >> '{seen}'\nrm '{slots}/'$$\n");
        File.SetUnixFileMode(script, (UnixFileMode)0x1c0);

        var runner = new TriggerRunner(new TriggerRunnerOptions { MaxConcurrent = 2 }, NullLogger.Instance);
        for (int i = 0; i < 6; i++)
            await runner.EnqueueAsync(Request(script));
        await runner.DisposeAsync();

        var counts = (await File.ReadAllLinesAsync(seen)).Select(l => int.Parse(l.Trim(), CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(6, counts.Length);
        Assert.All(counts, c => Assert.InRange(c, 1, 2));
        Assert.Equal(6, runner.Succeeded);
    }

    [Fact]
    public async Task Every_child_is_reaped()
    {
        var runner = new TriggerRunner(new TriggerRunnerOptions { MaxConcurrent = 4 }, NullLogger.Instance);
        for (int i = 0; i < 8; i++)
            await runner.EnqueueAsync(Request("/bin/true"));
        await runner.DisposeAsync();

        if (!Directory.Exists("/proc"))
            return;
        int self = Environment.ProcessId;
        // Only this test's children (/bin/true): other tests start processes of their own in parallel,
        // which .NET reaps a moment after they end.
        var zombies = Directory.GetDirectories("/proc")
            .Select(d => Path.Combine(d, "stat"))
            .Where(File.Exists)
            .Select(f => { try { return File.ReadAllText(f); } catch (IOException) { return ""; } })
            .Where(stat => stat.Contains("(true)", StringComparison.Ordinal))
            .Select(stat => stat[(stat.LastIndexOf(')') + 2)..].Split(' '))
            .Where(fields => fields.Length > 2 && fields[1] == self.ToString(CultureInfo.InvariantCulture) && fields[0] == "Z");
        Assert.Empty(zombies);
        Assert.Equal(8, runner.Succeeded);
    }

    [Fact]
    public async Task A_trigger_that_leaves_a_process_behind_has_it_killed_and_its_slot_freed()
    {
        // Each run leaves "sleep 300" holding its output; one slot, three runs: before, the slot
        // stayed taken until the sleep ended, and so did every trigger after it. Now the process
        // group ends with the trigger.
        var pids = Directory.CreateDirectory(_dir.Path("pids")).FullName;
        var runner = new TriggerRunner(new TriggerRunnerOptions { MaxConcurrent = 1, Timeout = TimeSpan.FromSeconds(1) }, NullLogger.Instance);
        for (int i = 0; i < 3; i++)
            await runner.EnqueueAsync(Request("/bin/sh", "-c", $"sleep 300 & echo $! > '{pids}/{i}'"));
        await runner.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(3, runner.Succeeded);
        foreach (var file in Directory.GetFiles(pids))
        {
            int pid = int.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture);
            await WaitUntilGoneAsync(pid);
        }

        Assert.Equal(3, Directory.GetFiles(pids).Length);
    }

    [Fact]
    public async Task A_trigger_that_runs_too_long_is_killed_with_everything_it_started()
    {
        var pids = Directory.CreateDirectory(_dir.Path("pids")).FullName;
        var runner = new TriggerRunner(new TriggerRunnerOptions { Timeout = TimeSpan.FromSeconds(1) }, NullLogger.Instance);
        await runner.EnqueueAsync(Request("/bin/sh", "-c", $"sleep 300 & echo $! > '{pids}/child'; wait"));
        await runner.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, runner.TimedOut);
        await WaitUntilGoneAsync(int.Parse(File.ReadAllText(Path.Combine(pids, "child")).Trim(), CultureInfo.InvariantCulture));
    }

    /// <summary>Waits for a process to be gone (killed and reaped by init), or fails after a minute.</summary>
    private static async Task WaitUntilGoneAsync(int pid)
    {
        for (int i = 0; i < 600 && IsRunning(pid); i++)
            await Task.Delay(100);
        Assert.False(IsRunning(pid), $"process {pid} was left running");
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [Fact]
    public async Task A_trigger_whose_output_is_redirected_away_still_has_what_it_left_killed()
    {
        var pids = Directory.CreateDirectory(_dir.Path("pids")).FullName;
        var runner = new TriggerRunner(new TriggerRunnerOptions(), NullLogger.Instance);
        await runner.EnqueueAsync(Request("/bin/sh", "-c", $"sleep 300 >/dev/null 2>&1 & echo $! > '{pids}/child'"));
        await runner.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, runner.Succeeded);
        await WaitUntilGoneAsync(int.Parse(File.ReadAllText(Path.Combine(pids, "child")).Trim(), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_time_limit_shorter_than_starting_a_child_takes_counts_it_and_frees_the_slot()
    {
        var runner = new TriggerRunner(new TriggerRunnerOptions { Timeout = TimeSpan.FromTicks(1), MaxConcurrent = 1 }, NullLogger.Instance);
        for (int i = 0; i < 3; i++)
            await runner.EnqueueAsync(Request("/bin/sleep", "30"));
        await runner.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(3, runner.TimedOut + runner.Succeeded + runner.Failed);
    }
}
