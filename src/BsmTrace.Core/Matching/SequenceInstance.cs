namespace BsmTrace.Matching;

/// <summary>A sequence partly matched for one key: the next state it waits for, when it began, and the records that matched so far.</summary>
internal sealed class SequenceInstance
{
    public SequenceInstance(InstanceKey key, long firstSeconds, uint firstMilliseconds, long? expiresAfter)
    {
        Key = key;
        FirstSeconds = firstSeconds;
        FirstMilliseconds = firstMilliseconds;
        ExpiresAfter = expiresAfter;
        AgeNode = new LinkedListNode<SequenceInstance>(this);
    }

    public InstanceKey Key { get; }

    /// <summary>Index of the state the instance waits for.</summary>
    public int Next { get; set; } = 1;

    public long FirstSeconds { get; }

    public uint FirstMilliseconds { get; }

    /// <summary>The instance expires when a record's time is later than this (first time + timeout + random extra); null: never.</summary>
    public long? ExpiresAfter { get; }

    /// <summary>The raw records that matched a state, in order (the evidence).</summary>
    public List<ReadOnlyMemory<byte>> Records { get; } = [];

    /// <summary>The instance's place in its partition's age order, for evicting the oldest first.</summary>
    public LinkedListNode<SequenceInstance> AgeNode { get; }

    public bool Ended { get; set; }
}
