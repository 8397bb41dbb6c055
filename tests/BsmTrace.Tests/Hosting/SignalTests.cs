using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Hosting;

/// <summary>Signals at any moment of the service's life: SIGHUP never ends it, SIGTERM is a clean stop.</summary>
public sealed class SignalTests : IDisposable
{
    private const string EachPolicy = "sequence each { subject any; state { event <auditevent> { AUE_EXECVE; }; status any; }; };";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_sighup_sent_before_the_program_starts_is_a_reload_not_an_exit()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        int port = ServiceProcess.FreePort();
        // Blocked by the launcher and already pending when the runtime starts.
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", _dir.Write("p.conf", EachPolicy), "-a", fifo, "--metrics-listen", $"127.0.0.1:{port}"],
            hangupAtStart: true);

        await MetricsScrape.WaitForAsync(service, port, "bsmtrace_policy_reloads_total", v => v >= 1, "result=success");
        await Fifo.WriteAsync(fifo, Make(Execve, Trails.Epoch));
        await service.WaitForAlertsAsync(1);
        await service.StopCleanlyAsync();
    }

    [Fact]
    public async Task A_sighup_as_soon_as_the_pidfile_names_the_service_is_a_reload_not_an_exit()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var pid = _dir.Path("bsmtrace.pid");
        int port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", _dir.Write("p.conf", EachPolicy), "-a", fifo, "-p", pid, "--metrics-listen", $"127.0.0.1:{port}"]);
        await service.WaitUntilAsync(() => File.Exists(pid), "the pidfile");
        await service.SignalAsync("HUP"); // before the policy is even loaded

        await MetricsScrape.WaitForAsync(service, port, "bsmtrace_policy_reloads_total", v => v >= 1, "result=success");
        await service.StopCleanlyAsync();
    }

    [Fact]
    public async Task A_sigterm_as_soon_as_the_pidfile_names_the_service_is_a_clean_stop()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var pid = _dir.Path("bsmtrace.pid");
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", _dir.Write("p.conf", EachPolicy), "-a", fifo, "-p", pid, "--metrics-listen", ""]);
        await service.WaitUntilAsync(() => File.Exists(pid), "the pidfile");

        await service.StopCleanlyAsync(); // before the service has even started
        Assert.False(File.Exists(pid));
    }

    [Fact]
    public async Task Sigterm_is_a_clean_stop_with_exit_0_after_damaged_input_was_seen()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        int port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", _dir.Write("p.conf", EachPolicy), "-a", fifo, "--metrics-listen", $"127.0.0.1:{port}"]);
        var record = Make(Execve, Trails.Epoch);
        var damaged = (byte[])record.Clone();
        damaged[^1] ^= 0xff; // the trailer's length no longer agrees
        await Fifo.WriteAsync(fifo, damaged, Make(Execve, Trails.Epoch + 1));

        await MetricsScrape.WaitForAsync(service, port, "bsmtrace_records_malformed_total", v => v >= 1);
        await service.WaitForAlertsAsync(1);
        await service.StopCleanlyAsync();
    }
}
