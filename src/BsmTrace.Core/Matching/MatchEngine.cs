using BsmTrace.Policy;
using BsmTrace.Unix;

namespace BsmTrace.Matching;

/// <summary>
/// Runs a compiled policy over batches of records: the spec's order of
/// operations (expire, advance, start, the completion rule) at a cost that
/// grows with the sequences a record can move, not with the number of live
/// instances. Work is split into partitions by instance key and run in
/// parallel; each batch's findings are merged in record order, so the output
/// is the same for any number of workers.
/// </summary>
/// <remarks>Not thread-safe: one thread hands batches to <see cref="Process"/>.</remarks>
public sealed class MatchEngine
{
    private readonly MatcherPartition[] _partitions;
    private readonly BatchResult _result = new();
    private readonly ParallelOptions _parallel;

    // The counts of the engines this one replaced: counters never go backwards over a reload.
    private long _startedBefore;
    private long _expiredBefore;
    private long _evictedBefore;
    private long _evidenceRefusedBefore;

    public MatchEngine(CompiledPolicy policy, MatchEngineOptions options, UserDatabase users)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(options);
        Policy = policy;
        Options = options;
        Plan = new MatchPlan(policy, users, options.MaxEvidenceRecords, options.KeepEvidence);
        int workers = Math.Max(1, options.Workers);
        _partitions = new MatcherPartition[workers];
        for (int i = 0; i < workers; i++)
            _partitions[i] = new MatcherPartition(Plan, i, workers, options.MaxInstances / workers, options.EvidenceBudgetBytes / workers);
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = workers };
    }

    public CompiledPolicy Policy { get; }

    public MatchEngineOptions Options { get; }

    internal MatchPlan Plan { get; }

    public int Workers => _partitions.Length;

    /// <summary>Whether records' paths should be remembered by inode (some state has an object rule).</summary>
    public bool UsesObjects => Plan.UsesObjects;

    public int LiveInstances => _partitions.Sum(p => p.Live);

    /// <summary>Instances started since the run began, reloads included.</summary>
    public long InstancesStarted => _startedBefore + _partitions.Sum(p => p.Started);

    /// <summary>Instances that timed out since the run began, reloads included.</summary>
    public long InstancesExpired => _expiredBefore + _partitions.Sum(p => p.Expired);

    /// <summary>Instances evicted to stay under the limit since the run began, reloads included.</summary>
    public long InstancesEvicted => _evictedBefore + _partitions.Sum(p => p.Evicted);

    /// <summary>Evidence records the live instances hold (every one goes back when its instance ends).</summary>
    internal int EvidenceRecords => _partitions.Sum(p => p.EvidenceRecords);

    /// <summary>Bytes the live instances' evidence takes, against <see cref="MatchEngineOptions.EvidenceBudgetBytes"/>; safe to read from any thread.</summary>
    public long EvidenceBytes => _partitions.Sum(p => p.EvidenceBytes);

    /// <summary>Records left out of evidence since the run began because its budget was spent, reloads included; safe to read from any thread.</summary>
    public long EvidenceRecordsRefused => _evidenceRefusedBefore + _partitions.Sum(p => p.EvidenceRefused);

    /// <summary>
    /// An engine for a reloaded policy that keeps the live instances of every
    /// sequence whose definition did not change (same name, same fingerprint),
    /// with their states, evidence, timeouts and age. Instances of changed or
    /// removed sequences end. Call between batches, on the matching thread.
    /// </summary>
    public MatchEngine Reload(CompiledPolicy policy, out int kept, out int dropped)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var next = new MatchEngine(policy, Options, Plan.Users)
        {
            _startedBefore = InstancesStarted,
            _expiredBefore = InstancesExpired,
            _evictedBefore = InstancesEvicted,
            _evidenceRefusedBefore = EvidenceRecordsRefused,
        };
        var newIndex = new Dictionary<(string, string), int>();
        for (int s = 0; s < policy.Sequences.Count; s++)
            newIndex[(policy.Sequences[s].Name, policy.Sequences[s].Fingerprint)] = s;

        kept = 0;
        dropped = 0;
        var carried = _partitions.SelectMany(p => p.LiveByAge()).OrderBy(e => e.Instance.AgeOrder).ToList();
        foreach (var p in _partitions)
            p.Release(); // this engine is done: its instances belong to the next one
        foreach (var (instance, state) in carried)
        {
            var old = Plan.Sequences[instance.Key.Sequence];
            if (!newIndex.TryGetValue((old.Name, old.Fingerprint), out int s))
            {
                dropped++;
                continue;
            }

            var key = instance.Key with { Sequence = s };
            next._partitions[MatcherPartition.Owner(key, next._partitions.Length)].Adopt(instance, key, state);
            kept++;
        }

        return next;
    }

    /// <summary>
    /// The live instances as a checkpoint keeps them, oldest first, with their evidence copied.
    /// Call between batches, on the matching thread.
    /// </summary>
    public List<SavedInstance> SaveInstances()
    {
        var live = _partitions.SelectMany(p => p.LiveByAge()).OrderBy(e => e.Instance.AgeOrder).ToList();
        var saved = new List<SavedInstance>(live.Count);
        foreach (var (instance, next) in live)
        {
            var key = instance.Key;
            var sequence = Plan.Sequences[key.Sequence];
            saved.Add(new SavedInstance(sequence.Name, sequence.Fingerprint, key.Subject, key.ScopeId, key.Zone, key.NoSubject, next,
                instance.FirstSeconds, instance.ExpiresAfter, instance.StartIndex, instance.Records.Total, instance.Records.Copies()));
        }

        return saved;
    }

    /// <summary>
    /// Makes a checkpoint's instances live again, oldest first, those of every sequence whose
    /// definition did not change (same name, same fingerprint); the others are left out and counted
    /// in <paramref name="dropped"/>. Call before the first batch.
    /// </summary>
    public void Restore(IEnumerable<SavedInstance> saved, out int restored, out int dropped)
    {
        ArgumentNullException.ThrowIfNull(saved);
        var index = new Dictionary<(string, string), int>();
        for (int s = 0; s < Plan.Sequences.Length; s++)
            index[(Plan.Sequences[s].Name, Plan.Sequences[s].Fingerprint)] = s;

        restored = 0;
        dropped = 0;
        foreach (var instance in saved)
        {
            if (!index.TryGetValue((instance.Sequence, instance.Fingerprint), out int s) || instance.Next <= 0 || instance.Next >= Plan.Sequences[s].States.Count)
            {
                dropped++;
                continue;
            }

            var key = new InstanceKey(s, instance.Subject, instance.ScopeId, instance.Zone, instance.NoSubject);
            var partition = _partitions[MatcherPartition.Owner(key, _partitions.Length)];
            if (partition.Holds(key))
            {
                dropped++;
                continue;
            }

            partition.Restore(instance, key);
            restored++;
        }
    }

    /// <summary>Matches one batch. The result is reused by the next call.</summary>
    public BatchResult Process(RecordBatch batch, string source)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_partitions.Length == 1)
            _partitions[0].Process(batch, source);
        else
            ProcessInParallel(batch, source);

        _result.Clear();
        foreach (var p in _partitions)
        {
            _result.Alerts.AddRange(p.Alerts);
            _result.Triggers.AddRange(p.Triggers);
            _result.MatchedRecords.AddRange(p.Matched);
            _result.PatternFailures.AddRange(p.PatternFailures);
        }

        if (_partitions.Length > 1)
        {
            // The order of one record's alerts follows the policy's order of sequences.
            _result.Alerts.Sort((a, b) => a.RecordIndex != b.RecordIndex
                ? a.RecordIndex.CompareTo(b.RecordIndex)
                : SequenceIndex(a).CompareTo(SequenceIndex(b)));
            _result.Triggers.Sort((a, b) => a.RecordIndex.CompareTo(b.RecordIndex));
            _result.MatchedRecords.Sort();
            Dedupe(_result.MatchedRecords);
        }

        return _result;
    }

    // Apart, so that the lambda's closure is made only when there is more than one partition.
    private void ProcessInParallel(RecordBatch batch, string source) =>
        Parallel.For(0, _partitions.Length, _parallel, i => _partitions[i].Process(batch, source));

    private int SequenceIndex(Alert alert) => Array.IndexOf(Plan.Sequences, alert.Sequence);

    private static void Dedupe(List<int> sorted)
    {
        int write = 0;
        for (int read = 0; read < sorted.Count; read++)
        {
            if (write == 0 || sorted[read] != sorted[write - 1])
                sorted[write++] = sorted[read];
        }

        sorted.RemoveRange(write, sorted.Count - write);
    }
}
