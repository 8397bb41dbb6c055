using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Running;

/// <summary>
/// A trail run's reader can wait, so it waits for its outputs: every alert is delivered, however
/// slow the output, and one that matters is never among alerts let go.
/// </summary>
public sealed class TrailDeliveryTests : IDisposable
{
    private const string Policy = """
        define set $tool <path> { /usr/bin/tool; };
        define set $important <path> { /usr/bin/important; };
        sequence each { subject any; state { event <auditevent> { AUE_EXECVE; }; status any; object $tool; }; };
        sequence important { subject any; priority 9; state { event <auditevent> { AUE_EXECVE; }; status any; object $important; }; };
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A trail of <paramref name="count"/> records that each raise an alert, and then the one that matters.</summary>
    private string Trail(int count)
    {
        var path = _dir.Path("flood.bsm");
        using var file = File.Create(path);
        for (int i = 0; i < count; i++)
            file.Write(Trails.Exec((uint)(1000 + i % 50), "/usr/bin/tool", Trails.Epoch + i / 1000));
        file.Write(Trails.Exec(4242, "/usr/bin/important", Trails.Epoch + count / 1000));
        return path;
    }

    [Fact]
    public async Task A_trail_run_into_a_log_directory_delivers_every_alert()
    {
        const int count = 200_000;
        var trail = Trail(count);
        var logs = Directory.CreateDirectory(_dir.Path("logs")).FullName;

        var result = await BsmTraceProcess.RunAsync(["-F", "-f", _dir.Write("p.conf", Policy), "-a", trail, "-l", logs]);

        Assert.Equal("", result.StandardError);
        Assert.Equal(0, result.ExitCode);
        var lines = File.ReadAllLines(Path.Combine(logs, "bsmtrace.log"));
        Assert.Equal(count + 1, lines.Length);
        Assert.Equal(count, lines.Count(l => l.Contains("state machine: each ", StringComparison.Ordinal)));
        Assert.Contains("state machine: important subject: auid 4242", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trail_run_to_syslog_waits_for_the_daemon_and_delivers_every_alert()
    {
        const int count = 20_000;
        var trail = Trail(count);
        // A daemon that reads slowly: the socket's queue fills and bsmtrace must wait, not let alerts go.
        int received = 0;
        using var syslog = new SyslogReceiver(_dir.Path("log"), async () =>
        {
            if (Interlocked.Increment(ref received) % 500 == 0)
                await Task.Delay(20);
        });

        var result = await BsmTraceProcess.RunAsync(["-f", _dir.Write("p.conf", Policy), "-a", trail],
            environment: new Dictionary<string, string> { ["BsmTrace__SyslogSocket"] = syslog.Path });

        Assert.Equal("", result.StandardError);
        Assert.Equal(0, result.ExitCode);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (syslog.Messages.Count < count + 1 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(count + 1, syslog.Messages.Count);
        Assert.Matches(@"^<37>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d bsmtrace\[\d+\]: 1700000020\.0 state machine: important subject: auid 4242 ",
            syslog.Messages.Last());
    }
}
