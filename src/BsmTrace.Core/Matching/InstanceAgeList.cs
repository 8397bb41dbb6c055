namespace BsmTrace.Matching;

/// <summary>
/// A partition's live instances, oldest first, linked through the instances
/// themselves: the oldest is the one evicted when the partition is full, and
/// a reload carries instances over in this order. Linked through fields of
/// the instance rather than a node object of its own, so that an instance is
/// one object fewer for the collector to trace (twenty thousand users keep
/// twenty thousand instances live for days).
/// </summary>
internal sealed class InstanceAgeList
{
    public SequenceInstance? Oldest { get; private set; }

    public SequenceInstance? Newest { get; private set; }

    public void AddNewest(SequenceInstance instance)
    {
        instance.Older = Newest;
        instance.Newer = null;
        if (Newest is { } newest)
            newest.Newer = instance;
        else
            Oldest = instance;
        Newest = instance;
    }

    public void Remove(SequenceInstance instance)
    {
        if (instance.Older is { } older)
            older.Newer = instance.Newer;
        else
            Oldest = instance.Newer;
        if (instance.Newer is { } newer)
            newer.Older = instance.Older;
        else
            Newest = instance.Older;
        instance.Older = null;
        instance.Newer = null;
    }

    /// <summary>Unlinks every instance (they move to the partitions of a reloaded policy).</summary>
    public void Clear()
    {
        for (var instance = Oldest; instance is not null;)
        {
            var newer = instance.Newer;
            instance.Older = null;
            instance.Newer = null;
            instance = newer;
        }

        Oldest = null;
        Newest = null;
    }

    /// <summary>The instances, oldest first.</summary>
    public IEnumerable<SequenceInstance> OldestFirst()
    {
        for (var instance = Oldest; instance is not null; instance = instance.Newer)
            yield return instance;
    }
}
