using System.Text.Json;
using BsmTrace.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.State;

/// <summary>
/// A service killed (SIGKILL) at any moment while it follows a trail that grows, and started
/// again, loses no alert: everything one uninterrupted run raises is raised, and an alert raised
/// again (its record matched again after the last checkpoint) has the id it had.
/// </summary>
public sealed class CrashTests
{
    private const string Sequences = """
        sequence pair {
            subject any; log $j;
            state { event <auditevent> { AUE_EXECVE; }; status any; };
            state { event <auditevent> { AUE_OPEN_R; }; status any; };
        };
        sequence sentinel { subject any; log $j; state { event <auditevent> { AUE_OPEN_WC; }; status any; }; };
        """;

    private static string Policy(string json) => $"log-channel $j json {{ path \"{json}\"; }};\n" + Sequences;

    private static byte[][] Activity(int from, int count) => Enumerable.Range(from, count).Select(k => k % 2 == 0
        ? Make(Execve, Trails.Epoch + k, auid: (uint)(k / 2 % 41))
        : Make(OpenRead, Trails.Epoch + k, auid: (uint)((k / 2 + 7) % 41), path: "/tmp/x")).ToArray();

    private static byte[] Sentinel => Make(OpenWriteCreate, Trails.Epoch + 1_000_000, auid: 9999, path: "/tmp/sentinel");

    /// <summary>The alerts in a json channel's file, by id, each with the text of its line (torn lines left out).</summary>
    private static List<(string Id, string Line)> Alerts(string json) =>
        File.Exists(json)
            ? File.ReadAllLines(json).Select(line =>
            {
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    return (doc.RootElement.GetProperty("id").GetString()!, line);
                }
                catch (JsonException)
                {
                    return (null!, line);
                }
            }).Where(a => a.Item1 is not null).ToList()
            : [];

    private static byte[] Checkpoint(string state) =>
        Directory.Exists(state) && Directory.GetFiles(state, "*.checkpoint").SingleOrDefault() is { } file ? File.ReadAllBytes(file) : [];

    [Property(MaxTest = 3)]
    public Property Killed_at_random_moments_it_loses_no_alert_and_a_repeated_alert_keeps_its_id() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed => KilledAndRestarted(seed).GetAwaiter().GetResult());

    private static async Task<bool> KilledAndRestarted(int seed)
    {
        using var dir = new TempDirectory();
        var random = new Random(seed);
        var audit = new AuditDirectory(dir.Path("audit"));
        var json = dir.Path("alerts.json");
        var policy = dir.Write("p.conf", Policy(json));
        var state = dir.Path("state");
        var environment = new Dictionary<string, string> { ["BsmTrace__CheckpointSeconds"] = "1" };
        string[] args = ["--follow", "-f", policy, "-a", audit.CurrentLink, "--state-dir", state, "--metrics-listen", "", "--max-instances", "100000"];

        // The trail grows while the service reads it, and is killed twice along the way.
        using var killed = new CancellationTokenSource();
        var writing = Task.Run(async () =>
        {
            for (int from = 0; !killed.IsCancellationRequested; from += 100)
            {
                audit.Append(Activity(from, 100));
                await Task.Delay(50);
            }

            audit.Append(Sentinel);
        });

        var resumed = new List<string>();
        for (int kill = 0; kill < 2; kill++)
        {
            byte[] before = Checkpoint(state);
            await using var service = ServiceProcess.Start(["-F", .. args], new Dictionary<string, string>(environment));
            // Once this run has written a checkpoint (one a second) to read on from, at a moment as random as a crash's.
            await service.WaitUntilAsync(() => !Checkpoint(state).SequenceEqual(before), "a checkpoint of this run");
            await Task.Delay(random.Next(0, 900));
            await service.SignalAsync("KILL");
            await service.WaitForExitAsync();
            resumed.AddRange(service.Lines.Where(l => l.Contains("from its checkpoint", StringComparison.Ordinal)));
        }

        await killed.CancelAsync();
        await writing;
        await using (var last = ServiceProcess.Start(["-F", .. args], new Dictionary<string, string>(environment)))
        {
            // Running (a killed one may have raised the sentinel's alert already), and then past the sentinel.
            await last.WaitForLineAsync(l => l.Contains("started", StringComparison.Ordinal));
            await last.WaitUntilAsync(() => Alerts(json).Any(a => a.Line.Contains("\"sentinel\"", StringComparison.Ordinal)), "the sentinel's alert");
            await last.StopCleanlyAsync();
            resumed.AddRange(last.Lines.Where(l => l.Contains("from its checkpoint", StringComparison.Ordinal)));
        }

        // Each start after a kill read on from a checkpoint the killed run had written, not from the start.
        Assert.Equal(2, resumed.Count(l => l.Contains("matched again", StringComparison.Ordinal)));

        // One uninterrupted run over the same file: the same alerts, with the same ids.
        var referenceJson = dir.Path("reference.json");
        var reference = await BsmTraceProcess.RunAsync(["-F", "-f", dir.Write("r.conf", Policy(referenceJson)), "-a", audit.Current, "--state-dir", ""]);
        Assert.Equal(0, reference.ExitCode);
        var expected = Alerts(referenceJson).Select(a => a.Id).ToHashSet();
        var raised = Alerts(json);
        Assert.True(expected.Count > 1000, $"only {expected.Count} alerts in the reference run");
        Assert.Equal(expected.Order(), raised.Select(a => a.Id).Distinct().Order());
        // An alert raised again is the same alert, under the same id.
        Assert.All(raised.GroupBy(a => a.Id), g => Assert.Single(g.Select(a => a.Line).Distinct()));
        return true;
    }
}
