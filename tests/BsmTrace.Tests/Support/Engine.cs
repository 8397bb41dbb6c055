using BsmTrace.Bsm;
using BsmTrace.Matching;
using BsmTrace.Policy;
using BsmTrace.Unix;

namespace BsmTrace.Tests.Support;

/// <summary>Runs a policy over records in memory with the real engine, batch by batch as the pipeline does.</summary>
public sealed class Engine
{
    public Engine(string policy, int workers = 1, int maxInstances = 1_000_000, int rememberedPaths = 65_536, int batchSize = 7, bool keepEvidence = true,
        long evidenceBudget = MatchEngineOptions.DefaultEvidenceBudgetBytes, long rememberedPathBudget = MatchEngineOptions.DefaultRememberedPathBudgetBytes)
    {
        Policy = Policies.Compile(policy);
        var options = new MatchEngineOptions
        {
            Workers = workers, MaxInstances = maxInstances, MaxRememberedPaths = rememberedPaths, KeepEvidence = keepEvidence,
            EvidenceBudgetBytes = evidenceBudget, RememberedPathBudgetBytes = rememberedPathBudget,
        };
        Match = new MatchEngine(Policy, options, Users);
        Batcher = new RecordBatcher(Match.UsesObjects ? rememberedPaths : 0, rememberedPathBudget);
        BatchSize = batchSize;
    }

    /// <summary>
    /// The engine's user database: root alone, whatever the host's holds (FreeBSD's first user and
    /// CI runners have uid 1001, the tests' usual subject, and a name for it would change triggers' arguments).
    /// </summary>
    public static UserDatabase Users { get; } = new(new Dictionary<uint, string> { [0] = "root" }, new Dictionary<uint, string> { [0] = "wheel" });

    public CompiledPolicy Policy { get; private set; }

    public MatchEngine Match { get; private set; }

    public RecordBatcher Batcher { get; }

    public int BatchSize { get; }

    public List<Alert> Alerts { get; } = [];

    public List<TriggerRequest> Triggers { get; } = [];

    /// <summary>Patterns that gave up on a record's path (and so counted as matching).</summary>
    public List<PatternFailure> PatternFailures { get; } = [];

    /// <summary>Stream indices of the records that matched a state.</summary>
    public List<long> Matched { get; } = [];

    /// <summary>Feeds records (each a whole record from the writer) and collects what the engine finds.</summary>
    public Engine Feed(params byte[][] records)
    {
        // Small batches on purpose: the rules must not depend on where batches end.
        var batch = new RecordBatch(BatchSize);
        foreach (var raw in records)
        {
            // The pipeline's own way in: the record's bytes, decoded into the batch.
            Assert.True(Batcher.TryAdd(batch, new BsmFrame(BsmFrameKind.Record, 0, raw), out var problem), problem.Describe());
            if (batch.IsFull)
                Flush(batch);
        }

        Flush(batch);
        return this;
    }

    /// <summary>Replaces the policy as a SIGHUP does, between batches: live instances of unchanged sequences carry over.</summary>
    public Engine Reload(string policy)
    {
        Policy = Policies.Compile(policy);
        Match = Match.Reload(Policy, out _, out _);
        return this;
    }

    private void Flush(RecordBatch batch)
    {
        if (batch.Count == 0)
            return;
        var result = Match.Process(batch, "test.bsm");
        Alerts.AddRange(result.Alerts);
        Triggers.AddRange(result.Triggers);
        PatternFailures.AddRange(result.PatternFailures);
        Matched.AddRange(result.MatchedRecords.Select(i => batch.FirstIndex + i));
        batch.Clear();
    }

    /// <summary>The alerts as "sequence subject duration" strings, in order.</summary>
    public string[] Summary => Alerts.Select(a => $"{a.Sequence.Name} {(int)a.Subject} {a.Duration}").ToArray();
}
