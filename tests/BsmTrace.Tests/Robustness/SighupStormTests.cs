using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Robustness;

/// <summary>Hundreds of SIGHUPs in a second while records stream: no crash, no record lost, the last policy wins.</summary>
public sealed class SighupStormTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_storm_of_sighups_while_records_stream_loses_nothing_and_the_last_policy_wins()
    {
        const int count = 3000;
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", "sequence v0 { subject any; state { event <auditevent> { AUE_OPEN_R; }; status any; }; };\nsequence each { subject any; state { event <auditevent> { AUE_EXECVE; }; status any; }; };\n");
        await using var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", fifo, "--metrics-listen", ""]);
        await service.WaitForLineAsync(l => l.Contains("started", StringComparison.Ordinal));

        var writing = Task.Run(async () =>
        {
            await using var writer = await Fifo.OpenAsync(fifo);
            for (int i = 0; i < count; i++)
                await writer.WriteAsync(Make(Execve, Trails.Epoch + i));
        });

        // Several hundred signals in about a second, the policy rewritten between them.
        var signals = new List<Task>();
        for (int i = 1; i <= 300; i++)
        {
            if (i % 50 == 0)
                _dir.Write("p.conf", $"sequence v{i} {{ subject any; state {{ event <auditevent> {{ AUE_OPEN_R; }}; status any; }}; }};\nsequence each {{ subject any; state {{ event <auditevent> {{ AUE_EXECVE; }}; status any; }}; }};\n");
            signals.Add(service.SignalAsync("HUP"));
            await Task.Delay(3);
        }

        await Task.WhenAll(signals);

        await writing;
        await service.WaitForAlertsAsync(count, seconds: 60);

        // The last policy wins: an open now alerts under v300.
        await Task.Delay(1500);
        await Fifo.WriteAsync(fifo, Make(OpenRead, Trails.Epoch + count, path: "/x"));
        var last = await service.WaitForLineAsync(l => l.Contains("state machine: v", StringComparison.Ordinal));
        Assert.Contains("state machine: v300 ", last, StringComparison.Ordinal);

        var each = service.Lines.Where(l => l.Contains("state machine: each", StringComparison.Ordinal)).Select(l => l.Split(' ')[0]).ToList();
        Assert.Equal(count, each.Count);
        Assert.Equal(count, each.Distinct().Count());
        Assert.Equal(0, await service.StopAsync());
    }
}
