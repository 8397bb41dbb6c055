using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.State;

/// <summary>
/// A service followed an auditd directory, stopped and started again with rotations while it was
/// down, raises exactly the alerts of one uninterrupted run: no record read twice, none missed, and
/// the instances of sequences begun before a stop completed after it.
/// </summary>
public sealed class RestartTests : IDisposable
{
    private const string Policy = """
        sequence pair {
            subject any;
            state { event <auditevent> { AUE_EXECVE; }; status any; };
            state { event <auditevent> { AUE_OPEN_R; }; status any; };
        };
        sequence secret { subject any; state { event <auditevent> { AUE_OPEN_R; }; status any; object <path> { /etc/secret; }; }; };
        sequence sentinel { subject any; state { event <auditevent> { AUE_OPEN_WC; }; status any; }; };
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Exec and open records of a few users, interleaved so that many pairs span any point of the stream.</summary>
    private static byte[][] Activity(int from, int count) => Enumerable.Range(from, count).Select(k => k % 2 == 0
        ? Make(Execve, Trails.Epoch + k, auid: (uint)(k / 2 % 37))
        : Make(OpenRead, Trails.Epoch + k, auid: (uint)((k / 2 + 11) % 37), path: k % 5 == 0 ? "/etc/secret" : "/tmp/x")).ToArray();

    /// <summary>A record that alerts alone, by a user of its own: once its alert is out, every record before it is matched.</summary>
    private static byte[] Sentinel(int n) => Make(OpenWriteCreate, Trails.Epoch + 100_000 + n, auid: (uint)(9000 + n), path: "/tmp/sentinel");

    /// <summary>The classic lines of one run over <paramref name="trail"/>, read as a file named "current".</summary>
    private async Task<string[]> OneRunOver(byte[] trail, string policy)
    {
        var reference = Directory.CreateDirectory(_dir.Path("reference")).FullName;
        var file = Path.Combine(reference, "current");
        await File.WriteAllBytesAsync(file, trail);
        var result = await BsmTraceProcess.RunAsync(["-F", "-f", policy, "-a", file, "--state-dir", ""]);
        Assert.Equal(0, result.ExitCode);
        return result.StandardError.Split('\n').Where(l => l.Contains("state machine:", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
    }

    private static ServiceProcess Start(AuditDirectory audit, string policy, string logs, string state, int port) =>
        ServiceProcess.Start(["-F", "-l", logs, "--follow", "-f", policy, "-a", audit.CurrentLink, "--state-dir", state, "--metrics-listen", $"127.0.0.1:{port}"]);

    private static string[] Logged(string logs) =>
        File.Exists(Path.Combine(logs, "bsmtrace.log")) ? File.ReadAllLines(Path.Combine(logs, "bsmtrace.log")) : [];

    [Fact]
    public async Task A_graceful_restart_at_each_quarter_with_rotations_while_down_raises_the_alerts_of_one_run()
    {
        var policy = _dir.Write("p.conf", Policy);
        var audit = new AuditDirectory(_dir.Path("audit"));
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        var state = _dir.Path("state");
        const int quarter = 3000;

        for (int q = 0; q < 4; q++)
        {
            // While it is down: some of the quarter into the trail being written, a rotation, the rest into the next.
            var records = Activity(q * quarter, quarter);
            audit.Append(records[..(quarter / 3)]);
            if (q > 0)
                audit.Rotate();
            audit.Append(records[(quarter / 3)..]);
            audit.Append(Sentinel(q));

            int port = ServiceProcess.FreePort();
            await using var service = Start(audit, policy, logs, state, port);
            if (q < 3)
            {
                // Stopped as soon as it has read anything of the quarter, wherever it is in it.
                await MetricsScrape.WaitForAsync(service, port, "bsmtrace_records_total", v => v >= 1);
                await service.StopCleanlyAsync();
            }
            else
            {
                await service.WaitUntilAsync(() => Logged(logs).Any(l => l.Contains("auid 9003 ", StringComparison.Ordinal)), "the last sentinel's alert");
                await service.StopCleanlyAsync();
            }
        }

        var expected = await OneRunOver(audit.Everything(), policy);
        Assert.Contains(expected, l => l.Contains("state machine: pair", StringComparison.Ordinal));
        Assert.Equal(expected, Logged(logs).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Instances_begun_before_a_stop_complete_after_it()
    {
        var policy = _dir.Write("p.conf", Policy);
        var audit = new AuditDirectory(_dir.Path("audit"));
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        var state = _dir.Path("state");

        audit.Append(Make(Execve, Trails.Epoch, auid: 501), Sentinel(0));
        int port = ServiceProcess.FreePort();
        await using (var first = Start(audit, policy, logs, state, port))
        {
            await first.WaitUntilAsync(() => Logged(logs).Length == 1, "the sentinel");
            await MetricsScrape.WaitForAsync(first, port, "bsmtrace_instances_active", v => v == 1);
            await first.StopCleanlyAsync();
        }

        audit.Rotate();
        audit.Append(Make(OpenRead, Trails.Epoch + 604_800, auid: 501, path: "/tmp/x"), Sentinel(1));
        port = ServiceProcess.FreePort();
        await using var second = Start(audit, policy, logs, state, port);
        await second.WaitUntilAsync(() => Logged(logs).Length == 3, "the pair's alert and the second sentinel");
        Assert.Contains(Logged(logs), l => l.StartsWith("1700604800.0 state machine: pair subject: auid 501 completed: duration 604800 seconds", StringComparison.Ordinal));
        await second.WaitForLineAsync(l => l.Contains("\"Restored\":1", StringComparison.Ordinal));
        await second.StopCleanlyAsync();
    }

    [Fact]
    public async Task The_trail_auditd_renamed_after_a_crash_is_found_by_identity_and_read_on()
    {
        var policy = _dir.Write("p.conf", Policy);
        var audit = new AuditDirectory(_dir.Path("audit"));
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        var state = _dir.Path("state");

        audit.Append([.. Activity(0, 400), Sentinel(0)]);
        await using (var first = Start(audit, policy, logs, state, ServiceProcess.FreePort()))
        {
            await first.WaitUntilAsync(() => Logged(logs).Any(l => l.Contains("auid 9000 ", StringComparison.Ordinal)), "the first sentinel");
            await first.StopCleanlyAsync();
        }

        // While it is down: more records, then a crash of auditd, which renames the open trail when it starts again.
        audit.Append(Activity(400, 400));
        audit.RecoverFromCrash();
        audit.Append([.. Activity(800, 400), Sentinel(1)]);
        await using var second = Start(audit, policy, logs, state, ServiceProcess.FreePort());
        await second.WaitUntilAsync(() => Logged(logs).Any(l => l.Contains("auid 9001 ", StringComparison.Ordinal)), "the second sentinel");
        await second.StopCleanlyAsync();

        Assert.Equal(await OneRunOver(audit.Everything(), policy), Logged(logs).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_trail_that_expired_while_it_was_down_is_said_and_the_next_one_read()
    {
        var policy = _dir.Write("p.conf", Policy);
        var audit = new AuditDirectory(_dir.Path("audit"));
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        var state = _dir.Path("state");

        audit.Append(Sentinel(0));
        await using (var first = Start(audit, policy, logs, state, ServiceProcess.FreePort()))
        {
            await first.WaitUntilAsync(() => Logged(logs).Length == 1, "the first sentinel");
            await first.StopCleanlyAsync();
        }

        audit.Append(Sentinel(1)); // never read: its trail expires
        string expired = audit.Current;
        audit.Rotate();
        audit.Append(Sentinel(2));
        File.Delete(Directory.GetFiles(audit.Path, Path.GetFileName(expired)[..14] + ".*").Single());

        await using var second = Start(audit, policy, logs, state, ServiceProcess.FreePort());
        await second.WaitUntilAsync(() => Logged(logs).Any(l => l.Contains("auid 9002 ", StringComparison.Ordinal)), "the sentinel of the trail after the gap");
        var gap = await second.WaitForLineAsync(l => l.Contains("Gap", StringComparison.Ordinal));
        Assert.Contains(Path.GetFileName(expired), gap, StringComparison.Ordinal);
        Assert.DoesNotContain(Logged(logs), l => l.Contains("auid 9001 ", StringComparison.Ordinal));
        await second.StopCleanlyAsync();
    }

    [Fact]
    public async Task A_fifo_service_started_again_keeps_its_instances_and_says_what_it_could_not_see()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", Policy);
        var state = _dir.Path("state");
        string[] args = ["-F", "--follow", "-f", policy, "-a", fifo, "--state-dir", state];

        int port = ServiceProcess.FreePort();
        await using (var first = ServiceProcess.Start([.. args, "--metrics-listen", $"127.0.0.1:{port}"]))
        {
            await Fifo.WriteAsync(fifo, Make(Execve, Trails.Epoch, auid: 7));
            await MetricsScrape.WaitForAsync(first, port, "bsmtrace_instances_active", v => v == 1);
            await first.StopCleanlyAsync();
        }

        await using var second = ServiceProcess.Start([.. args, "--metrics-listen", ""]);
        await Fifo.WriteAsync(fifo, Make(OpenRead, Trails.Epoch + 3600, auid: 7, path: "/tmp/x"));
        await second.WaitForAlertsAsync(1);
        Assert.Contains(second.Lines, l => l.StartsWith("1700003600.0 state machine: pair subject: auid 7 completed: duration 3600 seconds", StringComparison.Ordinal));
        await second.WaitForLineAsync(l => l.Contains("cannot be read again", StringComparison.Ordinal));
        await second.StopCleanlyAsync();
    }

    [Fact]
    public async Task After_an_unclean_stop_the_records_matched_since_the_last_checkpoint_are_counted_as_read_again()
    {
        var policy = _dir.Write("p.conf", Policy);
        var audit = new AuditDirectory(_dir.Path("audit"));
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;
        var state = _dir.Path("state");
        // No checkpoint on the way: only at stops.
        var rarely = new Dictionary<string, string> { ["BsmTrace__CheckpointSeconds"] = "3600" };
        string[] Args(int port) => ["-F", "-l", logs, "--follow", "-f", policy, "-a", audit.CurrentLink, "--state-dir", state, "--metrics-listen", $"127.0.0.1:{port}"];

        audit.Append([.. Activity(0, 100), Sentinel(0)]);
        await using (var first = ServiceProcess.Start(Args(ServiceProcess.FreePort()), rarely))
        {
            await first.WaitUntilAsync(() => Logged(logs).Any(l => l.Contains("auid 9000 ", StringComparison.Ordinal)), "the first sentinel");
            await first.StopCleanlyAsync(); // a clean checkpoint just past the first sentinel
        }

        audit.Append([.. Activity(100, 100), Sentinel(1)]);
        var progress = Directory.GetFiles(state, "*.progress").Single();
        var noted = await File.ReadAllBytesAsync(progress);
        await using (var second = ServiceProcess.Start(Args(ServiceProcess.FreePort()), rarely))
        {
            await second.WaitUntilAsync(() => Logged(logs).Any(l => l.Contains("auid 9001 ", StringComparison.Ordinal)), "the second sentinel");
            await second.WaitUntilAsync(() => !File.ReadAllBytes(progress).SequenceEqual(noted), "the progress past the second sentinel noted");
            await second.SignalAsync("KILL");
            await second.WaitForExitAsync();
        }

        int before = Logged(logs).Length;
        int port = ServiceProcess.FreePort();
        await using var third = ServiceProcess.Start(Args(port), rarely);
        await MetricsScrape.WaitForAsync(third, port, "bsmtrace_records_reread_total", v => v == 101);
        await third.WaitUntilAsync(() => Logged(logs).Count(l => l.Contains("auid 9001 ", StringComparison.Ordinal)) == 2, "the second sentinel raised again");
        var scrape = await MetricsScrape.GetAsync(port);
        Assert.Equal(0, MetricsScrape.Value(scrape, "bsmtrace_checkpoint_instances_total", "result=dropped"));
        Assert.NotNull(MetricsScrape.Value(scrape, "bsmtrace_checkpoint_age_seconds"));
        // What was raised again is what the killed run raised after the checkpoint, once more.
        var logged = Logged(logs);
        Assert.Equal(logged[..before].Skip(logged[..before].ToList().FindIndex(l => l.Contains("auid 9000 ", StringComparison.Ordinal)) + 1), logged[before..]);
        await third.StopCleanlyAsync();
    }

    [Fact]
    public async Task The_audit_directory_itself_can_be_followed()
    {
        var policy = _dir.Write("p.conf", Policy);
        var audit = new AuditDirectory(_dir.Path("audit"));
        audit.Append(Sentinel(0));
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", audit.Path, "--metrics-listen", ""]);
        await service.WaitForAlertsAsync(1);
        audit.Rotate();
        audit.Append(Sentinel(1));
        await service.WaitForAlertsAsync(2);
        Assert.Equal(["auid 9000", "auid 9001"], service.Lines.Where(l => l.Contains("state machine: sentinel", StringComparison.Ordinal))
            .Select(l => l.Split("subject: ")[1][..9]));
        await service.StopCleanlyAsync();
    }
}
