namespace BsmTrace.Matching;

/// <summary>
/// When live instances expire. A sequence without a random window gives its
/// instances the same timeout, so in a trail whose time moves forward they
/// expire in the order they started: a queue per sequence, O(1) a record.
/// An instance that would expire before the one queued last (a window, or a
/// record out of time order) goes to a priority queue instead, so the order
/// stays exact. Entries of instances that ended early are skipped when they
/// come up, and compacted away when they pile up.
/// </summary>
internal sealed class ExpirySchedule
{
    private readonly Queue<Entry>[] _queues;
    private readonly long[] _lastQueued;
    private readonly PriorityQueue<Entry, long> _outOfOrder = new();
    private int _count;
    // The earliest time any entry (current or not) expires after: a record before it has nothing
    // to sweep, which is nearly every record, so the sweep costs one comparison instead of a look
    // at the head of every queue (about a tenth of the matcher's instructions per record before).
    private long _earliest = long.MaxValue;

    public ExpirySchedule(int sequences)
    {
        // Loops, not Enumerable.Range and Repeat: their generic code over int and long is compiled at every start.
        _queues = new Queue<Entry>[sequences];
        _lastQueued = new long[sequences];
        for (int s = 0; s < sequences; s++)
        {
            _queues[s] = new Queue<Entry>();
            _lastQueued[s] = long.MinValue;
        }
    }

    /// <summary>Entries held, current or not (kept as a count: the matcher asks for it every record).</summary>
    public int Count => _count;

    public void Add(SequenceInstance instance, long expiresAfter)
    {
        int s = instance.Key.Sequence;
        var entry = new Entry(instance, instance.Generation, expiresAfter);
        _count++;
        _earliest = Math.Min(_earliest, expiresAfter);
        if (expiresAfter >= _lastQueued[s])
        {
            _queues[s].Enqueue(entry);
            _lastQueued[s] = expiresAfter;
        }
        else
        {
            _outOfOrder.Enqueue(entry, expiresAfter);
        }
    }

    /// <summary>Calls <paramref name="expire"/> for every live instance whose time is before <paramref name="now"/>.</summary>
    public void Sweep(long now, Action<SequenceInstance> expire)
    {
        if (now <= _earliest)
            return;

        foreach (var queue in _queues)
        {
            while (queue.TryPeek(out var head) && head.ExpiresAfter < now)
            {
                queue.Dequeue();
                _count--;
                if (head.IsCurrent)
                    expire(head.Instance);
            }
        }

        while (_outOfOrder.TryPeek(out var entry, out long after) && after < now)
        {
            _outOfOrder.Dequeue();
            _count--;
            if (entry.IsCurrent)
                expire(entry.Instance);
        }

        FindEarliest();
    }

    private void FindEarliest()
    {
        _earliest = _outOfOrder.TryPeek(out _, out long after) ? after : long.MaxValue;
        foreach (var queue in _queues)
        {
            if (queue.TryPeek(out var head))
                _earliest = Math.Min(_earliest, head.ExpiresAfter);
        }
    }

    /// <summary>Drops the entries of instances that already ended, when they outnumber the live ones.</summary>
    public void Compact(int live)
    {
        if (Count <= 2 * live + 4096)
            return;
        foreach (var queue in _queues)
        {
            var current = queue.Where(e => e.IsCurrent).ToList();
            queue.Clear();
            foreach (var e in current)
                queue.Enqueue(e);
        }

        var rest = _outOfOrder.UnorderedItems.Where(e => e.Element.IsCurrent).ToList();
        _outOfOrder.Clear();
        _outOfOrder.EnqueueRange(rest);
        _count = _queues.Sum(q => q.Count) + _outOfOrder.Count;
        FindEarliest();
    }

    private readonly record struct Entry(SequenceInstance Instance, int Generation, long ExpiresAfter)
    {
        public bool IsCurrent => !Instance.Ended && Instance.Generation == Generation;
    }
}
