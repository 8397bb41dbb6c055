using BsmTrace.Bsm;
using BsmTrace.Matching;
using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Matching;

/// <summary>
/// The matcher's steady state allocates nothing per record: records that
/// advance live instances, fill their evidence and match states without
/// triggers cost no garbage (the matcher runs on every record of a busy host).
/// </summary>
public sealed class HotPathAllocationTests
{
    private const long T = Trails.Epoch;

    private const string Policy = """
        define set $auth <auditevent> { AUE_openssh; };
        define set $exec <auditevent> { AUE_EXECVE; };
        sequence brute { subject any; timeout 1 weeks; state { event $auth; status failure; multiplier 50; }; state { event $auth; status success; }; };
        sequence execs { subject any; timeout 1 hours; state { event $exec; status success; }; state { event $exec; status failure; }; };
        """;

    [Fact]
    public void Advancing_live_instances_allocates_nothing()
    {
        var engine = new Engine(Policy).Match;
        var batcher = new RecordBatcher(0);
        RecordBatch Batch(int round)
        {
            // Ten users' failed logins (each one's brute instance moves a state, its evidence ring turns)
            // and successful execs (the live execs instance waits; the record matches its first state).
            var batch = new RecordBatch(64, 64 * 256);
            for (int user = 0; user < 10; user++)
            {
                Add(batch, Login(T + round, (uint)user, success: false));
                Add(batch, Make(Execve, T + round, auid: (uint)user, path: "/bin/ls"));
            }

            return batch;
        }

        void Add(RecordBatch batch, byte[] raw)
        {
            Assert.True(batcher.TryAdd(batch, new BsmFrame(BsmFrameKind.Record, 0, raw), out _));
        }

        // Instances start, evidence arrays fill, the code is compiled: what a busy host is past.
        for (int round = 0; round < 20; round++)
            engine.Process(Batch(round), "t.bsm");

        var next = Batch(20);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var result = engine.Process(next, "t.bsm");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(20, result.MatchedRecords.Count); // every record matched a state...
        Assert.Empty(result.Alerts); // ...and none completed a sequence
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Writing_an_alert_as_a_classic_line_allocates_nothing()
    {
        var alert = Assert.Single(new Engine("sequence one { subject any; state { event <auditevent> { AUE_EXECVE; }; status any; }; };")
            .Feed(Make(Execve, T, msec: 7)).Alerts);
        var writer = new StringWriter(new System.Text.StringBuilder(64 * 1024)) { NewLine = "\n" };
        alert.WriteClassicLine(writer);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
            alert.WriteClassicLine(writer);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.EndsWith("duration 0 seconds priority: 0 source: test.bsm\n", writer.ToString(), StringComparison.Ordinal);
    }
}
