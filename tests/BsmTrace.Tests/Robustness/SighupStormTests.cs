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

        // The last policy wins: an open alerts under v300 once the storm's last reload is applied, and
        // policies never go back to an older one on the way, however long that takes to settle.
        await using (var writer = await Fifo.OpenAsync(fifo))
        {
            for (int i = 0; !service.Lines.Any(l => l.Contains("state machine: v300 ", StringComparison.Ordinal)); i++)
            {
                await writer.WriteAsync(Make(OpenRead, Trails.Epoch + count + i, path: "/x"));
                await writer.FlushAsync();
                await service.WaitUntilAsync(() => service.Lines.Count(l => l.Contains("state machine: v", StringComparison.Ordinal)) > i, $"the alert of open {i}");
            }
        }

        var versions = service.Lines.Where(l => l.Contains("state machine: v", StringComparison.Ordinal))
            .Select(l => int.Parse(l.Split("state machine: v")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(versions.Order(), versions);

        var each = service.Lines.Where(l => l.Contains("state machine: each", StringComparison.Ordinal)).Select(l => l.Split(' ')[0]).ToList();
        Assert.Equal(count, each.Count);
        Assert.Equal(count, each.Distinct().Count());
        await service.StopCleanlyAsync();
    }
}
