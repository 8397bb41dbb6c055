using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using BsmTrace.Bsm;
using BsmTrace.Policy;
using BsmTrace.Policy.Triggers;

namespace BsmTrace.Matching;

/// <summary>
/// One matcher worker's share of the work: the instances whose keys hash to
/// it. Every partition reads every record of a batch in order and acts only on
/// its own keys, so all the records of one key are matched in order by one
/// worker, and the result does not depend on how many workers there are.
/// </summary>
internal sealed class MatcherPartition
{
    private readonly MatchPlan _plan;
    private readonly int _index;
    private readonly int _partitions;
    private readonly int _capacity;
    // The state an instance waits for sits in the dictionary's entry itself, so that the common case,
    // a record that does not move a live instance, reads no more memory than the lookup.
    private readonly Dictionary<InstanceKey, LiveEntry> _live = new(KeyComparer<InstanceKey>.Instance);
    private const int PoolLimit = 4096;
    private readonly ExpirySchedule _expiry;
    private readonly InstanceAgeList _byAge = new();
    private readonly Stack<SequenceInstance> _pool = new();
    private readonly EvidenceArena _evidence;
    private int[] _candidateBuffer = new int[16];
    private readonly Action<SequenceInstance> _expire;

    public MatcherPartition(MatchPlan plan, int index, int partitions, int capacity, long evidenceBudget = long.MaxValue)
    {
        _plan = plan;
        _evidence = new EvidenceArena(evidenceBudget);
        _index = index;
        _partitions = partitions;
        _capacity = Math.Max(1, capacity);
        _expiry = new ExpirySchedule(plan.Sequences.Length);
        _expire = instance =>
        {
            End(instance);
            Expired++;
        };
    }

    public int Live => _live.Count;

    public int EvidenceRecords => _evidence.Records;

    /// <summary>Bytes the evidence of this partition's instances takes (read from other threads).</summary>
    public long EvidenceBytes => _evidence.Bytes;

    /// <summary>Records left out of evidence because the budget was spent (read from other threads).</summary>
    public long EvidenceRefused => _evidence.Refused;

    public long Started { get; private set; }

    public long Expired { get; private set; }

    public long Evicted { get; private set; }

    /// <summary>What this partition found in the last batch, merged by the engine.</summary>
    public List<Alert> Alerts { get; } = [];

    public List<TriggerRequest> Triggers { get; } = [];

    /// <summary>Batch indices of records that matched a state (for the raw dump).</summary>
    public List<int> Matched { get; } = [];

    /// <summary>Patterns that gave up on a record's path (rare: a list made only when one does).</summary>
    public List<PatternFailure> PatternFailures { get; } = [];

    public void Process(RecordBatch batch, string source)
    {
        Alerts.Clear();
        Triggers.Clear();
        Matched.Clear();
        PatternFailures.Clear();

        for (int i = 0; i < batch.Count; i++)
        {
            ref readonly var record = ref batch.Records[i];
            Sweep(record.Seconds);

            var index = _plan.CandidateIndexes[record.EventType];
            var candidates = index.Explicit.Length == 0 ? index.General : index.For(record, ref _candidateBuffer);
            bool matched = false;
            foreach (int s in candidates)
            {
                var sequence = _plan.Sequences[s];
                // The index found the sequences of explicit sets by the record's id; "any" takes every
                // record; a negated set alone is left to test.
                if (sequence.Subject.Negated && !sequence.Subject.Matches(record))
                    continue;
                int zone = batch.ZoneIds[i];
                if (sequence.Zone.Kind != ZoneRuleKind.Unrestricted && !_plan.ZoneMatches(s, record, zone))
                    continue;

                var key = KeyFor(sequence, s, record, zone);
                if (_partitions > 1 && Owner(key, _partitions) != _index)
                    continue;

                matched |= Step(sequence, key, batch, i, source);
            }

            if (matched)
                Matched.Add(i);
        }

        // Once a batch: entries of ended instances pile up by at most a batch's worth in between.
        _expiry.Compact(_live.Count);
    }

    private static InstanceKey KeyFor(SequenceDefinition sequence, int s, in AuditRecord record, int zone) => new(
        s,
        record.HasSubject ? sequence.Subject.KeyOf(record.Subject) : uint.MaxValue,
        sequence.Scope switch
        {
            SequenceScope.Process or SequenceScope.Thread => record.Subject.Pid,
            SequenceScope.Session => record.Subject.SessionId,
            _ => 0,
        },
        sequence.Zone.BindsZone ? zone : 0,
        !record.HasSubject);

    /// <summary>The live instances, oldest first, with the state each waits for: what a reload carries over.</summary>
    public IEnumerable<(SequenceInstance Instance, int Next)> LiveByAge()
    {
        foreach (var instance in _byAge.OldestFirst())
            yield return (instance, _live[instance.Key].Next);
    }

    /// <summary>Lets go of every instance (they move to the engine of a reloaded policy).</summary>
    public void Release()
    {
        _byAge.Clear();
        _live.Clear();
    }

    /// <summary>Takes over an instance from the engine a reload replaces, under its key in the new policy.</summary>
    public void Adopt(SequenceInstance instance, InstanceKey key, int next)
    {
        instance.Rekey(key, _evidence);
        _live.Add(key, new LiveEntry(instance) { Next = next });
        _byAge.AddNewest(instance);
        if (instance.ExpiresAfter is { } at)
            _expiry.Add(instance, at);
    }

    /// <summary>Whether an instance is live under <paramref name="key"/>.</summary>
    public bool Holds(InstanceKey key) => _live.ContainsKey(key);

    /// <summary>A checkpoint's instance, live again in this partition under <paramref name="key"/> (the running policy's sequence index).</summary>
    public void Restore(SavedInstance saved, InstanceKey key)
    {
        var instance = _pool.TryPop(out var reused) ? reused : new SequenceInstance(_plan.MaxEvidenceRecords, _evidence);
        instance.Restore(key, saved);
        _live.Add(key, new LiveEntry(instance) { Next = saved.Next });
        _byAge.AddNewest(instance);
        if (instance.ExpiresAfter is { } at)
            _expiry.Add(instance, at);
    }

    /// <summary>Which partition owns a key, out of <paramref name="partitions"/>.</summary>
    public static int Owner(InstanceKey key, int partitions) => partitions == 1 ? 0 : (int)((uint)key.GetHashCode() % (uint)partitions);

    /// <summary>The spec's steps 2 and 3 for one sequence and key: advance the live instance, then start (or alert at once).</summary>
    private bool Step(SequenceDefinition sequence, InstanceKey key, RecordBatch batch, int i, string source)
    {
        ref readonly var record = ref batch.Records[i];
        bool hasPath = batch.HasObjectPath[i];
        var path = batch.ObjectPaths[i].Span;
        bool matched = false;

        // A one-state sequence never has instances: no lookup.
        bool wasLive = false;
        if (sequence.States.Count > 1)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_live, key);
            if (!Unsafe.IsNullRef(ref entry))
            {
                wasLive = true;
                var state = sequence.States[entry.Next];
                if (Matches(state, sequence, batch, i, hasPath, path))
                {
                    matched = true;
                    var instance = entry.Instance;
                    RequestTrigger(state, sequence, batch, i);
                    instance.Records.Add(record.Raw.Span, _plan.KeepsEvidence[key.Sequence]);
                    if (++entry.Next == sequence.States.Count)
                    {
                        Alerts.Add(MakeAlert(sequence, key, instance.FirstSeconds, instance.Records.ToList(), instance.Records.Omitted, batch, i, source));
                        End(instance); // the entry is gone: not used after this
                    }
                }
            }
        }

        var first = sequence.States[0];
        if (Matches(first, sequence, batch, i, hasPath, path))
        {
            matched = true;
            RequestTrigger(first, sequence, batch, i);
            if (sequence.States.Count == 1)
            {
                bool keep = _plan.KeepsEvidence[key.Sequence];
                Alerts.Add(MakeAlert(sequence, key, record.Seconds, keep ? [record.Raw.ToArray()] : [], keep ? 0 : 1, batch, i, source));
            }
            else if (!wasLive)
            {
                // Not when an instance was live before this record: it waits, or this record just completed it.
                Start(sequence, key, record, batch.FirstIndex + i);
            }
        }

        return matched;
    }

    private bool Matches(StateDefinition state, SequenceDefinition sequence, RecordBatch batch, int i, bool hasPath, ReadOnlySpan<byte> path)
    {
        ref readonly var record = ref batch.Records[i];
        if (!state.Event.Matches(record.EventType) || !state.Status.Matches(record.Status))
            return false;
        if (state.Object is null)
            return true;
        bool matches = state.Object.Matches(hasPath, path, out var failed, out int error);
        if (failed is not null)
            PatternFailures.Add(new PatternFailure(sequence, failed, error, batch.FirstIndex + i, record.Offset));
        return matches;
    }

    private void Start(SequenceDefinition sequence, InstanceKey key, in AuditRecord record, long recordIndex)
    {
        if (_live.Count >= _capacity)
        {
            End(_byAge.Oldest!);
            Evicted++;
        }

        long? expiresAfter = null;
        if (sequence.TimeoutSeconds is { } timeout)
            expiresAfter = record.Seconds + timeout + _plan.TimeoutExtra(sequence, key, record.Seconds);

        var instance = _pool.TryPop(out var reused) ? reused : new SequenceInstance(_plan.MaxEvidenceRecords, _evidence);
        instance.Begin(key, record.Seconds, expiresAfter, recordIndex);
        instance.Records.Add(record.Raw.Span, _plan.KeepsEvidence[key.Sequence]);
        _live.Add(key, new LiveEntry(instance));
        _byAge.AddNewest(instance);
        if (expiresAfter is { } at)
            _expiry.Add(instance, at);
        Started++;
    }

    /// <summary>Expires every instance whose time has passed: the record's time is later than its first time plus its timeout (exactly the timeout is still inside).</summary>
    private void Sweep(long now) => _expiry.Sweep(now, _expire);

    private void End(SequenceInstance instance)
    {
        instance.End();
        _live.Remove(instance.Key);
        _byAge.Remove(instance);
        if (_pool.Count < PoolLimit)
            _pool.Push(instance);
    }

    private static Alert MakeAlert(SequenceDefinition sequence, InstanceKey key, long firstSeconds, IReadOnlyList<ReadOnlyMemory<byte>> records,
        long omitted, RecordBatch batch, int i, string source)
    {
        ref readonly var record = ref batch.Records[i];
        return new Alert
        {
            Sequence = sequence,
            Id = AlertId.Of(batch.Source, record.Offset, sequence.Name, key, key.Zone != 0 ? record.ZoneName : default),
            Subject = key.Subject,
            HasSubject = !key.NoSubject,
            Ids = record.Subject,
            Seconds = record.Seconds,
            Milliseconds = record.Milliseconds,
            Duration = record.Seconds - firstSeconds,
            Source = source,
            ZoneBytes = record.HasZoneName ? record.ZoneName.ToArray() : null,
            ObjectBytes = batch.HasObjectPath[i] ? batch.ObjectPaths[i].Span.ToArray() : null,
            Records = records,
            OmittedRecords = omitted,
            RecordIndex = batch.FirstIndex + i,
        };
    }

    private void RequestTrigger(StateDefinition state, SequenceDefinition sequence, RecordBatch batch, int i)
    {
        // Asked for every record that matches a state; the expansion (and its closure, which
        // C# would otherwise allocate on entry, trigger or not) only for states that have one.
        if (state.Trigger is { } trigger)
            Triggers.Add(ExpandTrigger(trigger, sequence, batch, i));
    }

    private TriggerRequest ExpandTrigger(TriggerTemplate trigger, SequenceDefinition sequence, RecordBatch batch, int i)
    {
        ref readonly var record = ref batch.Records[i];
        var ids = record.Subject;
        bool hasSubject = record.HasSubject;
        // The object as the record holds it: a file's name is bytes, and need not be UTF-8.
        byte[] path = batch.HasObjectPath[i] ? batch.ObjectPaths[i].Span.ToArray() : [];
        var argv = trigger.Expand(v => v switch
        {
            TriggerVariable.Subject => hasSubject ? Encoding.UTF8.GetBytes(_plan.UserName(ids.AuditUid)) : [],
            TriggerVariable.EffectiveSubject => hasSubject ? Encoding.UTF8.GetBytes(_plan.UserName(ids.EffectiveUid)) : [],
            _ => path,
        });
        return new TriggerRequest(sequence.Name, trigger.ProgramPath, argv, batch.FirstIndex + i);
    }

    /// <summary>A live instance and the index of the state it waits for.</summary>
    private struct LiveEntry(SequenceInstance instance)
    {
        public readonly SequenceInstance Instance = instance;
        public int Next = 1;
    }
}
