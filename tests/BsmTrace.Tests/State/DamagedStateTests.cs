using System.Buffers.Binary;
using System.IO.Hashing;
using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.State;

/// <summary>
/// A checkpoint that cannot be used (cut short, garbage, from a newer bsmtrace) is said, moved
/// aside, and the run goes on: never a crash, never a refusal to start, and never the trail read
/// from its start again when the offset can be known.
/// </summary>
public sealed class DamagedStateTests : IDisposable
{
    private const string Policy = """
        sequence each { subject any; state { event <auditevent> { AUE_OPEN_R; }; status any; }; };
        sequence pair {
            subject any;
            state { event <auditevent> { AUE_EXECVE; }; status any; };
            state { event <auditevent> { AUE_OPEN_WC; }; status any; };
        };
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[][] Opens(long from, int count) =>
        Enumerable.Range(0, count).Select(i => Make(OpenRead, from + i, auid: (uint)(i % 7), path: "/tmp/x")).ToArray();

    /// <summary>A first run over 100 records (and an exec that starts a pair), its checkpoint, and 50 more records written after it.</summary>
    private async Task<(string Trail, string Policy, string State, string Checkpoint)> FirstRun()
    {
        var trail = _dir.Write("t.bsm", Trails.Concat([.. Opens(Trails.Epoch, 100), Make(Execve, Trails.Epoch + 100, auid: 42)]));
        var policy = _dir.Write("p.conf", Policy);
        var state = _dir.Path("state");
        var first = await BsmTraceProcess.RunAsync(["-F", "-f", policy, "-a", trail, "--state-dir", state]);
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(100, Alerts(first));
        await using (var more = new FileStream(trail, FileMode.Append))
        {
            foreach (var r in Opens(Trails.Epoch + 1000, 50))
                await more.WriteAsync(r);
            await more.WriteAsync(Make(OpenWriteCreate, Trails.Epoch + 2000, auid: 42, path: "/tmp/y"));
        }

        return (trail, policy, state, Assert.Single(Directory.GetFiles(state, "*.checkpoint")));
    }

    private static int Alerts(BsmTraceProcess.Result result) => result.StandardError.Split('\n').Count(l => l.Contains("state machine:", StringComparison.Ordinal));

    private static async Task<BsmTraceProcess.Result> SecondRun((string Trail, string Policy, string State, string Checkpoint) run, string? policy = null) =>
        await BsmTraceProcess.RunAsync(["-F", "-d", "-f", policy ?? run.Policy, "-a", run.Trail, "--state-dir", run.State]);

    [Fact]
    public async Task The_second_run_reads_on_where_the_first_stopped_and_completes_its_instances()
    {
        var run = await FirstRun();
        var second = await SecondRun(run);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(51, Alerts(second));
        Assert.Contains("state machine: pair subject: auid 42 completed: duration 1900 seconds", second.StandardError, StringComparison.Ordinal);
    }

    public static TheoryData<string> Damage => ["empty", "cut short", "garbage", "one byte changed"];

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task A_damaged_checkpoint_is_moved_aside_and_the_run_starts_without_it(string damage)
    {
        var run = await FirstRun();
        var bytes = await File.ReadAllBytesAsync(run.Checkpoint);
        byte[] damaged = damage switch
        {
            "empty" => [],
            "cut short" => bytes[..(bytes.Length / 2)],
            "garbage" => Enumerable.Range(0, bytes.Length).Select(i => (byte)(i * 31 + 7)).ToArray(),
            _ => [.. bytes[..(bytes.Length / 3)], (byte)(bytes[bytes.Length / 3] ^ 0x40), .. bytes[(bytes.Length / 3 + 1)..]],
        };
        await File.WriteAllBytesAsync(run.Checkpoint, damaged);

        var second = await SecondRun(run);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("the checkpoint cannot be used", second.StandardError, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(run.State, "*.damaged-*"));
        Assert.Equal(151, Alerts(second)); // the offset is not known: read from the start, and said so above
        Assert.True(File.Exists(run.Checkpoint), "no new checkpoint was written");
    }

    [Fact]
    public async Task A_checkpoint_of_a_newer_version_gives_its_position_and_the_run_reads_on_from_there()
    {
        var run = await FirstRun();
        var bytes = await File.ReadAllBytesAsync(run.Checkpoint);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 99);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), XxHash64.HashToUInt64(bytes.AsSpan(0, bytes.Length - 8)));
        await File.WriteAllBytesAsync(run.Checkpoint, bytes);

        var second = await SecondRun(run);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("a checkpoint of a newer bsmtrace", second.StandardError, StringComparison.Ordinal);
        Assert.Equal(50, Alerts(second)); // read on from the position; the pair's instance was not restored
    }

    [Fact]
    public async Task A_changed_policy_keeps_the_position_and_the_instances_of_unchanged_sequences()
    {
        var run = await FirstRun();
        // "pair" changes (a status rule); "each" does not.
        var changed = _dir.Write("changed.conf", Policy.Replace("AUE_OPEN_WC; }; status any;", "AUE_OPEN_WC; }; status success;", StringComparison.Ordinal));

        var second = await SecondRun(run, changed);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(50, Alerts(second)); // the 50 opens after the checkpoint; the pair's instance was left out
        Assert.Contains("1 live instances of sequences changed or removed since the checkpoint were left out", second.StandardError, StringComparison.Ordinal);
    }
}
