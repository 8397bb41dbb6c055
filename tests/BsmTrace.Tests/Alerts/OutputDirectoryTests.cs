using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Alerts;

/// <summary>
/// Root writes alerts only where no one else can plant a file or a link: directories others
/// can write are refused, links are never followed, and files are opened again on SIGHUP (for
/// newsyslog), not whenever their name seems to have gone.
/// </summary>
public sealed class OutputDirectoryTests : IDisposable
{
    private const long T = Trails.Epoch;
    private const UnixFileMode Mode0755 = (UnixFileMode)0x1ed;
    private const UnixFileMode Mode0777 = (UnixFileMode)0x1ff;
    private const UnixFileMode Mode1777 = (UnixFileMode)0x3ff;
    private const string EachExec = "sequence each { subject any; state { event <auditevent> { AUE_EXECVE; }; status any; }; };";

    private readonly TempDirectory _dir = new();

    public OutputDirectoryTests() => File.SetUnixFileMode(_dir.Root, Mode0755);

    public void Dispose() => _dir.Dispose();

    private string Trail(params byte[][] records) => _dir.Write("t.bsm", Trails.Concat(records));

    [Theory]
    [InlineData(0x1ff, "every user")] // 0777
    [InlineData(0x3ff, "every user")] // 1777: sticky is no help where root appends to a name someone else may have made
    [InlineData(0x1fd, "its group")]  // 0775
    public async Task A_log_directory_others_can_write_is_refused(int mode, string who)
    {
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        File.SetUnixFileMode(logs, (UnixFileMode)mode);
        var result = await BsmTraceProcess.RunAsync(["-F", "-l", logs, "-f", _dir.Write("p.conf", EachExec), "-a", Trail(Make(Execve, T))]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{logs} is writable by {who}; bsmtrace writes only where no one else can plant a file or link", result.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(logs, "bsmtrace.log")));
    }

    [SkippableFact]
    public async Task A_log_directory_owned_by_another_user_is_refused()
    {
        OtherUser.RequireRoot();
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        OtherUser.Give(logs);
        var result = await BsmTraceProcess.RunAsync(["-F", "-l", logs, "-f", _dir.Write("p.conf", EachExec), "-a", Trail(Make(Execve, T))]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{logs} belongs to user {OtherUser.Id}, neither root nor the user bsmtrace runs as", result.StandardError, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_log_directory_inside_another_users_directory_is_refused()
    {
        OtherUser.RequireRoot();
        var theirs = Directory.CreateDirectory(_dir.Path("theirs")).FullName;
        var logs = Directory.CreateDirectory(Path.Combine(theirs, "logs")).FullName;
        File.SetUnixFileMode(logs, (UnixFileMode)0x1c0);
        OtherUser.Give(theirs); // they could rename logs away and put a directory of their choosing there

        var result = await BsmTraceProcess.RunAsync(["-F", "-l", logs, "-f", _dir.Write("p.conf", EachExec), "-a", Trail(Make(Execve, T))]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{theirs}, above {logs}/., belongs to user {OtherUser.Id}", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_log_directory_is_made_private_with_its_parents()
    {
        var logs = _dir.Path("var/log/bsmtrace");
        var result = await BsmTraceProcess.RunAsync(["-F", "-l", logs, "-f", _dir.Write("p.conf", EachExec), "-a", Trail(Make(Execve, T))]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(logs));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir.Path("var/log")));
        Assert.Single(await File.ReadAllLinesAsync(Path.Combine(logs, "bsmtrace.log")));
    }

    [Fact]
    public async Task A_link_planted_as_the_log_file_is_refused_and_its_target_left_alone()
    {
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        var target = _dir.Write("target", "untouched\n");
        File.CreateSymbolicLink(Path.Combine(logs, "bsmtrace.log"), target);
        var result = await BsmTraceProcess.RunAsync(["-F", "-l", logs, "-f", _dir.Write("p.conf", EachExec), "-a", Trail(Make(Execve, T))]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{Path.Combine(logs, "bsmtrace.log")}: is a symbolic link, which bsmtrace does not follow here", result.StandardError, StringComparison.Ordinal);
        Assert.Equal("untouched\n", await File.ReadAllTextAsync(target));
    }

    [Fact]
    public async Task A_hard_link_planted_as_the_log_file_is_refused_and_its_target_left_alone()
    {
        // O_NOFOLLOW stops a symbolic link, not a hard one: a user who could write the directory
        // once (or the user bsmtrace becomes) could make root append to any file on the file system.
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        File.SetUnixFileMode(logs, (UnixFileMode)0x1c0);
        var victim = _dir.Write("victim", "root:*:0:0::0:0:Charlie &:/root:/bin/sh\n");
        Assert.Equal(0, link(victim, Path.Combine(logs, "bsmtrace.log")));

        var result = await BsmTraceProcess.RunAsync(["-F", "-l", logs, "-f", _dir.Write("p.conf", EachExec), "-a", Trail(Make(Execve, T))]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{logs}/bsmtrace.log: has 2 names (a hard link); bsmtrace writes only to a file of its own", result.StandardError, StringComparison.Ordinal);
        Assert.Equal("root:*:0:0::0:0:Charlie &:/root:/bin/sh\n", await File.ReadAllTextAsync(victim));
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int link(string existing, string created);

    [Fact]
    public async Task Evidence_is_never_written_through_a_linked_sequence_directory()
    {
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        var elsewhere = Directory.CreateDirectory(_dir.Path("elsewhere")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(logs, "each"), elsewhere);
        var result = await BsmTraceProcess.RunAsync(["-F", "-B", "-l", logs, "-f", _dir.Write("p.conf", EachExec), "-a", Trail(Make(Execve, T))]);

        Assert.Empty(Directory.GetFileSystemEntries(elsewhere));
        Assert.Contains($"{Path.Combine(logs, "each")}: is a symbolic link, which bsmtrace does not follow here", result.StandardError, StringComparison.Ordinal);
        Assert.NotEqual(0, result.ExitCode); // an alert an output missed
    }

    [Fact]
    public async Task A_json_channel_in_a_directory_others_can_write_is_refused()
    {
        var shared = Directory.CreateDirectory(_dir.Path("shared")).FullName;
        File.SetUnixFileMode(shared, Mode1777);
        var json = Path.Combine(shared, "alerts.json");
        var policy = _dir.Write("p.conf", $$"""
            log-channel $j json { path "{{json}}"; };
            sequence each { subject any; log $j; state { event <auditevent> { AUE_EXECVE; }; status any; }; };
            """);
        var result = await BsmTraceProcess.RunAsync(["-F", "-f", policy, "-a", Trail(Make(Execve, T))]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{shared} is writable by every user", result.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(json));
    }

    /// <summary>A service following a FIFO with a log directory, its first alert written to bsmtrace.log.</summary>
    private async Task<LoggingService> LoggingServiceAsync()
    {
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var service = ServiceProcess.Start(["-F", "--follow", "-l", logs, "-f", _dir.Write("p.conf", EachExec), "-a", fifo]);
        var run = new LoggingService(service, await Fifo.OpenAsync(fifo), Path.Combine(logs, "bsmtrace.log"));
        await run.ExecAsync(T);
        await service.WaitUntilAsync(() => File.Exists(run.Log) && File.ReadAllLines(run.Log).Length == 1, "the first alert in bsmtrace.log");
        return run;
    }

    private sealed record LoggingService(ServiceProcess Service, Stream Writer, string Log) : IAsyncDisposable
    {
        public async Task ExecAsync(long seconds)
        {
            await Writer.WriteAsync(Make(Execve, seconds));
            await Writer.FlushAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await Writer.DisposeAsync();
            await Service.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_log_file_that_cannot_be_opened_again_on_sighup_is_written_on_where_it_was()
    {
        await using var run = await LoggingServiceAsync();
        var (service, log) = (run.Service, run.Log);
        // Rotated, and something that is not a file now stands where the new one would go.
        var rotated = log + ".0";
        File.Move(log, rotated);
        Directory.CreateDirectory(log);

        await service.SignalAsync("HUP");
        await service.WaitForLineAsync(l => l.Contains("cannot open its files again", StringComparison.Ordinal));
        await run.ExecAsync(T + 1);
        // Before, the old file was closed first and the alert was lost to a sink with no file.
        await service.WaitUntilAsync(() => File.ReadAllLines(rotated).Length == 2, "the second alert in the file opened before");
        await service.StopCleanlyAsync();
    }

    [Fact]
    public async Task Evidence_directories_cleaned_out_while_running_are_made_again()
    {
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        await using var service = ServiceProcess.Start(["-F", "--follow", "-B", "-l", logs, "-f", _dir.Write("p.conf", EachExec), "-a", fifo]);
        await using var writer = await Fifo.OpenAsync(fifo);
        var evidence = Path.Combine(logs, "each");
        await writer.WriteAsync(Make(Execve, T));
        await writer.FlushAsync();
        await service.WaitUntilAsync(() => Directory.Exists(evidence) && Directory.GetFiles(evidence).Length == 1, "the first evidence file");

        Directory.Delete(evidence, recursive: true); // an administrator clearing out old evidence
        await writer.WriteAsync(Make(Execve, T + 1));
        await writer.FlushAsync();

        await service.WaitUntilAsync(() => Directory.Exists(evidence) && Directory.GetFiles(evidence).Length == 1, "the second evidence file, in the directory made again");
        await service.StopCleanlyAsync();
        Assert.DoesNotContain(service.Lines, l => l.Contains("cannot write", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Log_files_are_opened_again_on_sighup_and_not_before()
    {
        await using var run = await LoggingServiceAsync();
        var (service, log) = (run.Service, run.Log);

        // newsyslog moves the file aside, then signals: until the signal, alerts go on into the moved file.
        var rotated = log + ".0";
        File.Move(log, rotated);
        await run.ExecAsync(T + 1);
        await service.WaitUntilAsync(() => File.ReadAllLines(rotated).Length == 2, "the second alert in the moved file");
        Assert.False(File.Exists(log));

        await service.SignalAsync("HUP");
        await service.WaitForLineAsync(l => l.Contains("Output files opened again (SIGHUP)", StringComparison.Ordinal));
        Assert.True(File.Exists(log)); // made again at once, not at the next alert
        await run.ExecAsync(T + 2);
        await service.WaitUntilAsync(() => File.ReadAllLines(log).Length == 1, "the third alert in the new bsmtrace.log");
        Assert.Equal(2, File.ReadAllLines(rotated).Length);
        await service.StopCleanlyAsync();
    }

    [Fact]
    public async Task An_evidence_file_that_cannot_be_written_whole_is_removed_and_counted()
    {
        // A file size limit fails the write as a full disk would, past a few hundred bytes.
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        var big = Make(Execve, T, path: "/" + new string('x', 4000));
        var small = Make(Execve, T + 1, path: "/bin/sh");
        var result = await BsmTraceProcess.RunAsync(["-F", "-B", "-l", logs, "-f", _dir.Write("p.conf", EachExec), "-a", Trail(big, small)],
            fileSizeLimitBlocks: 1);

        Assert.Equal(1, result.ExitCode); // an alert an output missed
        Assert.Contains("the part written was removed", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("Alert sink evidence did not write 1 of 2 alerts (1 failed", result.StandardError, StringComparison.Ordinal);
        var evidence = Assert.Single(Directory.GetFiles(Path.Combine(logs, "each")));
        Assert.Equal(small, await File.ReadAllBytesAsync(evidence));
        Assert.Equal(2, (await File.ReadAllLinesAsync(Path.Combine(logs, "bsmtrace.log"))).Length);
    }
}
