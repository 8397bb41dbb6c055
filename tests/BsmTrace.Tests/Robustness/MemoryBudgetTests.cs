using BsmTrace.Alerts;
using BsmTrace.Matching;
using BsmTrace.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Robustness;

/// <summary>
/// Memory bounded by bytes, not only by counts: large records held as evidence, alerts of large
/// records queued for an output that is behind, and long paths in the inode memory each stay
/// within a budget; what the budget cannot hold is counted.
/// </summary>
public sealed class MemoryBudgetTests
{
    private const long T = Trails.Epoch;

    // Paths as long as a counted string allows, give or take: each record is about 30 KB.
    private static string LongPath(int i) => $"/tmp/{i}/" + new string('p', 30_000);

    [Fact]
    public void Evidence_of_many_instances_with_large_records_stays_within_its_budget()
    {
        const long budget = 1 << 20;
        const string policy = """
            sequence pair {
                subject any;
                state { event <auditevent> { AUE_EXECVE; }; status any; };
                state { event <auditevent> { AUE_OPEN_R; }; status any; };
            };
            """;
        var engine = new Engine(policy, evidenceBudget: budget);
        // 200 instances each holding a 30 KB record: 6 MB of evidence without a budget.
        engine.Feed([.. Enumerable.Range(0, 200).Select(i => Make(Execve, T, auid: (uint)i, path: LongPath(i)))]);

        Assert.Equal(200, engine.Match.LiveInstances);
        Assert.InRange(engine.Match.EvidenceBytes, 1, budget);
        Assert.True(engine.Match.EvidenceRecordsRefused > 150, $"{engine.Match.EvidenceRecordsRefused} refused");

        // Every instance still completes: the budget costs evidence, never an alert.
        engine.Feed([.. Enumerable.Range(0, 200).Select(i => Make(OpenRead, T + 1, auid: (uint)i, path: "/x"))]);
        Assert.Equal(200, engine.Alerts.Count);
        Assert.All(engine.Alerts, a => Assert.Equal(2, a.Records.Count + a.OmittedRecords));
        // Every record given back; at most the one empty page a size class keeps to fill again.
        Assert.Equal(0, engine.Match.EvidenceRecords);
        Assert.InRange(engine.Match.EvidenceBytes, 0, EvidenceArena.PageSize);
    }

    [Fact]
    public void Past_the_evidence_budget_an_instance_keeps_its_first_record_and_its_latest()
    {
        const string policy = """
            sequence many { subject any; state { event <auditevent> { AUE_EXECVE; }; status any; multiplier 10; }; };
            """;
        // Room for three of the 30 KB records.
        var engine = new Engine(policy, evidenceBudget: 100 * 1024);
        var records = Enumerable.Range(0, 10).Select(i => Make(Execve, T + i, path: LongPath(i))).ToArray();
        engine.Feed(records);

        var alert = Assert.Single(engine.Alerts);
        Assert.Equal([records[0], records[1], records[9]], alert.Records.Select(r => r.ToArray()));
        Assert.Equal(7, alert.OmittedRecords);
    }

    [Fact]
    public void The_inode_memory_lets_the_oldest_long_paths_go_to_stay_within_its_budget()
    {
        const long budget = 256 * 1024;
        var memory = new ObjectPathMemory(capacity: 65_536, byteBudget: budget);
        for (uint i = 0; i < 100; i++)
            memory.Remember(1, i, System.Text.Encoding.ASCII.GetBytes(LongPath((int)i)));

        Assert.InRange(memory.Bytes, 1, budget);
        Assert.Equal(100 - memory.Count, memory.Evictions);
        Assert.Null(memory.Recall(1, 0));                 // the oldest went
        Assert.NotNull(memory.Recall(1, 99));             // the newest stayed
        Assert.Equal(memory.Count, memory.Export().Length); // and what is left is whole
    }

    private sealed class BlockedSink : AlertSink
    {
        public ManualResetEventSlim Release { get; } = new();

        public override string Name => "blocked";

        public override void Write(Alert alert) => Release.Wait();

        protected override void Dispose(bool disposing)
        {
            Release.Dispose();
            base.Dispose(disposing);
        }
    }

    [Fact]
    public async Task An_output_that_is_behind_holds_alerts_of_large_records_within_its_byte_budget()
    {
        var engine = new Engine("sequence each { subject any; state { event any; status any; }; };");
        engine.Feed(Make(Execve, T, path: LongPath(0)));
        var alert = Assert.Single(engine.Alerts);
        const long budget = 1 << 20;
        var blocked = new BlockedSink();
        var dispatcher = new AlertDispatcher([blocked], AlertDelivery.DropWhenFull, NullLogger.Instance, queueCapacity: 10_000, queueBytes: budget);

        for (int i = 0; i < 1000; i++)
            await dispatcher.PublishAsync(alert);

        // 30 MB of alerts were published; the queue took what fits in a megabyte and counted the rest.
        Assert.InRange(dispatcher.QueuedBytes, 1, budget);
        var counts = dispatcher.Counts.Single();
        Assert.InRange(counts.Dropped, 1000 - 40, 1000 - 25);

        blocked.Release.Set();
        await dispatcher.DisposeAsync();
        Assert.Equal(1000, dispatcher.Counts.Single().Written + dispatcher.Counts.Single().Dropped);
        Assert.Equal(0, dispatcher.QueuedBytes);
    }

    [Fact]
    public async Task For_a_source_that_can_wait_the_byte_budget_makes_publishing_wait_and_nothing_is_lost()
    {
        var engine = new Engine("sequence each { subject any; state { event any; status any; }; };");
        engine.Feed(Make(Execve, T, path: LongPath(0)));
        var alert = Assert.Single(engine.Alerts);
        var blocked = new BlockedSink();
        var dispatcher = new AlertDispatcher([blocked], AlertDelivery.Wait, NullLogger.Instance, queueCapacity: 10_000, queueBytes: 1 << 20);

        var publishing = Task.Run(async () =>
        {
            for (int i = 0; i < 200; i++)
                await dispatcher.PublishAsync(alert);
        });
        // It reaches the byte budget, far below the count, and waits there.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (dispatcher.PublishedCount < 30 && !publishing.IsCompleted && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Assert.InRange(dispatcher.QueuedBytes, 1, 1 << 20);
        Assert.False(publishing.IsCompleted, "publishing went on past the byte budget");

        blocked.Release.Set();
        await publishing.WaitAsync(TimeSpan.FromSeconds(30));
        await dispatcher.DisposeAsync();
        Assert.Equal((200L, 0L), (dispatcher.Counts.Single().Written, dispatcher.Counts.Single().Dropped));
    }
}
