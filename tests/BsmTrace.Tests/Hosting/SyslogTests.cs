using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Hosting;

/// <summary>Alerts to syslog through its local socket: a daemon that is not there is reported once, every failure counted, and reached again when it comes back.</summary>
public sealed class SyslogTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task An_unreachable_syslog_is_reported_once_counted_for_every_alert_and_reconnected()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var socket = _dir.Path("log");
        int port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(
            ["--follow", "-f", _dir.Write("p.conf", "sequence each { subject any; state { event <auditevent> { AUE_EXECVE; }; status any; }; };"), "-a", fifo, "--metrics-listen", $"127.0.0.1:{port}"],
            new Dictionary<string, string> { ["BsmTrace__SyslogSocket"] = socket });
        await using var writer = await Fifo.OpenAsync(fifo);

        await writer.WriteAsync(Trails.Concat(Make(Execve, Trails.Epoch), Make(Execve, Trails.Epoch + 1), Make(Execve, Trails.Epoch + 2)));
        await writer.FlushAsync();
        await MetricsScrape.WaitForAsync(service, port, "bsmtrace_sink_failures_total", v => v == 3, "sink=syslog");
        var reported = service.Lines.Where(l => l.Contains("syslog", StringComparison.Ordinal) && l.Contains(socket, StringComparison.Ordinal)).ToArray();
        Assert.Single(reported);

        // The daemon comes back: the next alerts reach it, and the recovery is said once.
        using var syslog = new SyslogReceiver(socket);
        await writer.WriteAsync(Trails.Concat(Make(Execve, Trails.Epoch + 3), Make(Execve, Trails.Epoch + 4)));
        await writer.FlushAsync();
        await service.WaitUntilAsync(() => syslog.Messages.Count == 2, "two alerts at the syslog socket");
        Assert.All(syslog.Messages, m => Assert.Matches(@"^<37>.* bsmtrace\[\d+\]: 170000000[34]\.0 state machine: each subject: auid 1001 ", m));
        await service.WaitForLineAsync(l => l.Contains("syslog", StringComparison.Ordinal) && l.Contains("again", StringComparison.Ordinal));
        var scrape = await MetricsScrape.GetAsync(port);
        Assert.Equal(3, MetricsScrape.Value(scrape, "bsmtrace_sink_failures_total", "sink=syslog"));
        await service.StopCleanlyAsync();
    }
}
