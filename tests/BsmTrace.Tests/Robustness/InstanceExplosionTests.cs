using BsmTrace.Bsm;
using BsmTrace.Matching;
using BsmTrace.Tests.Support;
using BsmTrace.Unix;

namespace BsmTrace.Tests.Robustness;

/// <summary>A trail that opens a million distinct keys stays under the instance cap, evicting the oldest first and counting.</summary>
public sealed class InstanceExplosionTests
{
    [Fact]
    public void A_million_distinct_keys_stay_under_the_cap_and_memory_stays_bounded()
    {
        const int keys = 1_000_000;
        const int cap = 10_000;
        var policy = Policies.Compile("""
            sequence pair {
                subject any;
                scope process;
                state { event <auditevent> { AUE_EXECVE; }; status any; };
                state { event <auditevent> { AUE_OPEN_R; }; status any; };
            };
            """);
        var engine = new MatchEngine(policy, new MatchEngineOptions { Workers = 2, MaxInstances = cap }, new UserDatabase());
        var batcher = new RecordBatcher(0);
        var batch = new RecordBatch(4096);
        var builder = new BsmRecordBuilder(23, Trails.Epoch);

        long before = 0;
        for (int i = 0; i < keys; i++)
        {
            // Each exec by a different process: a new key every record.
            var raw = builder.Clear().Subject32(1000, 1000, 20, 1000, 20, (uint)i, 1).Return32(0, 0).Build();
            if (!batch.HasRoomFor(raw.Length))
            {
                engine.Process(batch, "explosion");
                batch.Clear();
            }

            Assert.True(batcher.TryAdd(batch, new BsmFrame(BsmFrameKind.Record, 0, raw), out _));
            if (i == 100_000)
                before = GC.GetTotalMemory(forceFullCollection: true);
        }

        engine.Process(batch, "explosion");
        long after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.Equal(cap, engine.LiveInstances);
        Assert.Equal(keys - cap, engine.InstancesEvicted);
        // From a tenth of the way on, the cap holds: memory does not grow with the keys.
        Assert.True(after < before + (32L << 20), $"memory grew from {before >> 20} MB to {after >> 20} MB");
    }
}
