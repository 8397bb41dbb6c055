using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Hosting;

/// <summary>
/// A reload opens the new policy's outputs before it swaps anything: one that cannot open leaves
/// the running policy and its outputs in place. Outputs a reload retires are closed, and counters
/// stay monotonic for the life of the process.
/// </summary>
public sealed class ReloadTests : IDisposable
{
    private const long T = Trails.Epoch;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_reload_whose_json_channel_cannot_open_is_refused_and_the_running_policy_goes_on()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", Policies.Pair);
        int port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", fifo, "--metrics-listen", $"127.0.0.1:{port}"]);
        await Fifo.WriteAsync(fifo, Make(Execve, T, auid: 8));
        await MetricsScrape.WaitForAsync(service, port, "bsmtrace_instances_active", v => v == 1);

        var missing = _dir.Path("no-such-directory/alerts.json");
        _dir.Write("p.conf", $$"""
            log-channel $j json { path "{{missing}}"; };
            sequence pair { subject any; log $j; state { event <auditevent> { AUE_EXECVE; }; status any; }; };
            """);
        await service.SignalAsync("HUP");
        await MetricsScrape.WaitForAsync(service, port, "bsmtrace_policy_reloads_total", v => v == 1, "result=failure");
        Assert.Contains(service.Lines, l => l.Contains("Policy reload failed", StringComparison.Ordinal) && l.Contains("no-such-directory", StringComparison.Ordinal));

        // The running policy stays, with its instance: the open completes the pair.
        await Fifo.WriteAsync(fifo, Make(OpenRead, T + 1, auid: 8, path: "/x"));
        await service.WaitForAlertsAsync(1);
        Assert.Contains(service.Lines, l => l.Contains("state machine: pair subject: auid 8 completed: duration 1 ", StringComparison.Ordinal));
        await service.StopCleanlyAsync();
    }

    [LinuxFact]
    public async Task Outputs_a_reload_retires_are_closed()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var channel = _dir.Path("alerts.log");
        string Policy(int version) => $$"""
            # version {{version}}
            log-channel $out file { path "{{channel}}"; };
            sequence each { subject any; log $out; state { event <auditevent> { AUE_EXECVE; }; status any; }; };
            """;
        var policy = _dir.Write("p.conf", Policy(0));
        int port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", fifo, "--metrics-listen", $"127.0.0.1:{port}"]);
        await using var writer = await Fifo.OpenAsync(fifo);

        for (int reload = 1; reload <= 5; reload++)
        {
            _dir.Write("p.conf", Policy(reload));
            await service.SignalAsync("HUP");
            await MetricsScrape.WaitForAsync(service, port, "bsmtrace_policy_reloads_total", v => v == reload, "result=success");
            // A record after the reload: the new policy is applied before it is matched.
            await writer.WriteAsync(Make(Execve, T + reload));
            await writer.FlushAsync();
            await service.WaitUntilAsync(() => File.Exists(channel) && File.ReadAllLines(channel).Length == reload, $"{reload} alerts in the channel's file");
        }

        await service.WaitUntilAsync(() => OpenFiles.Count(service.Pid, channel) == 1,
            $"one descriptor open on the channel's file, not {OpenFiles.Count(service.Pid, channel)}");
    }

    [Fact]
    public async Task The_evicted_count_never_goes_backwards_across_a_reload()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", Policies.Pair);
        int port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", fifo, "--max-instances", "1", "--metrics-listen", $"127.0.0.1:{port}"]);
        await using var writer = await Fifo.OpenAsync(fifo);
        await writer.WriteAsync(Trails.Concat(Make(Execve, T, auid: 1), Make(Execve, T, auid: 2), Make(Execve, T, auid: 3)));
        await writer.FlushAsync();
        await MetricsScrape.WaitForAsync(service, port, "bsmtrace_instances_evicted_total", v => v == 2);

        await service.SignalAsync("HUP");
        await MetricsScrape.WaitForAsync(service, port, "bsmtrace_policy_reloads_total", v => v == 1, "result=success");
        await writer.WriteAsync(Make(OpenRead, T + 1, auid: 3, path: "/x")); // matched under the reloaded policy
        await writer.FlushAsync();
        await service.WaitForAlertsAsync(1);

        var scrape = await MetricsScrape.GetAsync(port);
        Assert.Equal(2, MetricsScrape.Value(scrape, "bsmtrace_instances_evicted_total"));
    }
}
