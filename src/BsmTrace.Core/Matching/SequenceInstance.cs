namespace BsmTrace.Matching;

/// <summary>
/// A sequence partly matched for one key: when it began and the records that
/// matched so far (the state it waits for is kept beside it, in the partition's
/// dictionary entry). Instances are reused once
/// they end (a busy host starts and ends them all the time); the generation
/// tells a reused instance from the one an old expiry entry meant.
/// </summary>
internal sealed class SequenceInstance
{
    public SequenceInstance(int maxEvidence, EvidenceArena arena)
    {
        _records = new EvidenceBuffer(maxEvidence, arena);
    }

    public InstanceKey Key { get; private set; }

    public long FirstSeconds { get; private set; }

    /// <summary>The instance expires when a record's time is later than this (first time + timeout + random extra); null: never.</summary>
    public long? ExpiresAfter { get; private set; }

    // A struct kept in the instance, not an object beside it: one object fewer per instance for the
    // collector, and one memory access fewer for each record added. Used through the reference below.
    private EvidenceBuffer _records;

    /// <summary>The raw records that matched a state, in order (the evidence), bounded.</summary>
    public ref EvidenceBuffer Records => ref _records;

    /// <summary>The instance's neighbours in its partition's age order (see <see cref="InstanceAgeList"/>).</summary>
    public SequenceInstance? Older { get; set; }

    public SequenceInstance? Newer { get; set; }

    /// <summary>Changes each time the instance is started again.</summary>
    public int Generation { get; private set; }

    public bool Ended { get; private set; } = true;

    /// <summary>The same instance under the key a reloaded policy gives it (its sequence's new index), in its new partition's arena.</summary>
    public void Rekey(InstanceKey key, EvidenceArena arena)
    {
        Key = key;
        Records.MoveTo(arena);
    }

    /// <summary>Where the instance started: the stream index of its first record, then its sequence. Orders instances by age across partitions.</summary>
    public (long Record, int Sequence) AgeOrder => (StartIndex, Key.Sequence);

    public long StartIndex { get; private set; }

    public void Begin(InstanceKey key, long firstSeconds, long? expiresAfter, long startIndex)
    {
        StartIndex = startIndex;
        Key = key;
        FirstSeconds = firstSeconds;
        ExpiresAfter = expiresAfter;
        Generation++;
        Ended = false;
    }

    /// <summary>A checkpoint's instance, live again: its key, times and evidence as they were.</summary>
    public void Restore(InstanceKey key, SavedInstance saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        Begin(key, saved.FirstSeconds, saved.ExpiresAfter, saved.StartIndex);
        Records.Restore(saved.Records, saved.Matched);
    }

    /// <summary>The instance is done (completed, expired or evicted): its evidence goes back to the arena.</summary>
    public void End()
    {
        Ended = true;
        Records.Clear();
    }
}
