using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Hosting;

/// <summary>
/// On any one stream an alert appears once. Where stderr carries classic alert lines, the log
/// events beside them leave those lines the only ones that read as alerts.
/// </summary>
public sealed class AlertStreamTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<ServiceProcess> RunAsync(string policy, int alerts)
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var service = ServiceProcess.Start(["-F", "--follow", "-f", _dir.Write("p.conf", policy), "-a", fifo, "--metrics-listen", ""]);
        await Fifo.WriteAsync(fifo, Enumerable.Range(0, alerts).Select(i => Make(Execve, Trails.Epoch + i, auid: (uint)(500 + i))).ToArray());
        await Fifo.WriteAsync(fifo, Make(OpenRead, Trails.Epoch + alerts, path: "/x")); // the sentinel, alerting last
        await service.WaitForLineAsync(l => l.Contains("state machine: sentinel", StringComparison.Ordinal));
        return service;
    }

    private const string Sentinel = "sequence sentinel { subject any; state { event <auditevent> { AUE_OPEN_R; }; status any; }; };\n";

    private static void AssertEachAlertOnce(ServiceProcess service, int alerts)
    {
        for (int i = 0; i < alerts; i++)
        {
            string auid = $"auid {500 + i} ";
            var mentions = service.Lines.Where(l => l.Contains(auid, StringComparison.Ordinal) || l.Contains($"\"Subject\":{500 + i}", StringComparison.Ordinal)).ToArray();
            var line = Assert.Single(mentions);
            Assert.Matches(@"^\d+\.\d+ state machine: xyzzy subject: auid \d+ completed: ", line);
        }

        // Every other line is a log event, and none of them reads as a classic alert line.
        Assert.All(service.Lines.Where(l => !l.Contains("state machine:", StringComparison.Ordinal)),
            l => Assert.DoesNotMatch(@"^\d+\.\d+ state machine: ", l));
    }

    [Fact]
    public async Task In_the_foreground_without_a_log_directory_each_alert_is_one_classic_line_on_stderr()
    {
        await using var service = await RunAsync("sequence xyzzy { subject any; state { event <auditevent> { AUE_EXECVE; }; status any; }; };\n" + Sentinel, 3);
        AssertEachAlertOnce(service, 3);
        await service.StopCleanlyAsync();
    }

    [Fact]
    public async Task A_stderr_log_channel_in_the_foreground_adds_no_second_line()
    {
        await using var service = await RunAsync(
            "log-channel $err stderr { };\nsequence xyzzy { subject any; log $err; state { event <auditevent> { AUE_EXECVE; }; status any; }; };\n" + Sentinel, 3);
        AssertEachAlertOnce(service, 3);
        await service.StopCleanlyAsync();
    }
}
