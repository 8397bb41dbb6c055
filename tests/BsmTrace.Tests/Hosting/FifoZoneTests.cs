using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Hosting;

/// <summary>A FIFO followed across writers is one stream: what the matcher knows of zones holds across them.</summary>
public sealed class FifoZoneTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Zone_globs_stay_right_across_fifo_writers()
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", """
            sequence web { subject any; zone "web*"; state { event <auditevent> { AUE_EXECVE; }; status any; }; };
            sequence sentinel { subject any; state { event <auditevent> { AUE_OPEN_R; }; status any; }; };
            """);
        int port = ServiceProcess.FreePort();
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", fifo, "--metrics-listen", $"127.0.0.1:{port}"]);

        long t = Trails.Epoch;
        foreach (var zones in new[] { new[] { "web1", "web2" }, ["dbjail", "mail"], ["mail", "web3"], ["dbjail"] })
        {
            // Each writer its own, once the one before has gone and its records were read.
            await Fifo.WriteAsync(fifo, zones.Select(z => Make(Execve, t++, zone: z)).ToArray());
            long read = t - Trails.Epoch;
            await MetricsScrape.WaitForAsync(service, port, "bsmtrace_records_total", v => v == read);
        }

        // Records are matched and alerts written in order: once the sentinel's alert is out, every earlier one is.
        await Fifo.WriteAsync(fifo, Make(OpenRead, t, path: "/x"));
        await service.WaitForLineAsync(l => l.Contains("state machine: sentinel", StringComparison.Ordinal));
        var web = service.Lines.Where(l => l.Contains("state machine: web ", StringComparison.Ordinal)).Select(l => l.Split(' ')[0]);
        Assert.Equal(["1700000000.0", "1700000001.0", "1700000005.0"], web);
        await service.StopCleanlyAsync();
    }
}
